import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rest } from '../../e2e/support/rest.js';
import { placeUploads } from './support/backup-files.js';
import {
  createDatabase,
  repoRoot,
  script,
  startCompiledServer,
  temporaryDir,
} from './support/backup-processes.js';
import { type SeededInstance, seedInstance, signInWithTotp } from './support/backup-seed.js';
import { hashTree, rowCount, snapshotPostgres } from './support/backup-snapshot.js';

const cleanups: Array<() => unknown> = [];
const work = temporaryDir(cleanups);
const sourceDir = path.join(work, 'source');
const backupDir = path.join(work, 'backups');
const envFile = path.join(work, 'source.env');
const migrationCount = readdirSync(path.join(repoRoot, 'packages/server/migrations')).length;
let sourceUrl: string;
let seeded: SeededInstance;
let backup: string;

beforeAll(async () => {
  const database = await createDatabase();
  cleanups.push(database.drop);
  sourceUrl = database.url;
  writeFileSync(envFile, 'REGISTRATION_MODE=open\nPUBLIC_URL=https://chat.example.org\n');
  const server = await startCompiledServer({
    DATA_DIR: sourceDir,
    DATABASE_URL: sourceUrl,
    REGISTRATION_MODE: 'open',
  });
  try {
    seeded = await seedInstance(server.baseUrl);
    placeUploads(path.join(sourceDir, 'files'));
    // Taken while the server runs, as a nightly cron job would.
    const made = await script('backup.sh', [], sourceEnv(backupDir));
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  backup = path.join(backupDir, readdirSync(backupDir)[0] ?? '');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function sourceEnv(into: string, extra: Record<string, string> = {}) {
  return { DATABASE_URL: sourceUrl, DATA_DIR: sourceDir, ENV_FILE: envFile, BACKUP_DIR: into, ...extra };
}

async function emptyTarget() {
  const database = await createDatabase();
  cleanups.push(database.drop);
  const dir = path.join(temporaryDir(cleanups), 'restored');
  const env = { DATABASE_URL: database.url, DATA_DIR: dir, ENV_FILE: path.join(dir, '..', '.env') };
  return { url: database.url, dir, env };
}

async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query("select count(*)::int as n from pg_tables where schemaname = 'public'"))
      .rows[0].n;
  } finally {
    await client.end();
  }
}

describe('scripts/backup.sh and scripts/restore.sh (PostgreSQL)', () => {
  it('write the dump, files, secrets and .env with a manifest, for the owner only', () => {
    expect(path.basename(backup)).toMatch(/^\d{8}T\d{6}Z$/);
    expect(readdirSync(backup).sort()).toEqual([
      'SHA256SUMS',
      'backup.info',
      'database.dump',
      'env',
      'files.tar.gz',
      'secrets.tar.gz',
    ]);
    expect(statSync(backup).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(backup, 'backup.info'), 'utf8')).toContain(
      `kind=postgres\nschema_version=${migrationCount}\n`,
    );
    expect(readFileSync(path.join(backup, 'SHA256SUMS'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('restore into an empty database and data directory: every row and file, and the server serves them', async () => {
    const target = await emptyTarget();
    const restored = await script('restore.sh', [backup], target.env);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);

    const before = await snapshotPostgres(sourceUrl);
    expect(rowCount(before)).toBeGreaterThan(40);
    expect(await snapshotPostgres(target.url)).toEqual(before);
    expect(hashTree(path.join(target.dir, 'files'))).toEqual(hashTree(path.join(sourceDir, 'files')));
    expect(Object.keys(hashTree(path.join(target.dir, 'files')))).toHaveLength(3);
    expect(hashTree(path.join(target.dir, 'secrets'))).toEqual(hashTree(path.join(sourceDir, 'secrets')));
    expect(statSync(path.join(target.dir, 'secrets', 'totp_encryption_key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(target.env.ENV_FILE, 'utf8')).toBe(readFileSync(envFile, 'utf8'));

    const server = await startCompiledServer({ DATABASE_URL: target.url, DATA_DIR: target.dir });
    try {
      const rest = new Rest(server.baseUrl);
      const alice = await rest.login(seeded.alice.username, seeded.alice.password);
      expect(await rest.api('GET', `/api/channels/${seeded.channelId}/messages`, alice)).toEqual(
        seeded.history,
      );
      const carol = await signInWithTotp(server.baseUrl, seeded.carol);
      expect(carol.user.id).toBe(seeded.carol.user.id);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('restore refuses a damaged backup and a database that is not empty, and changes nothing', async () => {
    const damaged = path.join(temporaryDir(cleanups), 'damaged');
    cpSync(backup, damaged, { recursive: true });
    const files = path.join(damaged, 'files.tar.gz');
    const bytes = readFileSync(files);
    const middle = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(files, bytes);
    const target = await emptyTarget();
    const refused = await script('restore.sh', [damaged], target.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is damaged (checksums differ)');
    expect(await tableCount(target.url)).toBe(0);

    const occupied = await script('restore.sh', [backup], { ...target.env, DATABASE_URL: sourceUrl });
    expect(occupied.code).not.toBe(0);
    expect(occupied.stderr).toMatch(
      /the database already has \d+ tables: restore into a new, empty database/,
    );
    expect(hashTree(target.dir)).toEqual({});
  });

  it('backup keeps the newest BACKUP_KEEP and never leaves a half backup', async () => {
    const dir = path.join(temporaryDir(cleanups), 'rotating');
    const old = ['20240101T000000Z', '20240102T000000Z', '20240103T000000Z'];
    for (const name of old) mkdirSync(path.join(dir, name), { recursive: true });

    const failed = await script(
      'backup.sh',
      [],
      sourceEnv(dir, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('backup: pg_dump failed');
    expect(readdirSync(dir).sort()).toEqual(old);

    const made = await script('backup.sh', [], sourceEnv(dir, { BACKUP_KEEP: '2' }));
    expect(made.code).toBe(0);
    const kept = readdirSync(dir).sort();
    expect(kept).toHaveLength(2);
    expect(kept[0]).toBe('20240103T000000Z');
    expect(made.stdout).toContain(`removed ${path.join(dir, '20240101T000000Z')}`);
  });
});
