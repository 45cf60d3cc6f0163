import type { HealthResponse } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { fetchHealth } from './health';

const healthy: HealthResponse = { status: 'ok', version: '1.2.3', uptime_secs: 42, db_healthy: true };
const degraded: HealthResponse = { status: 'degraded', version: '1.2.3', uptime_secs: 42, db_healthy: false };

function answer(body: unknown, status: number): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status });
}

describe('fetchHealth', () => {
  it('reports ok for a healthy 200 answer', async () => {
    expect(await fetchHealth(answer(healthy, 200))).toEqual({ kind: 'ok', health: healthy });
  });

  it('reports degraded for a 503 answer with a health body', async () => {
    expect(await fetchHealth(answer(degraded, 503))).toEqual({ kind: 'degraded', health: degraded });
  });

  it('reports unreachable for other errors, bad bodies and network failures', async () => {
    const error = { error: { code: 'internal_error', message: 'an internal error occurred' } };
    expect(await fetchHealth(answer(error, 500))).toEqual({ kind: 'unreachable' });
    expect(await fetchHealth(answer({ status: 'ok' }, 200))).toEqual({ kind: 'unreachable' });
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchHealth(offline)).toEqual({ kind: 'unreachable' });
  });
});
