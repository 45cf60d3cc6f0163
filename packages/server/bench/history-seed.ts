import type pg from 'pg';

/**
 * Seeds the history and search benchmark's data straight into PostgreSQL, in SQL that works on every schema
 * since migration 0005 (so the same data can be put before an older build): a community with CHANNELS text
 * channels, SENDERS members plus the reader, and `messages` messages of which 2/3 are in the first ("big")
 * channel. To be fast, the secondary indexes of `messages` are dropped while it is filled and rebuilt from
 * their own definitions afterwards, and foreign-key triggers are skipped (the data is consistent by
 * construction).
 */
const CHANNELS = 10;
const SENDERS = 50;
/** Distinct message bodies, drawn from VOCABULARY with a long-tailed (Zipf-like) skew. */
const BODIES = 5_000;

/** Chat words, most common first. */
export const VOCABULARY =
  `the a to and is it you i that of in for on this we be have with are not just can so but do
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

export interface Seeded {
  bigChannelId: string;
  messagesInBig: number;
  /** How long each phase took, e.g. `rows 31.2s`. */
  phases: string[];
}

/** People and channels; `readerId` (a registered user) becomes a member of everything. */
async function seedPeople(db: pg.Client, readerId: string): Promise<void> {
  await db.query(
    `insert into users (id, username, display_name, email, password_hash)
      select gen_random_uuid(), 'hist_' || n, 'History ' || n, 'hist' || n || '@example.org', 'x'
      from generate_series(1, $1::int) n`,
    [SENDERS],
  );
  await db.query(`insert into communities (id, name) values (gen_random_uuid(), 'History bench')`);
  await db.query(
    `insert into groups (id, name, community_id) select gen_random_uuid(), 'General', id from communities`,
  );
  await db.query(
    `insert into channels (id, name, channel_type, group_id)
      select gen_random_uuid(), 'history-' || lpad(n::text, 2, '0'), 'text', (select id from groups)
      from generate_series(1, $1::int) n`,
    [CHANNELS],
  );
  const members = `select id from users where username like 'hist\\_%' or id = $1`;
  await db.query(
    `insert into community_members (community_id, user_id) select c.id, u.id from communities c, (${members}) u`,
    [readerId],
  );
  await db.query(
    `insert into group_members (group_id, user_id) select g.id, u.id from groups g, (${members}) u`,
    [readerId],
  );
  await db.query(
    `insert into channel_members (channel_id, user_id) select c.id, u.id from channels c, (${members}) u`,
    [readerId],
  );
}

/**
 * Messages 1..total, 20 seconds apart up to now, with time-ordered (UUIDv7-shaped) ids like the send path's;
 * n % 3 ≠ 0 go to the big channel, the others round robin to the rest; every 5th is end-to-end encrypted (no
 * search text), every 25th a file.
 */
async function seedMessages(db: pg.Client, total: number): Promise<void> {
  await db.query(
    `with bodies as (
        select i, string_agg(($2::text[])[1 + floor(power(random(), 2.5) * array_length($2::text[], 1))::int], ' ') as body
        from generate_series(0, $3::int - 1) i, generate_series(1, 3 + (i * 7) % 14) w
        group by i),
      ch as (select array_agg(id order by name) as ids from channels where name like 'history-%'),
      us as (select array_agg(id order by username) as ids from users where username like 'hist\\_%')
    insert into messages (id, channel_id, sender_id, ciphertext, nonce, message_type, search_text, created_at)
    select
      (lpad(to_hex((extract(epoch from t.at) * 1000)::bigint), 12, '0') || '7' || substr(t.hash, 1, 3)
        || to_hex(8 + n % 4) || substr(t.hash, 4, 15))::uuid,
      case when n % 3 <> 0 then ch.ids[1] else ch.ids[2 + (n / 3) % (array_length(ch.ids, 1) - 1)] end,
      us.ids[1 + n % array_length(us.ids, 1)],
      case when n % 5 = 0 then '\\x00112233445566778899aabbccddeeff'::bytea else convert_to(b.body, 'UTF8') end,
      '\\x000102030405060708090a0b'::bytea,
      case when n % 25 = 0 then 'file' else 'text' end,
      case when n % 5 = 0 then null else b.body end,
      t.at
    from generate_series(1, $1::int) n
    cross join ch cross join us
    cross join lateral (select now() - ($1::int - n) * interval '20 seconds' as at, md5(n::text) as hash) t
    join bodies b on b.i = n % $3::int`,
    [total, VOCABULARY, BODIES],
  );
}

/** Seeds everything; returns the big channel and how long each phase took. */
export async function seed(db: pg.Client, readerId: string, total: number): Promise<Seeded> {
  await seedPeople(db, readerId);
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
      from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = 'messages'::regclass and not x.indisprimary`,
  );
  await db.query(`set maintenance_work_mem = '256MB'`);
  // Skipping the foreign-key triggers needs a superuser; without one they just run.
  await db.query('set session_replication_role = replica').catch(() => undefined);
  const phases: string[] = [];
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    phases.push(`${name} ${((performance.now() - started) / 1000).toFixed(1)}s`);
  };
  for (const index of indexes) await db.query(`drop index ${index.name}`);
  await timed('rows', () => seedMessages(db, total));
  await db.query('reset session_replication_role');
  await timed(`${indexes.length} indexes`, async () => {
    for (const index of indexes) await db.query(index.definition);
  });
  await timed('vacuum analyze', () => db.query('vacuum analyze'));
  const { rows } = await db.query<{ id: string; count: string }>(
    `select c.id, count(*) as count from channels c join messages m on m.channel_id = c.id
      where c.name = 'history-01' group by c.id`,
  );
  return { bigChannelId: rows[0]?.id ?? '', messagesInBig: Number(rows[0]?.count ?? 0), phases };
}
