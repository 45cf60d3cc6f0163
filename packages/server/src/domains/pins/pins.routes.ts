import { canonicalUuid } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { MessagesService } from '../messages/messages.service.js';
import { presentPinnedMessage } from './pins.present.js';
import { PinsService } from './pins.service.js';

const channelParams = z.object({ id: canonicalUuid });
const pinParams = z.object({ id: canonicalUuid, msg_id: canonicalUuid });

/** Pinned messages (rest-api.md §10); register inside the authenticated scope. */
export function pinsRoutes({ db, hub, clock }: AppContext) {
  const pins = new PinsService(db, hub, clock, new MessagesService(db, hub, clock));
  return async (app: FastifyInstance) => {
    app.get('/api/channels/:id/pins', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      return (await pins.list(caller(request).user, id)).map(presentPinnedMessage);
    });

    app.post('/api/channels/:id/pins/:msg_id', async (request, reply) => {
      const { id, msg_id } = parseInput(pinParams, request.params);
      await pins.pin(caller(request).user, id, msg_id);
      return reply.send();
    });

    app.delete('/api/channels/:id/pins/:msg_id', async (request, reply) => {
      const { id, msg_id } = parseInput(pinParams, request.params);
      await pins.unpin(caller(request).user, id, msg_id);
      return reply.send();
    });
  };
}
