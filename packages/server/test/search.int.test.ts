import type { Message } from '@chatalot/protocol';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { RANKED_CANDIDATES, type SearchCriteria, searchQuery } from '../src/domains/search/search.repo.js';
import type { MessageType } from '../src/platform/db/schema.js';
import { uuidv7 } from '../src/platform/ids.js';
import { call, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

/** Message search (rest-api.md §10) over plaintext messages inserted straight into the table. */

const { app, database } = await createTestApp();
const world = await buildWorld(app, database);
const { db } = database;
const { member, moderator, communityOwner, outsider } = world.actors;

interface Seed {
  /** Plaintext content; null for an end-to-end encrypted message. */
  text: string | null;
  at: Date;
  channelId?: string;
  sender?: TestUser;
  type?: MessageType;
  deletedAt?: Date;
  quarantinedAt?: Date;
  expiresAt?: Date;
}

let clock = Date.now() - 24 * 3600_000;
/** A moment one second after the previous one, so that every message has its own time. */
function next(): Date {
  clock += 1000;
  return new Date(clock);
}

async function seed(message: Seed): Promise<string> {
  const id = uuidv7(message.at.getTime());
  const content = message.text ?? `{"v":1,"ciphertext":"${message.at.getTime()}"}`;
  await db
    .insertInto('messages')
    .values({
      id,
      channel_id: message.channelId ?? world.channelId,
      sender_id: (message.sender ?? member).user.id,
      ciphertext: Buffer.from(content),
      nonce: Buffer.alloc(12, 7),
      message_type: message.type ?? 'text',
      search_text: message.text,
      created_at: message.at,
      deleted_at: message.deletedAt ?? null,
      quarantined_at: message.quarantinedAt ?? null,
      expires_at: message.expiresAt ?? null,
    })
    .execute();
  return id;
}

const seedText = (text: string, extra: Partial<Seed> = {}) => seed({ text, at: next(), ...extra });

async function channel(members: TestUser[], communityGroup = world.groupId): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('channels')
    .values({
      id,
      name: 'extra',
      channel_type: 'text',
      created_by: communityOwner.user.id,
      group_id: communityGroup,
    })
    .execute();
  await db
    .insertInto('channel_members')
    .values(members.map((user) => ({ channel_id: id, user_id: user.user.id })))
    .execute();
  return id;
}

function search(user: TestUser, query: Record<string, string>, channelId: string | null = world.channelId) {
  const path = channelId === null ? '/api/messages/search' : `/api/channels/${channelId}/messages/search`;
  return call(app, { method: 'GET', url: path, query, headers: user.headers });
}

async function ids(
  user: TestUser,
  query: Record<string, string>,
  channelId: string | null = world.channelId,
) {
  const response = await search(user, query, channelId);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Message[]>().map((message) => message.id);
}

describe('the query', () => {
  it.each([
    ['missing', {}],
    ['one character', { q: 'a' }],
    ['one emoji', { q: '😀' }],
    ['257 characters', { q: 'a'.repeat(257) }],
  ])('is refused when %s', async (_, query) => {
    for (const channelId of [world.channelId, null]) {
      const response = await search(member, query, channelId);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { message: 'search query must be 2-256 characters' } });
    }
  });

  it('counts characters, not bytes', async () => {
    expect((await search(member, { q: 'é'.repeat(256) })).statusCode).toBe(200);
    expect((await search(member, { q: '😀😀' }, null)).statusCode).toBe(200);
  });

  it('matches whole words in any case, and the last word as a prefix', async () => {
    const id = await seedText('Deploying the Quokka server tonight');
    for (const q of ['quokka', 'QUOKKA SERVER', 'quok', 'server quo', '"quokka server"']) {
      expect(await ids(member, { q }), q).toEqual([id]);
    }
    for (const q of ['quok ', 'quo server', 'okka', 'quokka -server', '"server quokka"']) {
      expect(await ids(member, { q }), q).toEqual([]);
    }
  });

  it('never fails on search syntax or punctuation', async () => {
    const id = await seedText("Tomorrow's meetup at 日本語 café: x'y & (z)");
    const odd = [
      'or',
      '--',
      '""',
      '-ab',
      'ab:*',
      '!!',
      "''",
      '\\\\',
      'a & b',
      '(ab',
      'x <-> y',
      '-"a b',
      "x'y",
    ];
    for (const q of odd) {
      const response = await search(member, { q }, null);
      expect(response.statusCode, q).toBe(200);
    }
    for (const q of ['tomorrow', "tomorrow's", 'CAFÉ', '日本', 'meetup -nothing']) {
      expect(await ids(member, { q }), q).toEqual([id]);
    }
  });

  it('never matches encrypted messages, and says so in a header', async () => {
    await seed({ text: null, at: next() });
    await seedText('ciphertext lookalike');
    const response = await search(member, { q: 'ciphertext' });
    expect(response.headers['x-search-scope']).toBe('plaintext-only');
    expect(response.json<Message[]>()).toHaveLength(1);
    expect(await ids(member, { q: '"v":1' }, null)).toEqual([]);
    expect((await search(member, { q: 'ciphertext' }, null)).headers['x-search-scope']).toBe(
      'plaintext-only',
    );
  });

  it('answers Message objects', async () => {
    const at = next();
    const id = await seedText('axolotl pictures', { type: 'file', at });
    const [found] = (await search(member, { q: 'axolotl' })).json<Message[]>();
    expect(found).toEqual({
      id,
      channel_id: world.channelId,
      sender_id: member.user.id,
      ciphertext: [...Buffer.from('axolotl pictures')],
      nonce: Array(12).fill(7),
      message_type: 'file',
      reply_to_id: null,
      sender_key_id: null,
      edited_at: null,
      created_at: at.toISOString(),
    });
  });
});

