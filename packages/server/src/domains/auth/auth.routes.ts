import { loginRequest, recoverRequest, refreshRequest, registerRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';

/** Public auth routes (rest-api.md §2); all under the stricter auth rate limit. */
export function authRoutes({ auth }: AppContext) {
  return async (app: FastifyInstance) => {
    app.post('/api/auth/register', async (request) =>
      auth.register(parseInput(registerRequest, request.body), originOf(request)),
    );
    app.post('/api/auth/login', async (request) =>
      auth.login(parseInput(loginRequest, request.body), originOf(request)),
    );
    app.post('/api/auth/refresh', async (request) =>
      auth.refresh(parseInput(refreshRequest, request.body).refresh_token, originOf(request)),
    );
    app.post('/api/auth/recover', async (request) =>
      auth.recover(parseInput(recoverRequest, request.body), originOf(request)),
    );
    app.get('/api/auth/config', async () => auth.config());
  };
}
