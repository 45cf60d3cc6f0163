import { type HealthResponse, healthResponse } from '@chatalot/protocol';

export type HealthResult = { kind: 'ok' | 'degraded'; health: HealthResponse } | { kind: 'unreachable' };

export const HEALTH_URL = '/api/health';
const TIMEOUT_MS = 5_000;
const SERVICE_UNAVAILABLE = 503;

/** Asks the server how it is doing; any network, HTTP or shape failure counts as unreachable. */
export async function fetchHealth(fetchFn: typeof fetch = fetch): Promise<HealthResult> {
  try {
    const response = await fetchFn(HEALTH_URL, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok && response.status !== SERVICE_UNAVAILABLE) return { kind: 'unreachable' };
    const parsed = healthResponse.safeParse(await response.json());
    if (!parsed.success) return { kind: 'unreachable' };
    const body = parsed.data;
    const degraded = response.status === SERVICE_UNAVAILABLE || body.status === 'degraded';
    return { kind: degraded ? 'degraded' : 'ok', health: body };
  } catch {
    return { kind: 'unreachable' };
  }
}
