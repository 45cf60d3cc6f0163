import { channelSearchQuery, messageSearchQuery } from '@chatalot/protocol';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { SearchService } from '../src/domains/search/search.service.js';
import { systemClock } from '../src/platform/clock.js';
import { openPostgres } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrations.js';
import type { Schema } from '../src/platform/db/schema.js';

/**
 * Message search on PostgreSQL: MESSAGES messages over 20 channels (a third end-to-end encrypted, so
 * without search text), then SEARCHES timed searches by a member of every channel, half in one channel
 * and half across all, for a word, two words or a word being typed. Creates a scratch database through
 * the admin URL BENCH_DATABASE_URL and drops it afterwards.
 */
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const SEARCHES = 200;
const WARM_UP = 20;
const CHANNELS = 20;
const USERS = 50;
const BATCH = 100_000;

/** Chat words, most common first: message words are drawn with a long-tailed (Zipf-like) skew. */
const VOCABULARY = `the a to and is it you i that of in for on this we be have with are not just can so but do
what will at my get like if your all me was know about there now up out one time think good go make new need
see today here when how some more work yeah ok thanks please really back still going check did fix build test
deploy server client release bug issue meeting lunch coffee weekend tomorrow yesterday morning tonight later
soon maybe sure great nice cool awesome sorry help question answer idea plan update change review merge branch
commit push pull request docs design team project feature error crash log login password account email message
channel search voice video call screen share file upload download image photo link website browser phone laptop
keyboard monitor network wifi router database query index table migration schema backup restore cache memory
disk cpu docker container kubernetes cluster node linux windows mac python rust typescript javascript svelte
react postgres redis nginx config secret token key encryption privacy security audit report ticket customer
user admin owner moderator invite group community event party game movie music song book pizza beer tea weather
rain snow sunny holiday vacation travel train flight hotel birthday family friend dog cat garden`.split(
  /\s+/,
);

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function seedPeople(db: Kysely<Schema>): Promise<void> {
  await sql`insert into users (id, username, display_name, email, password_hash)
    select gen_random_uuid(), 'bench_' || n, 'Bench ' || n, 'bench' || n || '@example.org', 'x'
    from generate_series(1, ${USERS}) n`.execute(db);
  await sql`insert into communities (id, name) values (gen_random_uuid(), 'Bench')`.execute(db);
  await sql`insert into groups (id, name, community_id) select gen_random_uuid(), 'General', id from communities`.execute(
    db,
  );
  await sql`insert into channels (id, name, channel_type, group_id)
    select gen_random_uuid(), 'channel-' || n, 'text', (select id from groups) from generate_series(1, ${CHANNELS}) n`.execute(
    db,
  );
  await sql`insert into channel_members (channel_id, user_id) select c.id, u.id from channels c cross join users u`.execute(
    db,
  );
}

/**
 * Messages `first`..`last`, 30 seconds apart up to now, with time-ordered (UUIDv7-shaped) ids like the
 * send path's; every third one is encrypted, every 25th a file.
 */
async function seedMessages(db: Kysely<Schema>, first: number, last: number): Promise<void> {
  await sql`insert into messages (id, channel_id, sender_id, ciphertext, nonce, message_type, search_text, created_at)
    select
      (lpad(to_hex((extract(epoch from t.at) * 1000)::bigint), 12, '0') || '7' || substr(md5(n::text), 1, 3)
        || to_hex(8 + n % 4) || substr(md5(n::text), 4, 15))::uuid,
      ch.ids[1 + n % ${CHANNELS}], us.ids[1 + (n / ${CHANNELS}) % ${USERS}],
      case when n % 3 = 0 then decode(md5(n::text) || md5((n + 1)::text), 'hex') else convert_to(b.body, 'UTF8') end,
      decode(md5((-n)::text), 'hex'),
      case when n % 25 = 0 then 'file' else 'text' end,
      case when n % 3 = 0 then null else b.body end,
      t.at
    from generate_series(${first}::int, ${last}::int) n
    cross join (select array_agg(id order by name) as ids from channels) ch
    cross join (select array_agg(id order by username) as ids from users) us
    cross join lateral (select now() - (${MESSAGES}::int - n) * interval '30 seconds' as at) t
    cross join lateral (
      select string_agg(v.words[1 + floor(power(random(), 2.5) * array_length(v.words, 1))::int], ' ') as body
      from (select ${VOCABULARY}::text[] as words) v, generate_series(1, 3 + (n * 7) % 14)
      where n is not null
    ) b`.execute(db);
}

/** A deterministic pseudo-random source (mulberry32), so that every run asks the same questions. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** What people look for: any word but the shortest. */
const SEARCHED = VOCABULARY.filter((word) => word.length >= 3);

/** A word, two words, or the first letters of a word as someone types it. */
function question(next: () => number): string {
  const word = () => SEARCHED[Math.floor(next() * SEARCHED.length)] ?? 'server';
  const shape = next();
  if (shape < 0.5) return word();
  if (shape < 0.75) return `${word()} ${word()}`;
  const typed = word();
  return typed.slice(0, Math.max(2, Math.ceil(typed.length / 2)));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(db: Kysely<Schema>): Promise<{ channel: number[]; global: number[] }> {
  const search = new SearchService(db, systemClock);
  const user = await db.selectFrom('users').select('id').orderBy('username').executeTakeFirstOrThrow();
  const channels = await db.selectFrom('channels').select('id').execute();
  const next = random(42);
  const times = { channel: [] as number[], global: [] as number[] };
  for (let i = 0; i < WARM_UP + SEARCHES; i++) {
    const q = question(next);
    const channel = channels[Math.floor(next() * channels.length)]?.id ?? '';
    const started = performance.now();
    if (i % 2 === 0) await search.inChannel(user.id, channel, channelSearchQuery.parse({ q }));
    else await search.everywhere(user.id, messageSearchQuery.parse({ q }));
    if (i >= WARM_UP) times[i % 2 === 0 ? 'channel' : 'global'].push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const name = `chatalot_bench_search_${process.pid}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), 2, pino({ level: 'silent' }));
  try {
    await migrate(database.db);
    await seedPeople(database.db);
    for (let first = 1; first <= MESSAGES; first += BATCH) {
      await seedMessages(database.db, first, Math.min(first + BATCH - 1, MESSAGES));
    }
    await sql`vacuum analyze`.execute(database.db);
    const { channel, global } = await measure(database.db);
    const ms = (values: number[], p: number) =>
      `${percentile(
        [...values].sort((a, b) => a - b),
        p,
      ).toFixed(1)}ms`;
    const all = [...channel, ...global];
    console.log(
      `search  messages=${MESSAGES}  p50=${ms(all, 50)}  p95=${ms(all, 95)}  ` +
        `channel_p95=${ms(channel, 95)}  global_p95=${ms(global, 95)}`,
    );
  } finally {
    await database.close();
    await adminQuery(`drop database if exists ${name} with (force)`);
  }
}

await main();
