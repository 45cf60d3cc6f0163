import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type Database, pgliteOptions, wrapPGlite } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrations.js';
import { createTestDatabase, databaseKind, fixturesDir, temporaryDir } from './harness.js';
import { exitOf, spawnServer, startServer } from './server-process.js';

const staticDir = path.join(fixturesDir, 'static');

/** The server's database: the embedded one in DATA_DIR, or a fresh PostgreSQL database. */
async function serverDatabase(dataDir: string): Promise<{
  env: Record<string, string>;
  open: () => Promise<Database>;
  drop: () => Promise<void>;
}> {
  if (databaseKind === 'embedded') {
    const open = async () => wrapPGlite(await PGlite.create(path.join(dataDir, 'db'), pgliteOptions));
    return { env: {}, open, drop: async () => {} };
  }
  const testDatabase = await createTestDatabase({ migrated: false });
  return {
    env: { DATABASE_URL: testDatabase.url ?? '' },
    open: async () => testDatabase.database,
    drop: testDatabase.drop,
  };
}

async function withDatabase<T>(
  open: () => Promise<Database>,
  use: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await open();
  try {
    return await use(database);
  } finally {
    if (databaseKind === 'embedded') await database.close();
  }
}

describe(`the server process (${databaseKind})`, () => {
  it('stops at once with one line naming a bad variable', async () => {
    const child = spawnServer({ DATA_DIR: temporaryDir(), MAX_FILE_SIZE_MB: 'lots' });
    expect(await exitOf(child)).not.toBe(0);
    const lines = child.text().trim().split('\n');
    expect(lines).toEqual([
      'chatalot: configuration error: MAX_FILE_SIZE_MB must be a whole number from 1 to 10000 (got "lots")',
    ]);
  });

  it('serves the API and the web client, exits 0 on SIGTERM and keeps its data across a restart', async () => {
    const dataDir = temporaryDir();
    const database = await serverDatabase(dataDir);
    const env = { DATA_DIR: dataDir, STATIC_FILES_PATH: staticDir, ...database.env };
    try {
      const server = await startServer(env);
      expect(server.output()).toContain(`"database":"${databaseKind}"`);
      const health = await fetch(`${server.baseUrl}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', db_healthy: true });
      const page = await fetch(`${server.baseUrl}/`);
      expect(await page.text()).toContain('Chatalot test shell');
      const missing = await fetch(`${server.baseUrl}/api/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

      const stopped = await server.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);

      await withDatabase(database.open, async ({ db }) => {
        const migrations = await db.selectFrom('schema_migrations').select('version').execute();
        expect(migrations.length).toBeGreaterThan(0);
        await db
          .insertInto('instance_settings')
          .values({ key: 'written_between_runs', value: '42' })
          .execute();
      });

      const restarted = await startServer(env);
      expect(restarted.output()).not.toContain('database migrated');
      expect((await fetch(`${restarted.baseUrl}/api/health`)).status).toBe(200);
      expect((await restarted.stop('SIGINT')).code).toBe(0);

      const kept = await withDatabase(database.open, ({ db }) =>
        db
          .selectFrom('instance_settings')
          .select('value')
          .where('key', '=', 'written_between_runs')
          .executeTakeFirst(),
      );
      expect(kept?.value).toBe(42);
    } finally {
      await database.drop();
    }
  });

  it('refuses to start on a database that a newer release has migrated', async () => {
    const dataDir = temporaryDir();
    const database = await serverDatabase(dataDir);
    try {
      await withDatabase(database.open, async ({ db }) => {
        await migrate(db);
        await sql`insert into schema_migrations (version, name, checksum) values (9999, 'future', 'x')`.execute(
          db,
        );
      });
      const child = spawnServer({ DATA_DIR: dataDir, ...database.env });
      expect(await exitOf(child)).toBe(1);
      expect(child.text()).toContain('chatalot: database error: the database has migration 9999');
    } finally {
      await database.drop();
    }
  });
});
