import type { Message, MessageSentFrame, NewMessageFrame, ReadCursor } from '@chatalot/protocol';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { ChannelTimeline, PAGE_SIZE } from './channel-timeline.svelte';
import { fakeSource } from './timeline-fakes.svelte';
import type { Encrypted, PendingItem } from './timeline-source';

const CHANNEL = 'chan-1';
const encode = (text: string) => [...new TextEncoder().encode(text)];

/** Ids sort like the server's UUIDv7: by number, zero-padded. */
const idOf = (n: number) => `m-${String(n).padStart(5, '0')}`;
const timeOf = (n: number) => new Date(Date.UTC(2026, 1, 16, 12, 0, n)).toISOString();

function serverMessage(n: number, extra: Partial<Message> = {}): Message {
  return {
    id: idOf(n),
    channel_id: CHANNEL,
    sender_id: n % 2 ? 'bob' : 'alice',
    ciphertext: encode(`message ${n}`),
    nonce: [1],
    message_type: 'text',
    reply_to_id: null,
    sender_key_id: null,
    edited_at: null,
    created_at: timeOf(n),
    reactions: [],
    ...extra,
  };
}

function newMessage(n: number, extra: Partial<NewMessageFrame> = {}): NewMessageFrame {
  const { id, channel_id, ciphertext, nonce, created_at } = serverMessage(n);
  return {
    type: 'new_message',
    id,
    channel_id,
    sender_id: n % 2 ? 'bob' : 'alice',
    ciphertext,
    nonce,
    message_type: 'text',
    reply_to: null,
    sender_key_id: null,
    created_at,
    ...extra,
  };
}

/** The server's answer to our own message `n`, sent with `clientId`. */
function messageSent(n: number, clientId: string): MessageSentFrame {
  return {
    type: 'message_sent',
    id: idOf(n),
    channel_id: CHANNEL,
    created_at: timeOf(n),
    client_id: clientId,
  };
}

function texts(timeline: ChannelTimeline): string[] {
  flushSync();
  return timeline.messages.map((message) => message.text);
}

