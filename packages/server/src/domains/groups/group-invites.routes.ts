import { createInviteRequest, uuid } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { GroupInvitesService } from './group-invites.service.js';
import { presentGroupInvite, presentInvitePreview } from './groups.present.js';

const groupParams = z.object({ id: uuid });
const inviteParams = z.object({ id: uuid, invite_id: uuid });
const codeParams = z.object({ code: z.string() });

/** Group invites and their public face (rest-api.md §8.3); register inside the authenticated scope. */
export function groupInvitesRoutes({ db, hub, clock }: AppContext) {
  const invites = new GroupInvitesService(db, hub, clock);
  return async (app: FastifyInstance) => {
    app.get('/api/groups/:id/invites', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      return (await invites.list(caller(request).user, id)).map(presentGroupInvite);
    });

    app.post('/api/groups/:id/invites', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      const body = parseInput(createInviteRequest, request.body ?? {});
      return presentGroupInvite(await invites.create(caller(request).user, id, body));
    });

    app.delete('/api/groups/:id/invites/:invite_id', async (request, reply) => {
      const { id, invite_id } = parseInput(inviteParams, request.params);
      await invites.delete(caller(request).user, id, invite_id);
      return reply.send();
    });

    app.get('/api/invites/:code', async (request) => {
      const { code } = parseInput(codeParams, request.params);
      const { group, invite } = await invites.preview(code);
      return presentInvitePreview(group, invite.code);
    });

    app.post('/api/invites/:code/accept', async (request) => {
      const { code } = parseInput(codeParams, request.params);
      const group = await invites.accept(caller(request).user, code);
      return { group_id: group.id, group_name: group.name };
    });
  };
}
