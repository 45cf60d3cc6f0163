import type { SessionInfo } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { AuthContext } from '../../platform/auth/authenticate.js';
import { checkPasswordRules } from '../../platform/auth/password-rules.js';
import { hashPassword, verifyPassword } from '../../platform/auth/passwords.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, sessionsEnded } from '../../platform/events/hub.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { newRecoveryCode } from '../auth/recovery-code.js';
import type { SessionService } from '../sessions/sessions.service.js';
import { deleteUser, updateUser } from '../users/users.repo.js';

/** The signed-in member's own account (rest-api.md §3). */
export class AccountService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly sessions: SessionService,
    private readonly hub: EventHub,
  ) {}

  /** Changes the password and signs out every other device; this one stays signed in. */
  async changePassword(
    auth: AuthContext,
    current: string,
    next: string,
    origin: RequestOrigin,
  ): Promise<void> {
    if (!(await verifyPassword(auth.user.password_hash, current))) {
      throw new AppError('validation_error', 'current password is incorrect');
    }
    checkPasswordRules(next);
    const passwordHash = await hashPassword(next);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      await updateUser(trx, auth.user.id, { password_hash: passwordHash });
      await this.sessions.revokeAll(trx, auth.user.id, auth.sessionId);
      emit(sessionsEnded(auth.user.id, 'all', auth.sessionId));
      await recordAudit(trx, 'password_changed', actorOf(auth.user.id, origin));
    });
  }

  /** Deletes the account and everything that is only its own; others' records keep a null author. */
  async deleteAccount(auth: AuthContext, password: string, origin: RequestOrigin): Promise<void> {
    if (!(await verifyPassword(auth.user.password_hash, password))) {
      throw new AppError('validation_error', 'password is incorrect');
    }
    await this.assertOwnsNothing(auth.user.id);
    await inTransaction(this.db, this.hub, async (trx, emit) => {
      emit(sessionsEnded(auth.user.id, 'all'));
      await recordAudit(trx, 'account_deleted', actorOf(auth.user.id, origin), {
        user_id: auth.user.id,
        username: auth.user.username,
      });
      await deleteUser(trx, auth.user.id);
    });
  }

  /** Communities and groups must not be left without an owner: hand them over or delete them first. */
  private async assertOwnsNothing(userId: string): Promise<void> {
    const community = await this.db
      .selectFrom('communities')
      .select('id')
      .where('owner_id', '=', userId)
      .executeTakeFirst();
    if (community) {
      throw new AppError(
        'validation_error',
        'you must transfer or delete all communities you own before deleting your account',
      );
    }
    const group = await this.db
      .selectFrom('groups')
      .select('id')
      .where('owner_id', '=', userId)
      .where('assigned_member_id', 'is', null)
      .executeTakeFirst();
    if (group) {
      throw new AppError(
        'validation_error',
        'you must transfer or delete all groups you own before deleting your account',
      );
    }
  }

  async logoutAll(auth: AuthContext, origin: RequestOrigin): Promise<{ revoked_count: number }> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const revoked = await this.sessions.revokeAll(trx, auth.user.id);
      emit(sessionsEnded(auth.user.id, 'all'));
      await recordAudit(trx, 'logout_all', actorOf(auth.user.id, origin), { revoked_count: revoked });
      return { revoked_count: revoked };
    });
  }

  listSessions(auth: AuthContext): Promise<SessionInfo[]> {
    return this.sessions.list(this.db, auth.user.id);
  }

  async revokeSession(auth: AuthContext, sessionId: string, origin: RequestOrigin): Promise<void> {
    if (!(await this.sessions.revoke(this.db, auth.user.id, sessionId))) {
      throw new AppError('not_found', 'session not found');
    }
    this.hub.publish(sessionsEnded(auth.user.id, [sessionId]));
    await recordAudit(this.db, 'session_revoked', actorOf(auth.user.id, origin), { session_id: sessionId });
  }

  async regenerateRecoveryCode(auth: AuthContext, origin: RequestOrigin): Promise<{ recovery_code: string }> {
    const recovery = newRecoveryCode();
    await this.db.transaction().execute(async (trx) => {
      await updateUser(trx, auth.user.id, { recovery_code_hash: recovery.hash });
      await recordAudit(trx, 'recovery_code_regenerated', actorOf(auth.user.id, origin));
    });
    return { recovery_code: recovery.code };
  }
}