describe('results', () => {
  it('rank more occurrences first, then newest first', async () => {
    const once = await seedText('narwhal');
    const twice = await seedText('narwhal and another narwhal');
    const newer = await seedText('a narwhal');
    expect(await ids(member, { q: 'narwhal' })).toEqual([twice, newer, once]);
  });

  it(`rank only the newest ${RANKED_CANDIDATES} matches`, async () => {
    const best = await seedText('meerkat meerkat meerkat');
    for (let i = 0; i < RANKED_CANDIDATES; i++) await seedText(`meerkat number ${i}`);
    const [top] = await ids(member, { q: 'meerkat', limit: '1' });
    expect(top).not.toBe(best);
    await db.deleteFrom('messages').where('search_text', 'like', 'meerkat number %').execute();
    expect(await ids(member, { q: 'meerkat', limit: '1' }, null)).toEqual([best]);
  });

  it('hide deleted, quarantined and expired messages', async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3600_000);
    const kept = await seedText('pangolin kept', { expiresAt: future });
    await seedText('pangolin deleted', { deletedAt: past });
    await seedText('pangolin quarantined', { quarantinedAt: past });
    await seedText('pangolin expired', { expiresAt: past });
    expect(await ids(member, { q: 'pangolin' })).toEqual([kept]);
    expect(await ids(member, { q: 'pangolin' }, null)).toEqual([kept]);
  });

  it('are 20 by default and at most 50', async () => {
    for (let i = 0; i < 55; i++) await seedText(`capybara ${i}`);
    expect(await ids(member, { q: 'capybara' })).toHaveLength(20);
    expect(await ids(member, { q: 'capybara', limit: '100' })).toHaveLength(50);
    expect(await ids(member, { q: 'capybara', limit: '0' }, null)).toHaveLength(1);
    expect(await ids(member, { q: 'capybara', limit: '7' }, null)).toHaveLength(7);
  });
});

