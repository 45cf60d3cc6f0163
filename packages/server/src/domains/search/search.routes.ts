import { canonicalUuid, channelSearchQuery, messageSearchQuery, searchScopeHeader } from '@chatalot/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentMessage } from '../messages/messages.present.js';
import type { FoundMessage } from './search.repo.js';
import { SearchService } from './search.service.js';

const channelParams = z.object({ id: canonicalUuid });

/** Message search (rest-api.md §10); register inside the authenticated scope. */
export function searchRoutes({ db, clock }: AppContext) {
  const search = new SearchService(db, clock);
  return async (app: FastifyInstance) => {
    app.get('/api/channels/:id/messages/search', async (request, reply) => {
      const { id } = parseInput(channelParams, request.params);
      const query = parseInput(channelSearchQuery, request.query);
      return answer(reply, await search.inChannel(caller(request).user.id, id, query));
    });

    app.get('/api/messages/search', async (request, reply) => {
      const query = parseInput(messageSearchQuery, request.query);
      return answer(reply, await search.everywhere(caller(request).user.id, query));
    });
  };
}

/** A plain Message[], as clients expect; the header tells newer ones that encrypted messages were not searched. */
function answer(reply: FastifyReply, found: FoundMessage[]) {
  reply.header(searchScopeHeader.name, searchScopeHeader.value);
  return found.map((message) => presentMessage(message));
}
