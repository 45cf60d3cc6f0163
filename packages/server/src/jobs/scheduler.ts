import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { runCleanup } from './cleanup.js';

const CLEANUP_INTERVAL_MS = 5 * 60_000;

/** Runs the background jobs while the app is up; they stop when it closes. */
export function scheduleJobs(app: FastifyInstance, context: AppContext, logger: FastifyBaseLogger): void {
  let timer: NodeJS.Timeout | undefined;
  const cleanup = async () => {
    try {
      const counts = await runCleanup(context.db, context.clock);
      if (counts && Object.values(counts).some((count) => count > 0))
        logger.info({ counts }, 'cleanup removed rows');
    } catch (error) {
      logger.warn({ err: error }, 'cleanup failed');
    }
  };
  app.addHook('onListen', async () => {
    timer = setInterval(cleanup, CLEANUP_INTERVAL_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
