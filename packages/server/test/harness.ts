import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { afterAll, inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import type { Clock } from '../src/platform/clock.js';
import { type Database, openPostgres, pgliteOptions, wrapPGlite } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrations.js';
import { type DomainEvent, InProcessHub } from '../src/platform/events/hub.js';
import { loadSecrets } from '../src/platform/secrets.js';
import type { GatewayOptions } from '../src/realtime/gateway.js';

export const silentLogger = pino({ level: 'silent' });
export const fixturesDir = path.resolve(import.meta.dirname, 'fixtures');

/** Set to run the suite against a real PostgreSQL; each test file then gets a database of its own. */
const adminUrl = process.env.TEST_DATABASE_URL;
export const databaseKind = adminUrl ? 'postgres' : 'embedded';

export interface TestDatabase {
  database: Database;
  /** A `DATABASE_URL` for a server process (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

/** A fresh, migrated database: a copy of the PGlite template, or a new PostgreSQL database. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  if (adminUrl) return createPostgresDatabase(adminUrl, migrated);
  const pglite = migrated
    ? await PGlite.create({
        ...pgliteOptions,
        loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]),
      })
    : await PGlite.create(pgliteOptions);
  const database = wrapPGlite(pglite);
  return { database, url: null, drop: () => database.close() };
}

async function createPostgresDatabase(admin: string, migrated: boolean): Promise<TestDatabase> {
  const name = `chatalot_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(admin, `create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), 5, silentLogger);
  if (migrated) await migrate(database.db);
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await adminQuery(admin, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(admin: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function temporaryDir(prefix = 'chatalot-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    DATA_DIR: temporaryDir(),
    STATIC_FILES_PATH: path.join(fixturesDir, 'static'),
    REGISTRATION_MODE: 'open',
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Readonly<Config>;
  /** Every domain event the app published, in order. */
  events: DomainEvent[];
  hub: InProcessHub;
}

/** Builds the app on a fresh database; everything is closed after the file's tests. */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    database?: Database;
    /** Routes that exist only for a test, added before the app is ready. */
    testRoutes?: (app: FastifyInstance) => void;
    gateway?: Partial<GatewayOptions>;
  } = {},
): Promise<TestApp> {
  const testDatabase = options.database ? null : await createTestDatabase();
  const database = options.database ?? (testDatabase as TestDatabase).database;
  const config = testConfig(options.env);
  const hub = new InProcessHub((error) => {
    throw error;
  });
  const events: DomainEvent[] = [];
  hub.subscribe((event) => events.push(withoutSequence(event)));
  const app = await buildApp({
    config,
    database,
    hub,
    secrets: loadSecrets(config),
    logger: silentLogger,
    ...(options.clock && { clock: options.clock }),
    ...(options.gateway && { gateway: options.gateway }),
  });
  options.testRoutes?.(app);
  await app.ready();
  afterAll(async () => {
    await app.close();
    await testDatabase?.drop();
  });
  return { app, database, config, events, hub };
}

/** Domain tests check what was emitted; the event log's numbering is the gateway tests' concern. */
function withoutSequence(event: DomainEvent): DomainEvent {
  if (event.kind === 'frame') {
    const { seq: _seq, json: _json, ...rest } = event;
    return rest;
  }
  if (event.kind === 'access_revoked') {
    const { untilSeq: _untilSeq, ...rest } = event;
    return rest;
  }
  return event;
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
