import type { TimelineItem } from './chat-types';

export interface Receipt {
  userId: string;
  /** When they read it (ISO 8601). */
  at: string;
}

/**
 * Where each reader's receipt goes (MSG-25): at the last run end they have read — in a channel the last run
 * of someone else, in a DM the last run of the reader's own messages ("Read 5m ago").
 */
export function placeReceipts(
  items: readonly TimelineItem[],
  cursors: ReadonlyMap<string, { messageId: string; at: string }>,
  selfId: string | null,
  dm: boolean,
): Map<string, Receipt[]> {
  const runEnds = items.flatMap((item) =>
    item.kind === 'message' && item.runEnd && item.message.delivery === 'sent' ? [item.message] : [],
  );
  const placed = new Map<string, Receipt[]>();
  for (const [userId, cursor] of cursors) {
    if (userId === selfId) continue;
    for (let i = runEnds.length - 1; i >= 0; i--) {
      const message = runEnds[i];
      if (!message || message.id > cursor.messageId) continue;
      if (dm ? message.senderId !== selfId : message.senderId === userId) continue;
      const list = placed.get(message.id) ?? [];
      list.push({ userId, at: cursor.at });
      placed.set(message.id, list);
      break;
    }
  }
  return placed;
}
