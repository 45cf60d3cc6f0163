import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import type { TotpService } from './totp.service.js';

const codeBody = z.object({ code: z.string().max(64) });

/** Two-factor authentication (rest-api.md §4); register inside the authenticated scope. */
export function totpRoutes(totp: TotpService) {
  return async (app: FastifyInstance) => {
    app.post('/api/totp/setup', async (request) => totp.setup(caller(request).user));
    app.post('/api/totp/verify', async (request) =>
      totp.verify(caller(request).user, parseInput(codeBody, request.body).code),
    );
    app.post('/api/totp/disable', async (request) =>
      totp.disable(caller(request).user, parseInput(codeBody, request.body).code),
    );
    app.post('/api/totp/regenerate-backup-codes', async (request) =>
      totp.regenerateBackupCodes(caller(request).user, parseInput(codeBody, request.body).code),
    );
  };
}
