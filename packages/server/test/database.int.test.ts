import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../src/platform/db/database.js';
import { MigrationError, migrate, readMigrations } from '../src/platform/db/migrations.js';
import { createTestDatabase, databaseKind, silentLogger } from './harness.js';

const freshDatabase = () => createTestDatabase({ migrated: false });

describe(`migrations (${databaseKind})`, () => {
  it('apply every migration once and do nothing on the next start', async () => {
    const { database, drop } = await freshDatabase();
    try {
      const first = await migrate(database.db);
      expect(first.map((migration) => migration.version)).toEqual(readMigrations().map((m) => m.version));
      expect(await migrate(database.db)).toEqual([]);
      const rows = await database.db.selectFrom('schema_migrations').select('version').execute();
      expect(rows).toHaveLength(first.length);
      const settings = await database.db.selectFrom('instance_settings').selectAll().execute();
      expect(settings.map((row) => row.key).sort()).toEqual([
        'e2e_enabled',
        'max_messages_cache',
        'max_pins_per_channel',
      ]);
    } finally {
      await drop();
    }
  });

  it('are safe when two servers start at the same moment', async () => {
    const { database, url, drop } = await freshDatabase();
    const secondServer = url === null ? database : openPostgres(url, 2, silentLogger);
    try {
      const [a, b] = await Promise.all([migrate(database.db), migrate(secondServer.db)]);
      expect(a.length + b.length).toBe(readMigrations().length);
      expect([a.length, b.length]).toContain(0);
    } finally {
      if (secondServer !== database) await secondServer.close();
      await drop();
    }
  });

  it('refuse a database that a newer release has migrated', async () => {
    const { database, drop } = await createTestDatabase();
    try {
      await database.db
        .insertInto('schema_migrations')
        .values({ version: 9999, name: 'from_the_future', checksum: 'x' })
        .execute();
      await expect(migrate(database.db)).rejects.toThrow(MigrationError);
      await expect(migrate(database.db)).rejects.toThrow(/newer release/);
    } finally {
      await drop();
    }
  });

  it('refuse a migration that was edited after it was applied', async () => {
    const { database, drop } = await createTestDatabase();
    try {
      const edited = readMigrations().map((m) => (m.version === 1 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(database.db, edited)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await drop();
    }
  });

  it('roll back a failing migration completely, leaving no half-applied schema', async () => {
    const { database, drop } = await freshDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'chatalot-migrations-'));
    writeFileSync(
      path.join(dir, '0001_good.sql'),
      'create table good (id int);\ninsert into good values (1);',
    );
    writeFileSync(path.join(dir, '0002_bad.sql'), 'create table bad (id int);\nselect no_such_function();');
    try {
      await expect(migrate(database.db, readMigrations(dir))).rejects.toThrow();
      const tables = await sql<{ name: string }>`
        select table_name as name from information_schema.tables where table_name in ('good', 'bad', 'schema_migrations')
      `.execute(database.db);
      expect(tables.rows).toEqual([]);
    } finally {
      await drop();
    }
  });

  it('reject badly named migration files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatalot-migrations-'));
    writeFileSync(path.join(dir, 'init.sql'), 'select 1;');
    expect(() => readMigrations(dir)).toThrow(/0001_name\.sql/);
  });
});

describe(`transactions (${databaseKind})`, () => {
  it('never swallow an unrelated write issued while a transaction that rolls back is open', async () => {
    const { database, drop } = await createTestDatabase();
    const { db } = database;
    try {
      let unrelated: Promise<unknown> = Promise.resolve();
      await expect(
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('instance_settings')
            .values({ key: 'inside', value: JSON.stringify(1) })
            .execute();
          unrelated = db
            .insertInto('instance_settings')
            .values({ key: 'outside', value: JSON.stringify(2) })
            .execute();
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await unrelated;
      const keys = (await db.selectFrom('instance_settings').select('key').execute()).map((row) => row.key);
      expect(keys).toContain('outside');
      expect(keys).not.toContain('inside');
    } finally {
      await drop();
    }
  });

  it('support savepoints', async () => {
    const { database, drop } = await createTestDatabase();
    try {
      const trx = await database.db.startTransaction().execute();
      await trx.insertInto('instance_settings').values({ key: 'kept', value: '1' }).execute();
      const savepoint = await trx.savepoint('inner').execute();
      await savepoint.insertInto('instance_settings').values({ key: 'undone', value: '2' }).execute();
      await savepoint.rollbackToSavepoint('inner').execute();
      await trx.commit().execute();
      const keys = (await database.db.selectFrom('instance_settings').select('key').execute()).map(
        (row) => row.key,
      );
      expect(keys).toContain('kept');
      expect(keys).not.toContain('undone');
    } finally {
      await drop();
    }
  });
});
