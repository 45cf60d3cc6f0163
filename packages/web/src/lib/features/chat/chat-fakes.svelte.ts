import type { Message } from '@chatalot/protocol';
import type { NavChannel } from '$lib/features/nav/nav-types';
import { ChannelTimeline } from './channel-timeline.svelte';
import { CHAT_CONTEXT, type ChatContext, ChatView } from './chat-context.svelte';
import { People } from './people.svelte';
import { fakeSource } from './timeline-fakes.svelte';

export const SELF = { id: 'me', username: 'me', displayName: 'Me Myself', avatarUrl: null };

export function testChannel(extra: Partial<NavChannel> = {}): NavChannel {
  return {
    id: 'chan-1',
    name: 'general',
    kind: 'text',
    communityId: 'comm-1',
    groupId: 'group-1',
    topic: null,
    readOnly: false,
    slowModeSeconds: 0,
    archived: false,
    discoverable: true,
    createdBy: null,
    createdAt: '2026-02-16T12:00:00.000Z',
    ...extra,
  };
}

/** A loaded timeline over `history` and the context a channel view's parts read, for component tests. */
export async function fakeChat(history: Message[], { channel = testChannel(), pageSize = 50 } = {}) {
  const timeline = new ChannelTimeline(channel.id, fakeSource(history, [], pageSize));
  await timeline.load();
  const people = new People(
    () => SELF,
    () => undefined,
  );
  people.members = new Map([
    [
      'alice',
      { userId: 'alice', username: 'alice', displayName: 'Alice Liddell', avatarUrl: null, role: 'member' },
    ],
    ['bob', { userId: 'bob', username: 'bob', displayName: 'Bob Builder', avatarUrl: null, role: 'member' }],
  ]);
  const jumps: string[] = [];
  const context: ChatContext = {
    timeline,
    people,
    view: new ChatView(),
    channel,
    selfId: SELF.id,
    moderator: false,
    jumpTo: (id) => jumps.push(id),
    linkTo: (id) => `https://chat.example/c/comm-1/${channel.id}/m/${id}`,
    focusComposer: () => undefined,
  };
  return { context, jumps, contextMap: new Map<unknown, unknown>([[CHAT_CONTEXT, context]]) };
}

export function textMessage(n: number, senderId: string, text: string): Message {
  return {
    id: `m-${String(n).padStart(5, '0')}`,
    channel_id: 'chan-1',
    sender_id: senderId,
    ciphertext: [...new TextEncoder().encode(text)],
    nonce: [1],
    message_type: 'text',
    reply_to_id: null,
    sender_key_id: null,
    edited_at: null,
    created_at: new Date(Date.UTC(2026, 1, 16, 12, 0, 0) + n * 1000).toISOString(),
    reactions: [],
  };
}
