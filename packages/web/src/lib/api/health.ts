import type { HealthResponse } from '@chatalot/protocol';

export type HealthResult = { kind: 'ok' | 'degraded'; health: HealthResponse } | { kind: 'unreachable' };

export const HEALTH_URL = '/api/health';
const TIMEOUT_MS = 5_000;
const SERVICE_UNAVAILABLE = 503;

/** The shape check of `healthResponse`, by hand: the schema library would triple the sign-in page's script. */
function isHealth(body: unknown): body is HealthResponse {
  if (typeof body !== 'object' || body === null) return false;
  const health = body as Record<string, unknown>;
  return (
    (health.status === 'ok' || health.status === 'degraded') &&
    typeof health.version === 'string' &&
    typeof health.uptime_secs === 'number' &&
    typeof health.db_healthy === 'boolean'
  );
}

/** Asks the server how it is doing; any network, HTTP or shape failure counts as unreachable. */
export async function fetchHealth(fetchFn: typeof fetch = fetch): Promise<HealthResult> {
  try {
    const response = await fetchFn(HEALTH_URL, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok && response.status !== SERVICE_UNAVAILABLE) return { kind: 'unreachable' };
    const body: unknown = await response.json();
    if (!isHealth(body)) return { kind: 'unreachable' };
    const degraded = response.status === SERVICE_UNAVAILABLE || body.status === 'degraded';
    return { kind: degraded ? 'degraded' : 'ok', health: body };
  } catch {
    return { kind: 'unreachable' };
  }
}
