import { canonicalUuid, uploadSenderKeyRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentDistribution } from './sender-keys.present.js';
import { SenderKeysService } from './sender-keys.service.js';

const channelParams = z.object({ id: canonicalUuid });

/** Sender keys (rest-api.md §18); register inside the authenticated scope. */
export function senderKeysRoutes({ db, hub, clock }: AppContext) {
  const senderKeys = new SenderKeysService(db, hub, clock);
  return async (app: FastifyInstance) => {
    app.post('/api/channels/:id/sender-keys', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      const body = parseInput(uploadSenderKeyRequest, request.body);
      return presentDistribution(await senderKeys.upload(caller(request).user, id, body));
    });

    app.get('/api/channels/:id/sender-keys', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      return (await senderKeys.list(caller(request).user, id)).map(presentDistribution);
    });
  };
}
