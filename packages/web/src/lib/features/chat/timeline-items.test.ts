import { describe, expect, it } from 'vitest';
import type { ChatMessage, TimelineItem } from './chat-types';
import { buildItems, firstUnread } from './timeline-items';

const now = new Date(2026, 1, 16, 18, 0);

function message(id: string, senderId: string, at: Date, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id,
    channelId: 'c',
    senderId,
    type: 'text',
    text: id,
    e2e: 'encrypted',
    createdAt: at.toISOString(),
    editedAt: null,
    replyTo: null,
    reactions: [],
    delivery: 'sent',
    ...extra,
  };
}

const minutes = (n: number) => new Date(now.getTime() - n * 60_000);

function shape(items: TimelineItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'date') return `[${item.label}]`;
    if (item.kind === 'unread') return '--new--';
    return `${item.message.id}${item.grouped ? ' (grouped)' : ''}${item.runEnd ? ' <end>' : ''}`;
  });
}

describe('buildItems', () => {
  it('groups a sender’s follow-ups within 5 minutes and ends runs at a sender change', () => {
    const items = buildItems(
      [
        message('a1', 'alice', minutes(30)),
        message('a2', 'alice', minutes(27)),
        message('a3', 'alice', minutes(21)),
        message('b1', 'bob', minutes(20)),
        message('b2', 'bob', minutes(19)),
      ],
      { now },
    );
    expect(shape(items)).toEqual(['[Today]', 'a1', 'a2 (grouped)', 'a3 <end>', 'b1', 'b2 (grouped) <end>']);
  });

  it('never groups replies, files, or messages of unknown senders', () => {
    const items = buildItems(
      [
        message('a1', 'alice', minutes(10)),
        message('a2', 'alice', minutes(9), { replyTo: 'a1' }),
        message('a3', 'alice', minutes(8), { type: 'file' }),
        message('a4', 'alice', minutes(7)),
      ],
      { now },
    );
    expect(shape(items)).toEqual(['[Today]', 'a1', 'a2', 'a3', 'a4 <end>']);
  });

  it('puts a separator before each new day: Today, Yesterday, then long dates', () => {
    const items = buildItems(
      [
        message('old', 'alice', new Date(2026, 1, 12, 9, 0)),
        message('y', 'alice', new Date(2026, 1, 15, 23, 58)),
        message('t', 'alice', new Date(2026, 1, 16, 0, 1)),
      ],
      { now },
    );
    expect(shape(items)).toEqual([
      '[Thursday, February 12, 2026]',
      'old <end>',
      '[Yesterday]',
      'y <end>',
      '[Today]',
      't <end>',
    ]);
  });

  it('puts the NEW MESSAGES rule above the first unread message and starts a new run there', () => {
    const items = buildItems(
      [
        message('a1', 'alice', minutes(3)),
        message('a2', 'alice', minutes(2)),
        message('a3', 'alice', minutes(1)),
      ],
      { now, firstUnreadId: 'a2' },
    );
    expect(shape(items)).toEqual(['[Today]', 'a1 <end>', '--new--', 'a2', 'a3 (grouped) <end>']);
  });

  it('keys a message from the outbox by its client id, so the row survives the server’s id', () => {
    const [, item] = buildItems([message('server-id', 'me', minutes(1), { clientId: 'client-1' })], { now });
    expect(item?.key).toBe('client-1');
  });
});

describe('firstUnread', () => {
  const ids = ['0190c3a2-0001', '0190c3a2-0002', '0190c3a2-0003', '0190c3a2-0004'];
  const list = [
    message(ids[0] as string, 'bob', minutes(4)),
    message(ids[1] as string, 'bob', minutes(3)),
    message(ids[2] as string, 'bob', minutes(2)),
    message(ids[3] as string, 'bob', minutes(1)),
  ];

  it('is the first message after the cursor', () => {
    expect(firstUnread(list, ids[1] as string, 'me')).toBe(ids[2]);
  });

  it('is null when the cursor is at the newest message', () => {
    expect(firstUnread(list, ids[3] as string, 'me')).toBeNull();
  });

  it('counts everything loaded as unread for a cursor older than the page, or none at all', () => {
    expect(firstUnread(list, '0190c3a1-ffff', 'me')).toBe(ids[0]);
    expect(firstUnread(list, null, 'me')).toBe(ids[0]);
  });

  it('skips own messages, and what came before a message of one’s own', () => {
    const mine = list.map((m, i) => (i === 1 ? { ...m, senderId: 'me' } : m));
    expect(firstUnread(mine, ids[0] as string, 'me')).toBe(ids[2]);
  });
});
