import type { ChatMessage, TimelineItem } from './chat-types';
import { dayKey, dayLabel } from './format';

/** A follow-up within this long of the previous message, by the same sender, has no header. */
export const GROUP_WINDOW_MS = 5 * 60_000;

/** Parsed once per message object (they are immutable), since the rows are rebuilt on every change. */
const times = new WeakMap<ChatMessage, { at: Date; day: string }>();

function timeOf(message: ChatMessage): { at: Date; day: string } {
  let time = times.get(message);
  if (!time) {
    const at = new Date(message.createdAt);
    time = { at, day: dayKey(at) };
    times.set(message, time);
  }
  return time;
}

function groupsWith(previous: ChatMessage | undefined, message: ChatMessage): boolean {
  if (!previous || previous.senderId === null || previous.senderId !== message.senderId) return false;
  if (message.replyTo !== null || message.type !== 'text' || previous.type !== 'text') return false;
  return timeOf(message).at.getTime() - timeOf(previous).at.getTime() <= GROUP_WINDOW_MS;
}

/**
 * The rows of the message list: messages in order, a separator before each new day (MSG-14), the
 * "NEW MESSAGES" rule above `firstUnreadId` (MSG-15), and the grouping of consecutive messages (MSG-12).
 */
export function buildItems(
  messages: readonly ChatMessage[],
  { firstUnreadId = null, now = new Date() }: { firstUnreadId?: string | null; now?: Date } = {},
): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous: ChatMessage | undefined;
  let previousDay = '';
  let lastMessageItem: Extract<TimelineItem, { kind: 'message' }> | undefined;

  for (const message of messages) {
    const { at, day } = timeOf(message);
    let breaksRun = false;
    if (day !== previousDay) {
      items.push({ kind: 'date', key: `date:${day}`, label: dayLabel(at, now) });
      previousDay = day;
      breaksRun = true;
    }
    if (message.id === firstUnreadId) {
      items.push({ kind: 'unread', key: 'unread' });
      breaksRun = true;
    }
    const grouped = !breaksRun && groupsWith(previous, message);
    if (lastMessageItem && (lastMessageItem.message.senderId !== message.senderId || breaksRun)) {
      lastMessageItem.runEnd = true;
    }
    lastMessageItem = {
      kind: 'message',
      key: message.clientId ?? message.id,
      message,
      grouped,
      runEnd: false,
    };
    items.push(lastMessageItem);
    previous = message;
  }
  if (lastMessageItem) lastMessageItem.runEnd = true;
  return items;
}

/**
 * The first message after the reader's cursor that someone else sent, or null when nothing is unread;
 * a message of the reader's own after the cursor shows they read what came before it. Message ids are
 * UUIDv7, so a cursor older than every loaded message still orders correctly.
 */
export function firstUnread(
  messages: readonly ChatMessage[],
  cursorId: string | null,
  selfId: string | null,
): string | null {
  let first: string | null = null;
  for (const message of messages) {
    if (message.delivery !== 'sent' || message.control || (cursorId !== null && message.id <= cursorId))
      continue;
    if (message.senderId === selfId) first = null;
    else first ??= message.id;
  }
  return first;
}
