import type { HealthResponse } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.js';
import { serverVersion } from '../../platform/version.js';

export interface HealthDeps {
  database: Database;
  startedAt: number;
  now: () => number;
}

/** `GET /api/health`: 200 when the database answers, 503 when it does not (the reference always said 200). */
export function healthRoutes(deps: HealthDeps) {
  return async (app: FastifyInstance) => {
    app.get('/api/health', async (_request, reply) => {
      const dbHealthy = await deps.database.ping();
      const body: HealthResponse = {
        status: dbHealthy ? 'ok' : 'degraded',
        version: serverVersion,
        uptime_secs: Math.max(0, Math.floor((deps.now() - deps.startedAt) / 1000)),
        db_healthy: dbHealthy,
      };
      return reply
        .code(dbHealthy ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(body);
    });
  };
}
