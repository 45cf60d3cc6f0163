import { blockUserRequest, text, updateProfileRequest, uuid } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { presentUser } from './users.present.js';
import type { UsersService } from './users.service.js';

const userParams = z.object({ user_id: uuid });
const searchQuery = z.object({ q: text().default('') });

/** Users, blocking and the caller's profile (rest-api.md §5); register inside the authenticated scope. */
export function usersRoutes(users: UsersService) {
  return async (app: FastifyInstance) => {
    app.get('/api/users/search', async (request) => {
      const { q } = parseInput(searchQuery, request.query);
      return (await users.search(caller(request).user, q)).map(presentUser);
    });

    app.get('/api/users/blocked', async (request) => users.listBlocked(caller(request).user));

    app.get('/api/users/:user_id', async (request) => {
      const { user_id } = parseInput(userParams, request.params);
      return presentUser(await users.get(caller(request).user, user_id));
    });

    app.post('/api/users/block', async (request, reply) => {
      const { user_id } = parseInput(blockUserRequest, request.body);
      await users.block(caller(request).user, user_id);
      return reply.send();
    });

    app.post('/api/users/unblock/:user_id', async (request, reply) => {
      const { user_id } = parseInput(userParams, request.params);
      await users.unblock(caller(request).user, user_id);
      return reply.send();
    });

    app.put('/api/account/profile', async (request) => {
      const body = parseInput(updateProfileRequest, request.body);
      return presentUser(await users.updateProfile(caller(request).user, body));
    });
  };
}
