import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { runCleanup } from './cleanup.js';
import { POLL_EXPIRY_INTERVAL_MS, runPollExpiry } from './poll-expiry.js';
import { scheduledDelivery } from './scheduled-delivery.js';

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
  let pollTimer: NodeJS.Timeout | undefined;
  const expirePolls = () =>
    runPollExpiry(context).catch((error: unknown) => logger.warn({ err: error }, 'poll expiry failed'));
  app.addHook('onListen', async () => {
    pollTimer = setInterval(expirePolls, POLL_EXPIRY_INTERVAL_MS);
    pollTimer.unref();
  });
  app.addHook('onClose', async () => clearInterval(pollTimer));
  const delivery = scheduledDelivery(context, logger);
  app.addHook('onListen', async () => delivery.start());
  app.addHook('onClose', () => delivery.stop());
}
