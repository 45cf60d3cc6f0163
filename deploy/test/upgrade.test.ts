import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Rest } from '../../e2e/support/rest.js';
import { openPostgres, pgliteOptions, wrapPGlite } from '../../packages/server/src/platform/db/database.js';
import { migrate, readMigrations } from '../../packages/server/src/platform/db/migrations.js';
import { createLogger } from '../../packages/server/src/platform/logging.js';
import { createDatabase, startCompiledServer, temporaryDir } from './support/backup-processes.js';

const fixturesDir = path.join(import.meta.dirname, 'fixtures/upgrade');
const migrations = readMigrations();
const head = migrations.length;
const fixture = (level: number) =>
  readFileSync(path.join(fixturesDir, `${String(level).padStart(4, '0')}.sql`), 'utf8');
const id = (suffix: string) => `01900000-0000-7000-8000-${suffix.padStart(12, '0')}`;
const ids = { channel: id('e1'), first: id('f1'), reply: id('f2'), poll: id('f4') };
const cleanups: Array<() => unknown> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A database as a release whose newest migration is `level` left it: each level's schema, then its data. */
async function databaseAtLevel(level: number): Promise<string> {
  const { url, drop } = await createDatabase();
  cleanups.push(drop);
  const database = openPostgres(url, 1, createLogger('silent'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let step = 1; step <= level; step += 1) {
      await migrate(database.db, migrations.slice(0, step));
      await client.query(fixture(step));
    }
  } finally {
    await client.end();
    await database.close();
  }
  return url;
}

/** The same, as an embedded database in a data directory (the default a self-hoster starts with). */
async function embeddedAtLevel(level: number): Promise<string> {
  const dataDir = temporaryDir(cleanups);
  const pglite = await PGlite.create(path.join(dataDir, 'db'), pgliteOptions);
  const database = wrapPGlite(pglite);
  try {
    for (let step = 1; step <= level; step += 1) {
      await migrate(database.db, migrations.slice(0, step));
      await pglite.exec(fixture(step));
    }
  } finally {
    await database.close();
  }
  return dataDir;
}

type Query = <T>(text: string) => Promise<T[]>;

function postgresQuery(url: string): Query {
  return async <T>(text: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  };
}

/** Reads an embedded database once its server has stopped (PGlite is single-process). */
function embeddedQuery(dataDir: string): Query {
  return async <T>(text: string) => {
    const pglite = await PGlite.create(path.join(dataDir, 'db'), pgliteOptions);
    try {
      return (await pglite.query<T>(text)).rows;
    } finally {
      await pglite.close();
    }
  };
}

/** What each level's fixture wrote that only the database shows, read after the server has stopped. */
async function checkStored(query: Query, level: number): Promise<void> {
  const [pins] = await query<{ value: number }>(
    "select value from instance_settings where key = 'max_pins_per_channel'",
  );
  expect(pins?.value).toBe(25);
  const [applied] = await query<{ n: number }>('select count(*)::int as n from schema_migrations');
  expect(applied?.n).toBe(head);
  if (level < 4) return;
  const frames = await query<{ frame: string }>('select frame from channel_events order by seq');
  const topics = frames.map((row) => (JSON.parse(row.frame) as { topic: string }).topic);
  expect(topics).toEqual(level < 6 ? ['first', 'second'] : ['first', 'second', 'third']);
}

/** What each level's fixture wrote, checked the way a member would see it after the upgrade. */
async function checkThroughApi(baseUrl: string, level: number): Promise<void> {
  if (level < 2) return;
  const rest = new Rest(baseUrl);
  const alice = await rest.login('alice', 'Correct-Horse-9');
  expect(alice.user).toMatchObject({ id: id('a'), display_name: 'Alice', is_owner: true });
  if (level < 3) return;
  const communities = await rest.api<Array<{ name: string }>>('GET', '/api/communities', alice);
  expect(communities.map((community) => community.name)).toEqual(['Old Town']);
  expect(await rest.api('GET', `/api/channels/${ids.channel}`, alice)).toMatchObject({
    topic: 'Kept across upgrades',
  });
  if (level < 5) return;
  const history = await rest.api<Array<Record<string, unknown>>>(
    'GET',
    `/api/channels/${ids.channel}/messages`,
    alice,
  );
  const byId = new Map(history.map((message) => [message.id, message]));
  expect(byId.get(ids.first)).toMatchObject({
    ciphertext: [...Buffer.from('hello')],
    reactions: [{ emoji: '👍' }],
  });
  expect(byId.get(ids.reply)).toMatchObject({ reply_to_id: ids.first, edited_at: expect.any(String) });
  const pinned = await rest.api<Array<{ id?: string; message_id?: string }>>(
    'GET',
    `/api/channels/${ids.channel}/pins`,
    alice,
  );
  expect(JSON.stringify(pinned)).toContain(ids.first);
  expect(await rest.api('GET', `/api/polls/${ids.poll}`, alice)).toMatchObject({ question: 'Upgrade now?' });
}

/** Starts the compiled server on an old database: it applies exactly the newer migrations and serves the data. */
async function upgradeAndCheck(env: Record<string, string>, level: number): Promise<void> {
  const server = await startCompiledServer(env);
  try {
    const pending = migrations.slice(level).map((migration) => migration.version);
    expect(server.output()).toContain(`"migrations":${JSON.stringify(pending)}`);
    await checkThroughApi(server.baseUrl, level);
  } finally {
    expect(await server.stop()).toBe(0);
  }
}

describe('upgrades from every earlier schema level, with data in it', () => {
  it('has a fixture for every migration, so the next release is tested from this one', () => {
    const expected = migrations.map((migration) => `${String(migration.version).padStart(4, '0')}.sql`);
    expect(readdirSync(fixturesDir).filter((name) => name.endsWith('.sql'))).toEqual(expected);
  });

  it.each(migrations.slice(0, -1).map((migration) => migration.version))(
    'a database at level %i: the server migrates it to the newest level and serves the old data',
    async (level) => {
      const url = await databaseAtLevel(level);
      await upgradeAndCheck({ DATABASE_URL: url, DATA_DIR: temporaryDir(cleanups) }, level);
      await checkStored(postgresQuery(url), level);
    },
  );

  it.each([1, head - 1])(
    'an embedded database at level %i: the server migrates it to the newest level and serves the old data',
    async (level) => {
      const dataDir = await embeddedAtLevel(level);
      await upgradeAndCheck({ DATA_DIR: dataDir }, level);
      await checkStored(embeddedQuery(dataDir), level);
    },
  );
});
