import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Database } from './db/database.js';

/** In-flight requests get this long to finish before their connections are cut. */
const DRAIN_MS = 8_000;
/** A shutdown that hangs past this (a dead database, a stuck socket) ends with exit 1 rather than never. */
export const STOP_DEADLINE_MS = 30_000;

/**
 * On SIGTERM/SIGINT: stop accepting, let in-flight requests finish (cut them after DRAIN_MS), then close
 * the database, which for the embedded one flushes it to disk, and exit 0. Repeated signals are ignored; a
 * shutdown still running after `deadlineMs` exits 1, so that a supervisor can restart the service.
 */
export function stopOnSignals(
  app: FastifyInstance,
  database: Database,
  logger: Logger,
  deadlineMs = STOP_DEADLINE_MS,
): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const cutConnections = setTimeout(() => app.server.closeAllConnections(), DRAIN_MS);
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown did not finish in time');
      process.exit(1);
    }, deadlineMs).unref();
    try {
      await app.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    } finally {
      clearTimeout(cutConnections);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
