import { createInviteRequest, uuid } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { requireAdmin } from '../../platform/auth/authenticate.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';
import { AdminInvitesService } from './admin-invites.service.js';

const inviteParams = z.object({ id: uuid });

/** Registration invites for instance admins (rest-api.md §26.2); register inside the authenticated scope. */
export function adminInvitesRoutes({ db, clock }: AppContext) {
  const invites = new AdminInvitesService(db, clock);
  return async (app: FastifyInstance) => {
    app.get('/api/admin/invites', async (request) => {
      requireAdmin(request);
      return invites.list();
    });

    app.post('/api/admin/invites', async (request) => {
      const admin = requireAdmin(request);
      const body = parseInput(createInviteRequest, request.body);
      return invites.create(admin, body, originOf(request));
    });

    app.delete('/api/admin/invites/:id', async (request, reply) => {
      const admin = requireAdmin(request);
      const { id } = parseInput(inviteParams, request.params);
      await invites.delete(admin, id, originOf(request));
      return reply.send();
    });
  };
}
