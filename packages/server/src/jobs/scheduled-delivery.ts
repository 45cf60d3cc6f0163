import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import { type DeliveryReport, ScheduledService } from '../domains/scheduled/scheduled.service.js';

/** How often due scheduled messages are looked for: a message goes out at most this late. */
export const DELIVERY_INTERVAL_MS = 2_000;

export type DeliveryContext = Pick<AppContext, 'config' | 'database' | 'db' | 'hub' | 'clock'>;

/**
 * Delivers the scheduled messages due now (rest-api.md §13, websocket.md §7.2): exactly once, even with
 * several processes on one PostgreSQL database. Items are claimed under locks only where another process
 * could run and a spare connection exists for the sends (see `ScheduledService.deliverDue`).
 */
export async function deliverScheduledMessages(
  context: DeliveryContext,
  logger: FastifyBaseLogger,
): Promise<DeliveryReport[]> {
  const service = new ScheduledService(context.db, context.hub, context.clock);
  const exclusive = context.database.kind === 'postgres' && context.config.databasePoolSize > 1;
  const reports = await service.deliverDue(exclusive);
  for (const report of reports) logReport(logger, report);
  return reports;
}

function logReport(logger: FastifyBaseLogger, report: DeliveryReport): void {
  if (report.outcome === 'delivered') logger.debug({ scheduledId: report.id }, 'scheduled message delivered');
  else if (report.outcome === 'dropped')
    logger.debug({ scheduledId: report.id, reason: report.reason }, 'scheduled message dropped');
  else
    logger.warn(
      { scheduledId: report.id, err: report.error },
      'scheduled message delivery failed; will retry',
    );
}

/** Runs the delivery every `DELIVERY_INTERVAL_MS` while started; a run never overlaps the previous one. */
export function scheduledDelivery(context: DeliveryContext, logger: FastifyBaseLogger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= deliverScheduledMessages(context, logger)
      .catch((error: unknown) => logger.warn({ err: error }, 'scheduled delivery failed'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start(): void {
      tick();
      timer = setInterval(tick, DELIVERY_INTERVAL_MS);
      timer.unref();
    },
    /** Stops the timer and waits for a run in progress. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
