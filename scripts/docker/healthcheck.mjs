// The container's health check: healthy only when the server answers and so does its database.
// `/api/health` answers 503 with db_healthy false when PostgreSQL is unreachable; the body is checked
// too, so a proxy or an older server answering 200 with "degraded" is not taken for healthy.
const listenAddr = process.env.LISTEN_ADDR ?? '0.0.0.0:8080';
const colon = listenAddr.lastIndexOf(':');
const host = listenAddr.slice(0, colon).replace(/^\[|\]$/g, '');
const port = listenAddr.slice(colon + 1);
const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

try {
  const response = await fetch(`http://${target}:${port}/api/health`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.json();
  if (response.status !== 200 || body.db_healthy !== true) {
    console.error(`unhealthy: HTTP ${response.status}, db_healthy ${body.db_healthy}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
