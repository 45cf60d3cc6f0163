import {
  canonicalUuid,
  keyRegistrationRequest,
  oneTimePrekeysUpload,
  type PrekeyCount,
  signedPrekey,
} from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentBundle } from './keys.present.js';
import { KeysService } from './keys.service.js';

const ownerParams = z.object({ user_id: canonicalUuid });

/** E2E keys (rest-api.md §17); register inside the authenticated scope. */
export function keysRoutes({ db, hub, clock, shared }: AppContext) {
  const keys = new KeysService(db, hub, clock, shared);
  return async (app: FastifyInstance) => {
    app.get('/api/keys/:user_id/bundle', async (request) => {
      const { user_id } = parseInput(ownerParams, request.params);
      return presentBundle(await keys.bundle(caller(request).user, user_id));
    });

    app.post('/api/keys/register', async (request, reply) => {
      await keys.register(caller(request).user, parseInput(keyRegistrationRequest, request.body));
      return reply.send();
    });

    app.post('/api/keys/prekeys/signed', async (request, reply) => {
      await keys.uploadSignedPrekey(caller(request).user, parseInput(signedPrekey, request.body));
      return reply.send();
    });

    app.post('/api/keys/prekeys/one-time', async (request, reply) => {
      await keys.uploadOneTimePrekeys(caller(request).user, parseInput(oneTimePrekeysUpload, request.body));
      return reply.send();
    });

    app.get('/api/keys/prekeys/count', async (request): Promise<PrekeyCount> => {
      return { count: await keys.countUnused(caller(request).user) };
    });
  };
}
