import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rest } from '../../e2e/support/rest.js';
import { editJson, placeUploads, repack } from './support/backup-files.js';
import { chatalot, createDatabase, startCompiledServer, temporaryDir } from './support/backup-processes.js';
import { type SeededInstance, seedInstance, signInWithTotp } from './support/backup-seed.js';
import { hashTree, rowCount, snapshotEmbedded, snapshotPostgres } from './support/backup-snapshot.js';

const cleanups: Array<() => unknown> = [];
const source = temporaryDir(cleanups);
const sourceEnv = { DATA_DIR: source, REGISTRATION_MODE: 'open' };
const archive = path.join(temporaryDir(cleanups), 'instance.tar.gz');
let seeded: SeededInstance;

beforeAll(async () => {
  const server = await startCompiledServer(sourceEnv);
  try {
    seeded = await seedInstance(server.baseUrl);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  placeUploads(path.join(source, 'files'));
  const exported = await chatalot(['export', archive], sourceEnv);
  expect(exported.stderr).toBe('');
  expect(exported.stdout).toMatch(/^exported \d+ tables \(\d+ rows\), 3 files and 3 secrets/);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An empty PostgreSQL database and data directory to import into. */
async function emptyTarget() {
  const database = await createDatabase();
  cleanups.push(database.drop);
  const dataDir = path.join(temporaryDir(cleanups), 'data');
  return {
    database,
    dataDir,
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url, REGISTRATION_MODE: 'open' },
  };
}

async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('chatalot export / import: an embedded instance moves onto PostgreSQL', () => {
  it('writes the archive for its owner only', () => {
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(archive))).toEqual(['instance.tar.gz']);
  });

  it('brings back every row, file and secret, and the server on PostgreSQL serves them', async () => {
    const target = await emptyTarget();
    const imported = await chatalot(['import', archive], target.env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);

    const before = await snapshotEmbedded(source, { ignoreMigrationTimes: true });
    expect(rowCount(before)).toBeGreaterThan(40);
    expect(before.messages).toHaveLength(4);
    expect(await snapshotPostgres(target.database.url, { ignoreMigrationTimes: true })).toEqual(before);
    expect(hashTree(path.join(target.dataDir, 'files'))).toEqual(hashTree(path.join(source, 'files')));
    expect(hashTree(path.join(target.dataDir, 'secrets'))).toEqual(hashTree(path.join(source, 'secrets')));
    for (const name of readdirSync(path.join(target.dataDir, 'secrets'))) {
      expect(statSync(path.join(target.dataDir, 'secrets', name)).mode & 0o777).toBe(0o600);
    }

    const again = await chatalot(['import', archive], target.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^chatalot import: the target database is not empty \(table \w+ has rows\)/);

    const server = await startCompiledServer(target.env);
    try {
      const rest = new Rest(server.baseUrl);
      const alice = await rest.login(seeded.alice.username, seeded.alice.password);
      expect(await rest.api('GET', `/api/channels/${seeded.channelId}/messages`, alice)).toEqual(
        seeded.history,
      );
      const dms = await rest.api<Array<{ channel: { id: string } }>>('GET', '/api/dms', alice);
      expect(dms.map((dm) => dm.channel.id)).toEqual([seeded.dmChannelId]);
      const carol = await signInWithTotp(server.baseUrl, seeded.carol);
      expect(carol.user.id).toBe(seeded.carol.user.id);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses to export while the server holds the embedded database', async () => {
    const server = await startCompiledServer(sourceEnv);
    const busy = path.join(path.dirname(archive), 'busy.tar.gz');
    try {
      const refused = await chatalot(['export', busy], sourceEnv);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is in use by a running Chatalot server');
      expect(existsSync(busy)).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      'truncated',
      (into: string) => writeFileSync(into, readFileSync(archive).subarray(0, 20_000)),
      /not a readable export/,
    ],
    [
      'altered',
      (into: string) =>
        repack(archive, into, (dir) => appendFileSync(path.join(dir, 'tables/messages.jsonl'), '{}\n')),
      /is damaged: tables\/messages\.jsonl does not match its checksum/,
    ],
    [
      'from a newer release',
      (into: string) =>
        repack(archive, into, (dir) =>
          editJson(path.join(dir, 'manifest.json'), (manifest) => {
            (manifest.schema as unknown[]).push({ version: 999, name: 'future', checksum: 'x' });
          }),
        ),
      /newer than this release/,
    ],
  ])('refuses an archive that is %s and leaves the target untouched', async (_, make, message) => {
    const target = await emptyTarget();
    const bad = path.join(path.dirname(archive), 'bad.tar.gz');
    make(bad);
    const refused = await chatalot(['import', bad], target.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(message);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(await tableCount(target.database.url)).toBe(0);
    expect(existsSync(target.dataDir)).toBe(false);
  });
});
