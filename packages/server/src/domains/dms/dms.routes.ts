import { createDmRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentDm } from './dms.present.js';
import { DmsService } from './dms.service.js';

/** Direct messages (rest-api.md §15); register inside the authenticated scope. */
export function dmsRoutes({ db }: AppContext) {
  const dms = new DmsService(db);
  return async (app: FastifyInstance) => {
    app.get('/api/dms', async (request) => (await dms.list(caller(request).user)).map(presentDm));

    app.post('/api/dms', async (request) => {
      const { target_user_id } = parseInput(createDmRequest, request.body);
      return presentDm(await dms.open(caller(request).user, target_user_id));
    });
  };
}
