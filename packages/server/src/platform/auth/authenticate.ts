import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Selectable } from 'kysely';
import type { Schema, UsersTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { TokenService } from './tokens.js';

export interface AuthContext {
  /** The caller's account as it is now in the database, not as the token remembers it. */
  user: Selectable<UsersTable>;
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/**
 * onRequest hook for authenticated routes: a valid Bearer access token whose session is still active
 * and whose user exists and is not suspended. Anything else is 401 (never 403: clients refresh on 401).
 */
export function authenticate(tokens: TokenService, db: Kysely<Schema>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new AppError('unauthorized');
    const claims = await tokens.verifyAccessToken(header.slice('Bearer '.length));
    if (claims === null) throw new AppError('unauthorized');
    const user = await db
      .selectFrom('users')
      .innerJoin('sessions', 'sessions.user_id', 'users.id')
      .selectAll('users')
      .where('users.id', '=', claims.userId)
      .where('sessions.id', '=', claims.sessionId)
      .where('sessions.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!user || user.suspended_at !== null) throw new AppError('unauthorized');
    request.auth = { user, sessionId: claims.sessionId };
  };
}

/** The authenticated caller; only valid on routes behind `authenticate`. */
export function caller(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw new AppError('unauthorized');
  return request.auth;
}

/** Instance admins and the owner; read fresh from the database on every request. */
export function requireAdmin(request: FastifyRequest): AuthContext {
  const auth = caller(request);
  if (!auth.user.is_admin && !auth.user.is_owner) throw new AppError('forbidden');
  return auth;
}
