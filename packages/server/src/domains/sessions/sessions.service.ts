import { randomUUID } from 'node:crypto';
import type { SessionInfo } from '@chatalot/protocol';
import { sql, type Transaction } from 'kysely';
import { newRefreshToken, REFRESH_TOKEN_SECONDS, refreshTokenHash } from '../../platform/auth/tokens.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';

/** The device a request comes from, as recorded on its session. */
export interface ClientInfo {
  ip: string;
  deviceName: string | null;
}

/** A user keeps at most this many signed-in devices; signing in on one more ends the oldest. */
export const MAX_SESSIONS_PER_USER = 20;

export type RefreshOutcome =
  | { kind: 'rotated'; userId: string; sessionId: string; refreshToken: string }
  | { kind: 'reused'; userId: string; sessionId: string }
  | { kind: 'invalid' };

/**
 * Sessions are devices. Each refresh replaces the session's refresh token; presenting a replaced token
 * again means it was copied, so the whole session is revoked (reuse detection).
 */
export class SessionService {
  constructor(private readonly clock: Clock) {}

  async create(
    db: Db,
    userId: string,
    client: ClientInfo,
  ): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    const expiresAt = this.expiry();
    await db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: userId,
        device_name: client.deviceName,
        ip_address: client.ip,
        expires_at: expiresAt,
      })
      .execute();
    const refreshToken = await this.addToken(db, sessionId, expiresAt);
    await this.trimOldest(db, userId);
    return { sessionId, refreshToken };
  }

  /** Rotates a refresh token; the caller must run this in a transaction and commit even for `reused`. */
  async rotate(trx: Transaction<Schema>, token: string, client: ClientInfo): Promise<RefreshOutcome> {
    const hash = refreshTokenHash(token);
    if (hash === null) return { kind: 'invalid' };
    const row = await trx
      .selectFrom('refresh_tokens as t')
      .innerJoin('sessions as s', 's.id', 't.session_id')
      .select(['t.session_id', 't.expires_at', 't.replaced_at', 's.user_id', 's.revoked_at'])
      .where('t.token_hash', '=', hash)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return { kind: 'invalid' };
    if (row.replaced_at !== null) {
      await this.revoke(trx, row.user_id, row.session_id);
      return { kind: 'reused', userId: row.user_id, sessionId: row.session_id };
    }
    if (row.expires_at.getTime() <= this.clock.now()) return { kind: 'invalid' };
    const now = new Date(this.clock.now());
    await trx
      .updateTable('refresh_tokens')
      .set({ replaced_at: now })
      .where('token_hash', '=', hash)
      .execute();
    const expiresAt = this.expiry();
    await trx
      .updateTable('sessions')
      .set({
        refreshed_at: now,
        expires_at: expiresAt,
        ip_address: client.ip,
        device_name: client.deviceName,
      })
      .where('id', '=', row.session_id)
      .execute();
    const refreshToken = await this.addToken(trx, row.session_id, expiresAt);
    return { kind: 'rotated', userId: row.user_id, sessionId: row.session_id, refreshToken };
  }

  async isActive(db: Db, userId: string, sessionId: string): Promise<boolean> {
    const row = await db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async list(db: Db, userId: string): Promise<SessionInfo[]> {
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'device_name', 'ip_address', 'created_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date(this.clock.now()))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      ...row,
      created_at: row.created_at.toISOString(),
      expires_at: row.expires_at.toISOString(),
    }));
  }

  /** Revokes one of the user's sessions; false when the user has no such active session. */
  async revoke(db: Db, userId: string, sessionId: string): Promise<boolean> {
    const result = await db
      .updateTable('sessions')
      .set({ revoked_at: new Date(this.clock.now()) })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every active session of the user except `keep`; returns how many were revoked. */
  async revokeAll(db: Db, userId: string, keep?: string): Promise<number> {
    let query = db
      .updateTable('sessions')
      .set({ revoked_at: new Date(this.clock.now()) })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep !== undefined) query = query.where('id', '<>', keep);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  private async addToken(db: Db, sessionId: string, expiresAt: Date): Promise<string> {
    const { token, hash } = newRefreshToken();
    await db
      .insertInto('refresh_tokens')
      .values({ token_hash: hash, session_id: sessionId, expires_at: expiresAt })
      .execute();
    return token;
  }

  private async trimOldest(db: Db, userId: string): Promise<void> {
    await db
      .updateTable('sessions')
      .set({ revoked_at: new Date(this.clock.now()) })
      .where('revoked_at', 'is', null)
      .where(
        'id',
        'in',
        db
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .orderBy('created_at', 'desc')
          .orderBy(sql`id`, 'desc')
          .offset(MAX_SESSIONS_PER_USER),
      )
      .execute();
  }

  private expiry(): Date {
    return new Date(this.clock.now() + REFRESH_TOKEN_SECONDS * 1000);
  }
}

export const invalidRefreshToken = () => new AppError('unauthorized');
