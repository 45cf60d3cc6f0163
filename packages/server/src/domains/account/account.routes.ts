import { changePasswordRequest, deleteAccountRequest, uuid } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { caller } from '../../platform/auth/authenticate.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';
import { presentUser } from '../users/users.present.js';
import type { AccountService } from './account.service.js';

const sessionParams = z.object({ id: uuid });

/** Authenticated account routes (rest-api.md §3); register inside the authenticated scope. */
export function accountRoutes(account: AccountService) {
  return async (app: FastifyInstance) => {
    app.get('/api/account/me', async (request) => presentUser(caller(request).user));

    app.put('/api/account/password', async (request, reply) => {
      const body = parseInput(changePasswordRequest, request.body);
      await account.changePassword(
        caller(request),
        body.current_password,
        body.new_password,
        originOf(request),
      );
      return reply.send();
    });

    app.delete('/api/account', async (request, reply) => {
      const body = parseInput(deleteAccountRequest, request.body);
      await account.deleteAccount(caller(request), body.password, originOf(request));
      return reply.send();
    });

    app.post('/api/account/logout-all', async (request) =>
      account.logoutAll(caller(request), originOf(request)),
    );

    app.get('/api/account/sessions', async (request) => account.listSessions(caller(request)));

    app.delete('/api/account/sessions/:id', async (request, reply) => {
      const { id } = parseInput(sessionParams, request.params);
      await account.revokeSession(caller(request), id, originOf(request));
      return reply.send();
    });

    app.post('/api/account/regenerate-recovery-code', async (request) =>
      account.regenerateRecoveryCode(caller(request), originOf(request)),
    );
  };
}
