import { readFileSync } from 'node:fs';
import { healthResponse } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../src/platform/db/database.js';
import { createTestApp, createTestDatabase, ManualClock, silentLogger } from './harness.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('GET /api/health', () => {
  it('answers 200 with status ok, the version and the uptime while the database answers', async () => {
    const clock = new ManualClock();
    const { app } = await createTestApp({ clock });
    clock.advance(90_500);
    const response = await app.inject('/api/health');
    expect(response.statusCode).toBe(200);
    const body = healthResponse.parse(response.json());
    expect(body).toEqual({ status: 'ok', version, uptime_secs: 90, db_healthy: true });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 with status degraded when the database stops answering', async () => {
    const { database } = await createTestDatabase();
    const { app } = await createTestApp({ database });
    expect((await app.inject('/api/health')).statusCode).toBe(200);
    await database.close();
    const response = await app.inject('/api/health');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'degraded', db_healthy: false });
  });

  it('answers 503 when the PostgreSQL server cannot be reached', async () => {
    const unreachable = openPostgres('postgres://postgres@127.0.0.1:1/none', 1, silentLogger);
    const { app } = await createTestApp({ database: unreachable });
    const response = await app.inject('/api/health');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'degraded', db_healthy: false });
    await unreachable.close();
  });
});