describe('filters', () => {
  it('sender: part of the username in any case, wildcards literal', async () => {
    const mine = await seedText('wombat one', { sender: member });
    await seedText('wombat two', { sender: moderator });
    expect(await ids(member, { q: 'wombat', sender: member.username.toUpperCase() })).toEqual([mine]);
    expect(await ids(member, { q: 'wombat', sender: member.username.slice(1) }, null)).toEqual([mine]);
    expect(await ids(member, { q: 'wombat', sender: '%' }, null)).toEqual([]);
    expect(await ids(member, { q: 'wombat', sender: '' })).toHaveLength(2);
  });

  it('before and after: inclusive, unparsable values ignored', async () => {
    const [first, second, third] = [next(), next(), next()];
    const a = await seed({ text: 'dugong', at: first });
    const b = await seed({ text: 'dugong', at: second });
    const c = await seed({ text: 'dugong', at: third });
    const stamp = (date: Date) => date.toISOString().replace('Z', '+00:00');
    expect(await ids(member, { q: 'dugong', after: stamp(second) })).toEqual([c, b]);
    expect(await ids(member, { q: 'dugong', before: stamp(second) }, null)).toEqual([b, a]);
    expect(await ids(member, { q: 'dugong', after: stamp(second), before: stamp(second) })).toEqual([b]);
    for (const bad of ['yesterday', second.toISOString().slice(0, 19), '2025-02-30T00:00:00Z']) {
      expect(await ids(member, { q: 'dugong', after: bad }), bad).toEqual([c, b, a]);
    }
  });

  it('has_file: file messages only', async () => {
    const file = await seedText('okapi.png', { type: 'file' });
    const text = await seedText('okapi');
    expect(await ids(member, { q: 'okapi', has_file: 'true' })).toEqual([file]);
    expect(await ids(member, { q: 'okapi', has_file: 'false' }, null)).toEqual([text, file]);
  });

  it('community_id: the channels of that community only', async () => {
    const otherCommunity = uuidv7();
    const otherGroup = uuidv7();
    await db.insertInto('communities').values({ id: otherCommunity, name: 'Other' }).execute();
    await db
      .insertInto('groups')
      .values({ id: otherGroup, name: 'G', community_id: otherCommunity })
      .execute();
    const elsewhere = await seedText('tapir', { channelId: await channel([member], otherGroup) });
    const here = await seedText('tapir');
    expect(await ids(member, { q: 'tapir' }, null)).toEqual([here, elsewhere]);
    expect(await ids(member, { q: 'tapir', community_id: world.communityId }, null)).toEqual([here]);
    expect(await ids(member, { q: 'tapir', community_id: otherCommunity }, null)).toEqual([elsewhere]);
    expect((await search(member, { q: 'tapir', community_id: 'nope' }, null)).statusCode).toBe(400);
  });
});

describe('membership', () => {
  it('per channel: members only, 403 otherwise whether or not the channel exists', async () => {
    const closed = await channel([communityOwner]);
    await seedText('quetzal', { channelId: closed, sender: communityOwner });
    expect((await search(member, { q: 'quetzal' }, closed)).statusCode).toBe(403);
    expect((await search(outsider, { q: 'quetzal' })).statusCode).toBe(403);
    expect((await search(member, { q: 'quetzal' }, uuidv7())).statusCode).toBe(403);
    expect((await search(member, { q: 'quetzal' }, 'not-a-uuid')).statusCode).toBe(400);
    expect(await ids(communityOwner, { q: 'quetzal' }, closed)).toHaveLength(1);
  });

  it("everywhere: the caller's channels only", async () => {
    const closed = await channel([communityOwner]);
    const hidden = await seedText('ocelot', { channelId: closed, sender: communityOwner });
    const open = await seedText('ocelot');
    expect(await ids(member, { q: 'ocelot' }, null)).toEqual([open]);
    expect(await ids(outsider, { q: 'ocelot' }, null)).toEqual([]);
    expect(await ids(communityOwner, { q: 'ocelot' }, null)).toEqual([open, hidden]);
  });
});

describe('the query plan', () => {
  const criteria: SearchCriteria = {
    userId: member.user.id,
    text: 'plan quer',
    limit: 20,
    now: new Date(),
    fileOnly: false,
  };

  beforeAll(async () => {
    await sql`insert into messages (id, channel_id, sender_id, ciphertext, nonce, search_text)
      select gen_random_uuid(), ${world.channelId}, ${member.user.id}, '\\x00', '\\x00', 'filler ' || n
      from generate_series(1, 3000) as n`.execute(db);
    await sql`analyze messages`.execute(db);
  });

  async function planOf(extra: Partial<SearchCriteria>): Promise<string> {
    const plan = await searchQuery(db, { ...criteria, ...extra }).explain();
    return plan.map((row) => String(row['QUERY PLAN'])).join('\n');
  }
  const oneChannel = { channelId: world.channelId };
  const filtered = { communityId: world.communityId, sender: 'user', fileOnly: true };

  it.each([
    ['one channel', oneChannel],
    ['every channel', {}],
  ])('matches through the full-text index (%s)', async (_, extra) => {
    expect(await planOf(extra)).toContain('Bitmap Index Scan on messages_search');
  });

  it.each([
    ['one channel', oneChannel],
    ['every channel', {}],
    ['with filters', filtered],
  ])('never scans the messages table sequentially (%s)', async (_, extra) => {
    expect(await planOf(extra)).not.toMatch(/Seq Scan on messages\b/);
  });
});
