import type { ClientFrame } from '@chatalot/protocol';
import { e2ee } from '$lib/features/e2ee/e2ee.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { toasts } from '$lib/ui/toasts.svelte';
import type { ChannelTimeline } from './channel-timeline.svelte';
import { channelFor } from './chat-wiring';

/** How long an `error` reply to an action is still matched to it. */
const ANSWER_WINDOW_MS = 10_000;
const waiting = new Map<string, (message: string) => void>();
let nextRef = 1;
let listening = false;

/**
 * Sends a frame the server answers only when it refuses it (edit, delete, reactions): a string `ref` ties
 * a later `error` to `onError`. False when the socket is not connected (nothing was sent).
 */
function sendAction(frame: ClientFrame, onError: (message: string) => void): boolean {
  if (!listening) {
    listening = true;
    socket.on('error', (error) => {
      const handler = typeof error.ref === 'string' ? waiting.get(error.ref) : undefined;
      if (!handler || typeof error.ref !== 'string') return;
      waiting.delete(error.ref);
      handler(error.message);
    });
  }
  const ref = `chat-${nextRef++}`;
  if (!socket.send({ ...frame, ref })) return false;
  waiting.set(ref, onError);
  setTimeout(() => waiting.delete(ref), ANSWER_WINDOW_MS);
  return true;
}

const OFFLINE = 'Not connected to the server. Try again when the connection is back.';

/** Edits one's own message (MSG-17): encrypted like a new message, shown at once. */
export async function editMessage(
  timeline: ChannelTimeline,
  messageId: string,
  text: string,
): Promise<boolean> {
  const before = timeline.find(messageId);
  if (!before) return false;
  let payload: { ciphertext: number[]; nonce: number[] };
  try {
    payload = await e2ee.encrypt(await channelFor(timeline.channelId, { current: true }), text);
  } catch (error) {
    toasts.error(`Failed to encrypt message: ${error instanceof Error ? error.message : 'unknown error'}`);
    return false;
  }
  const sent = sendAction({ type: 'edit_message', message_id: messageId, ...payload }, (message) => {
    timeline.revertEdit(before);
    toasts.error(`The edit was not saved: ${message}`);
  });
  if (!sent) {
    toasts.error(OFFLINE);
    return false;
  }
  timeline.applyOwnEdit(messageId, text);
  void channelFor(timeline.channelId).then((channel) =>
    e2ee.rememberSent(channel, messageId, text, payload.ciphertext),
  );
  return true;
}

/**
 * Starts a new secure session with a DM peer whose messages this device cannot decrypt (docs/e2e.md, "what
 * the web client must do" 4): the reset travels as an ordinary message the peer's client reads as control.
 */
export async function resetSecureSession(channelId: string, peerId: string): Promise<void> {
  try {
    const payload = await e2ee.resetSession(peerId);
    const sent = await socket.request({
      type: 'send_message',
      channel_id: channelId,
      ...payload,
      message_type: 'text',
      reply_to: null,
      sender_key_id: null,
      thread_id: null,
      client_id: crypto.randomUUID(),
    });
    const channel = await channelFor(channelId);
    await e2ee.rememberSent(channel, sent.id, '', payload.ciphertext);
    toasts.success('The secure session was reset. Ask them to send their message again.');
  } catch (error) {
    toasts.error(error instanceof Error ? error.message : 'The secure session could not be reset.');
  }
}

/** Deletes a message (MSG-19); it leaves the list when the server announces the deletion to everyone. */
export function deleteMessage(messageId: string): boolean {
  const sent = sendAction({ type: 'delete_message', message_id: messageId }, (message) =>
    toasts.error(`The message was not deleted: ${message}`),
  );
  if (!sent) toasts.error(OFFLINE);
  return sent;
}

/** Adds or removes the reader's reaction (MSG-20), shown at once and undone if the server refuses it. */
export function toggleReaction(
  timeline: ChannelTimeline,
  messageId: string,
  emoji: string,
  userId: string,
): void {
  const mine = timeline
    .find(messageId)
    ?.reactions.some((r) => r.emoji === emoji && r.userIds.includes(userId));
  const add = !mine;
  const sent = sendAction(
    { type: add ? 'add_reaction' : 'remove_reaction', message_id: messageId, emoji },
    (message) => {
      timeline.applyReaction(messageId, emoji, userId, !add);
      toasts.error(`The reaction was not saved: ${message}`);
    },
  );
  if (sent) timeline.applyReaction(messageId, emoji, userId, add);
  else toasts.error(OFFLINE);
}
