import { describe, expect, it } from 'vitest';
import type { ChatMessage, TimelineItem } from './chat-types';
import { placeReceipts } from './receipts';

function item(id: string, senderId: string, runEnd: boolean): TimelineItem {
  const message: ChatMessage = {
    id,
    channelId: 'c',
    senderId,
    type: 'text',
    text: id,
    e2e: 'plaintext',
    createdAt: '2026-02-16T12:00:00.000Z',
    editedAt: null,
    replyTo: null,
    reactions: [],
    delivery: 'sent',
  };
  return { kind: 'message', key: id, message, grouped: false, runEnd };
}

const items = [
  item('m1', 'me', false),
  item('m2', 'me', true),
  item('m3', 'bob', true),
  item('m4', 'me', true),
];
const at = '2026-02-16T12:05:00.000Z';

describe('placeReceipts', () => {
  it('puts a reader at the last run end they have read, never their own', () => {
    const cursors = new Map([
      ['bob', { messageId: 'm3', at }],
      ['carol', { messageId: 'm4', at }],
      ['me', { messageId: 'm4', at }],
    ]);
    const placed = placeReceipts(items, cursors, 'me', false);
    expect([...placed]).toEqual([
      ['m2', [{ userId: 'bob', at }]],
      ['m4', [{ userId: 'carol', at }]],
    ]);
  });

  it('in a DM, marks the newest of the reader’s own runs the peer has read', () => {
    const placed = placeReceipts(items, new Map([['bob', { messageId: 'm3', at }]]), 'me', true);
    expect([...placed.keys()]).toEqual(['m2']);
  });
});
