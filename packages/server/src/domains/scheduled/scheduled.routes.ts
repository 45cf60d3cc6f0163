import { canonicalUuid, scheduleMessageRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentScheduled } from './scheduled.present.js';
import { ScheduledService } from './scheduled.service.js';

const scheduledParams = z.object({ id: canonicalUuid });

/** Scheduled messages (rest-api.md §13); register inside the authenticated scope. Delivery is a job. */
export function scheduledRoutes({ db, hub, clock }: AppContext) {
  const scheduled = new ScheduledService(db, hub, clock);
  return async (app: FastifyInstance) => {
    app.post('/api/messages/schedule', async (request) => {
      const body = parseInput(scheduleMessageRequest, request.body);
      return presentScheduled(await scheduled.schedule(caller(request).user, body));
    });

    app.get('/api/messages/scheduled', async (request) =>
      (await scheduled.list(caller(request).user)).map(presentScheduled),
    );

    app.delete('/api/messages/scheduled/:id', async (request, reply) => {
      const { id } = parseInput(scheduledParams, request.params);
      await scheduled.cancel(caller(request).user, id);
      return reply.send();
    });
  };
}
