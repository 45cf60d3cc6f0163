import { fetchHistory, fetchReadCursors } from '$lib/api/messages';
import { session } from '$lib/features/auth/session.svelte';
import { type E2eChannel, e2ee } from '$lib/features/e2ee/e2ee.svelte';
import { nav } from '$lib/features/nav/nav.svelte';
import type { NavChannel } from '$lib/features/nav/nav-types';
import { outbox } from '$lib/features/outbox/outbox.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { ChannelTimeline } from './channel-timeline.svelte';
import type { Decrypted, Encrypted, TimelineSource } from './timeline-source';

/** Timelines kept in memory (and kept current by the socket) after their channel was left. */
const KEPT_TIMELINES = 8;

/** The E2E layer's view of a channel: a DM's peer, or a channel's current members. */
export async function channelFor(
  channelId: string,
  options: { current?: boolean } = {},
): Promise<E2eChannel> {
  const channel = await knownChannel(channelId);
  if (channel.kind === 'dm') {
    if (!channel.peer) throw new Error('this direct message has no other member');
    return { id: channelId, kind: 'dm', peerId: channel.peer.id };
  }
  // Encrypting needs the current members, never a cached list: a chain shared with an outdated member set
  // leaves someone who just joined unable to read it (the server announces no joins).
  if (options.current) nav.forgetMembers(channelId);
  const members = await nav.members(channelId);
  return { id: channelId, kind: 'group', memberIds: members.map((member) => member.userId) };
}

/** The channel from the navigation, loaded first if need be: a DM must never be taken for a group. */
async function knownChannel(channelId: string): Promise<NavChannel> {
  if (!nav.channel(channelId)) await nav.load();
  const channel = nav.channel(channelId);
  if (!channel) throw new Error('this channel is not one of yours');
  return channel;
}

/** Any ciphertext of the channel (a message, an edit, an earlier version); never throws. */
export async function decryptIn(channelId: string, message: Encrypted): Promise<Decrypted> {
  try {
    return await e2ee.decrypt(await channelFor(channelId), message);
  } catch {
    return { text: '', status: 'failed' };
  }
}

const source: TimelineSource = {
  history: (channelId, before) => fetchHistory(channelId, { before }),
  cursors: fetchReadCursors,
  decrypt: decryptIn,
  pending: (channelId) => outbox.items(channelId),
  selfId: () => session.user?.id ?? null,
  ownStatus: () => (e2ee.enabled ? 'encrypted' : 'plaintext'),
};

/** Most recently used last. */
const timelines = new Map<string, ChannelTimeline>();

/** The channel's timeline, created on first use. */
export function timelineFor(channelId: string): ChannelTimeline {
  wire();
  let timeline = timelines.get(channelId);
  if (timeline) timelines.delete(channelId);
  else timeline = new ChannelTimeline(channelId, source);
  timelines.set(channelId, timeline);
  while (timelines.size > KEPT_TIMELINES) timelines.delete(timelines.keys().next().value as string);
  return timeline;
}

let wired = false;

/**
 * Connects the outbox to the E2E layer and routes the socket's message events to the timelines in memory
 * (events of channels without one are read when the channel is opened). Runs once, on the first timeline.
 */
function wire(): void {
  if (wired) return;
  wired = true;
  outbox.configure({
    encrypt: async (channelId, text) => e2ee.encrypt(await channelFor(channelId, { current: true }), text),
    onSent: (item, frame, bytes) => {
      void channelFor(item.channelId).then((channel) =>
        e2ee.rememberSent(channel, frame.id, item.text, bytes.ciphertext),
      );
    },
  });
  const inChannel = (channelId: string) => timelines.get(channelId);
  socket.on('new_message', (frame) => void inChannel(frame.channel_id)?.onNewMessage(frame));
  socket.on('message_sent', (frame) => void inChannel(frame.channel_id)?.onMessageSent(frame));
  socket.on('message_edited', (frame) => void inChannel(frame.channel_id)?.onEdited(frame));
  socket.on('read_receipt', (frame) => inChannel(frame.channel_id)?.onReadReceipt(frame));
  // Deletions and reactions name only the message: every timeline that holds it applies them.
  socket.on('message_deleted', (frame) => {
    for (const timeline of timelines.values()) void timeline.onDeleted(frame.message_id);
  });
  for (const type of ['reaction_added', 'reaction_removed'] as const) {
    socket.on(type, (frame) => {
      for (const timeline of timelines.values()) void timeline.onReaction(frame);
    });
  }
  socket.onResync((channelId, reason) => {
    if (reason === 'no_access') timelines.delete(channelId);
    else void inChannel(channelId)?.resync();
  });
  session.onSignOut(() => timelines.clear());
}