describe('ChannelTimeline loading', () => {
  it('loads the newest page oldest first, decrypted', async () => {
    const source = fakeSource([1, 2, 3].map((n) => serverMessage(n)));
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    expect(texts(timeline)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(timeline.status).toBe('ready');
    expect(timeline.hasMore).toBe(false);
  });

  it('prepends older pages until the history is exhausted', async () => {
    const all = Array.from({ length: PAGE_SIZE + 20 }, (_, i) => serverMessage(i + 1));
    const timeline = new ChannelTimeline(CHANNEL, fakeSource(all));
    await timeline.load();
    expect(timeline.messages).toHaveLength(PAGE_SIZE);
    expect(timeline.hasMore).toBe(true);
    await timeline.loadOlder();
    expect(texts(timeline)).toHaveLength(PAGE_SIZE + 20);
    expect(timeline.messages[0]?.id).toBe(idOf(1));
    expect(timeline.hasMore).toBe(false);
  });

  it('reports a failed load, and a failed older page separately', async () => {
    const source = fakeSource([]);
    source.history = async () => {
      throw new Error('Could not reach the server.');
    };
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    expect(timeline.status).toBe('error');
    expect(timeline.error).toBe('Could not reach the server.');
  });

  it('loads older pages until a linked message is found', async () => {
    const all = Array.from({ length: 180 }, (_, i) => serverMessage(i + 1));
    const timeline = new ChannelTimeline(CHANNEL, fakeSource(all));
    expect(await timeline.reveal(idOf(5))).toBe(true);
    expect(timeline.messages[0]?.id).toBe(idOf(1));
    expect(await timeline.reveal('m-99999x')).toBe(false);
  });
});

describe('ChannelTimeline live events', () => {
  it('appends new messages, dedupes repeats and ignores thread replies', async () => {
    const timeline = new ChannelTimeline(CHANNEL, fakeSource([serverMessage(1)]));
    await timeline.load();
    await timeline.onNewMessage(newMessage(2));
    await timeline.onNewMessage(newMessage(2));
    await timeline.onNewMessage(newMessage(3, { thread_id: idOf(1) }));
    expect(texts(timeline)).toEqual(['message 1', 'message 2']);
  });

  it('applies an edit after the message it edits, even when decryption is slow', async () => {
    const source = fakeSource([]);
    const slow = source.decrypt;
    source.decrypt = async (channelId: string, message: Encrypted) => {
      if (message.id === idOf(1)) await new Promise((resolve) => setTimeout(resolve, 20));
      return slow(channelId, message);
    };
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    const arrived = timeline.onNewMessage(newMessage(1));
    const edited = timeline.onEdited({
      type: 'message_edited',
      message_id: idOf(1),
      channel_id: CHANNEL,
      sender_id: 'bob',
      ciphertext: encode('message 1, fixed'),
      nonce: [2],
      edited_at: timeOf(9),
    });
    await Promise.all([arrived, edited]);
    expect(texts(timeline)).toEqual(['message 1, fixed']);
    expect(timeline.messages[0]?.editedAt).toBe(timeOf(9));
  });

  it('removes deleted messages and keeps reactions as sets', async () => {
    const timeline = new ChannelTimeline(CHANNEL, fakeSource([serverMessage(1), serverMessage(2)]));
    await timeline.load();
    const reaction = { type: 'reaction_added' as const, message_id: idOf(1), user_id: 'bob', emoji: '👍' };
    await timeline.onReaction(reaction);
    await timeline.onReaction(reaction);
    await timeline.onReaction({ ...reaction, user_id: 'alice' });
    expect(timeline.find(idOf(1))?.reactions).toEqual([{ emoji: '👍', userIds: ['bob', 'alice'] }]);
    await timeline.onReaction({ ...reaction, type: 'reaction_removed' });
    await timeline.onReaction({ ...reaction, type: 'reaction_removed', user_id: 'alice' });
    expect(timeline.find(idOf(1))?.reactions).toEqual([]);
    await timeline.onDeleted(idOf(2));
    expect(texts(timeline)).toEqual(['message 1']);
  });

  it('starts again from the newest page on resync, dropping what was deleted meanwhile', async () => {
    const source = fakeSource([serverMessage(1), serverMessage(2), serverMessage(3)]);
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    source.store.splice(1, 1);
    source.store.push(serverMessage(4, { ciphertext: encode('missed while away') }));
    await timeline.resync();
    expect(texts(timeline)).toEqual(['message 1', 'message 3', 'missed while away']);
  });
});

describe('ChannelTimeline and the outbox', () => {
  function pending(
    clientId: string,
    state: PendingItem['state'],
    extra: Partial<PendingItem> = {},
  ): PendingItem {
    return {
      clientId,
      channelId: CHANNEL,
      text: `draft ${clientId}`,
      replyTo: null,
      messageType: 'text',
      state,
      createdAt: timeOf(50),
      ...extra,
    };
  }

  it('shows pending and failed items after the server’s messages', async () => {
    const source = fakeSource([serverMessage(1)]);
    source.outbox.push(
      pending('c1', 'pending'),
      pending('c2', 'failed', { error: 'slow mode: wait 5 seconds' }),
    );
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    flushSync();
    expect(timeline.messages.map((message) => [message.text, message.delivery])).toEqual([
      ['message 1', 'sent'],
      ['draft c1', 'pending'],
      ['draft c2', 'failed'],
    ]);
    expect(timeline.messages[2]?.error).toBe('slow mode: wait 5 seconds');
  });

  it('replaces a pending item by its message_sent, keeping the row’s client id', async () => {
    const source = fakeSource([serverMessage(1)]);
    source.outbox.push(pending('c1', 'pending'));
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    await timeline.onMessageSent(messageSent(7, 'c1'));
    source.outbox[0] = pending('c1', 'sent', { messageId: idOf(7) });
    flushSync();
    expect(timeline.messages.map((message) => [message.id, message.clientId, message.delivery])).toEqual([
      [idOf(1), undefined, 'sent'],
      [idOf(7), 'c1', 'sent'],
    ]);
    source.outbox.splice(0, 1);
    expect(texts(timeline)).toEqual(['message 1', 'draft c1']);
  });

  it('does not bring back a deleted message from the outbox’s sent items', async () => {
    const source = fakeSource([serverMessage(1)]);
    source.outbox.push(pending('c1', 'sent', { messageId: idOf(7) }));
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    await timeline.onMessageSent(messageSent(7, 'c1'));
    await timeline.onDeleted(idOf(7));
    expect(texts(timeline)).toEqual(['message 1']);
  });

  it('shows a sent item in time order when its server copy has not arrived', async () => {
    const source = fakeSource([serverMessage(1), serverMessage(60)]);
    source.outbox.push(pending('c1', 'sent', { messageId: idOf(50) }));
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    expect(texts(timeline)).toEqual(['message 1', 'draft c1', 'message 60']);
  });

  it('keeps the text of its own edit when its own envelope cannot be decrypted', async () => {
    const source = fakeSource([serverMessage(2, { sender_id: 'me' })]);
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.load();
    timeline.applyOwnEdit(idOf(2), 'better words');
    expect(texts(timeline)).toEqual(['better words']);
    await timeline.onEdited({
      type: 'message_edited',
      message_id: idOf(2),
      channel_id: CHANNEL,
      sender_id: 'me',
      ciphertext: encode('UNREADABLE'),
      nonce: [3],
      edited_at: timeOf(8),
    });
    expect(texts(timeline)).toEqual(['better words']);
    expect(timeline.find(idOf(2))?.e2e).toBe('encrypted');
  });
});

describe('ChannelTimeline read state', () => {
  function cursor(userId: string, n: number): ReadCursor {
    return { user_id: userId, last_read_message_id: idOf(n), last_read_at: timeOf(n) };
  }

  it('places the NEW MESSAGES rule after the reader’s cursor when opened', async () => {
    const source = fakeSource(
      [1, 2, 3, 4].map((n) => serverMessage(n)),
      [cursor('me', 2), cursor('bob', 4)],
    );
    const timeline = new ChannelTimeline(CHANNEL, source);
    await timeline.open();
    expect(timeline.unreadMarker).toBe(idOf(3));
    timeline.noteRead(idOf(4));
    expect(timeline.unreadMarker).toBe(idOf(3));
    await timeline.open();
    expect(timeline.unreadMarker).toBeNull();
  });

  it('follows read receipts', async () => {
    const timeline = new ChannelTimeline(CHANNEL, fakeSource([serverMessage(1)]));
    await timeline.load();
    timeline.onReadReceipt({
      type: 'read_receipt',
      channel_id: CHANNEL,
      user_id: 'bob',
      message_id: idOf(1),
      timestamp: timeOf(3),
    });
    expect(timeline.cursors.get('bob')).toEqual({ messageId: idOf(1), at: timeOf(3) });
  });
});
