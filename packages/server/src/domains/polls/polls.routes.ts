import { canonicalUuid, createPollRequest, votePollRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentPoll } from './polls.present.js';
import { PollsService } from './polls.service.js';

const idParams = z.object({ id: canonicalUuid });
const voteParams = z.object({
  id: canonicalUuid,
  idx: z
    .string()
    .regex(/^-?\d{1,10}$/, 'must be an integer')
    .transform(Number),
});

/** Polls (rest-api.md §12); register inside the authenticated scope. */
export function pollsRoutes({ db, hub, clock }: AppContext) {
  const polls = new PollsService(db, hub, clock);
  return async (app: FastifyInstance) => {
    app.post('/api/channels/:id/polls', async (request) => {
      const { id } = parseInput(idParams, request.params);
      const body = parseInput(createPollRequest, request.body);
      return presentPoll(await polls.create(caller(request).user, id, body));
    });

    app.get('/api/channels/:id/polls', async (request) => {
      const { id } = parseInput(idParams, request.params);
      return (await polls.list(caller(request).user, id)).map(presentPoll);
    });

    app.get('/api/polls/:id', async (request) => {
      const { id } = parseInput(idParams, request.params);
      return presentPoll(await polls.get(caller(request).user, id));
    });

    app.post('/api/polls/:id/vote', async (request, reply) => {
      const { id } = parseInput(idParams, request.params);
      const { option_index } = parseInput(votePollRequest, request.body);
      await polls.vote(caller(request).user, id, option_index);
      return reply.send();
    });

    app.delete('/api/polls/:id/vote/:idx', async (request, reply) => {
      const { id, idx } = parseInput(voteParams, request.params);
      await polls.unvote(caller(request).user, id, idx);
      return reply.send();
    });

    app.post('/api/polls/:id/close', async (request, reply) => {
      const { id } = parseInput(idParams, request.params);
      await polls.close(caller(request).user, id);
      return reply.send();
    });
  };
}
