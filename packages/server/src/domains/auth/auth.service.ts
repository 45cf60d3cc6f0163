import type {
  AuthConfigResponse,
  AuthResponse,
  LoginBody,
  RegisterBody,
  TokenPair,
} from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { checkPasswordRules } from '../../platform/auth/password-rules.js';
import { hashPassword, verifyNothing, verifyPassword } from '../../platform/auth/passwords.js';
import type { TokenService } from '../../platform/auth/tokens.js';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, sessionsEnded } from '../../platform/events/hub.js';
import { uuidv7 } from '../../platform/ids.js';
import { type Actor, recordAudit } from '../audit/audit.service.js';
import type { ClientInfo, SessionService } from '../sessions/sessions.service.js';
import type { TotpService } from '../totp/totp.service.js';
import { presentUser, type UserRecord } from '../users/users.present.js';
import {
  emailTaken,
  findUserById,
  findUserByUsername,
  insertUser,
  updateUser,
  usernameTaken,
} from '../users/users.repo.js';
import type { Lockout } from './lockout.js';
import type { OwnerSetup } from './owner-setup.js';
import { codeMatches, newRecoveryCode } from './recovery-code.js';
import { admitRegistration, checkRegistration, precheckMode, storeKeys } from './registration.js';

export interface AuthDeps {
  db: Kysely<Schema>;
  config: Readonly<Config>;
  clock: Clock;
  tokens: TokenService;
  sessions: SessionService;
  lockout: Lockout;
  totp: TotpService;
  ownerSetup: OwnerSetup;
  hub: EventHub;
}

export type RequestOrigin = ClientInfo & { userAgent: string | null };

const invalidCredentials = () => new AppError('unauthorized', 'invalid username or password');

export class AuthService {
  constructor(private readonly deps: AuthDeps) {}

  async register(body: RegisterBody, origin: RequestOrigin): Promise<AuthResponse> {
    const { db, config, sessions, ownerSetup } = this.deps;
    await precheckMode(db, config.registrationMode, body.invite_code);
    const { displayName, keys } = checkRegistration(body);
    if (await usernameTaken(db, body.username)) throw new AppError('conflict', 'username already taken');
    if (await emailTaken(db, body.email)) throw new AppError('conflict', 'email already registered');
    const passwordHash = await hashPassword(body.password);
    const recovery = newRecoveryCode();
    const now = new Date(this.deps.clock.now());
    const { user, session } = await db.transaction().execute(async (trx) => {
      const { firstUser } = await admitRegistration(
        trx,
        config.registrationMode,
        body.invite_code,
        ownerSetup,
        now,
      );
      const created = await insertUser(trx, {
        id: uuidv7(),
        username: body.username,
        display_name: displayName,
        email: body.email,
        password_hash: passwordHash,
        recovery_code_hash: recovery.hash,
        is_admin: firstUser,
        is_owner: firstUser,
      }).catch(rethrowUniqueViolation);
      await storeKeys(trx, created.id, keys);
      const session = await sessions.create(trx, created.id, origin);
      await recordAudit(trx, 'register', actorOf(created.id, origin), { first_user: firstUser });
      return { user: created, session };
    });
    if (user.is_owner) ownerSetup.removeFile();
    return {
      ...(await this.tokenPair(user, session)),
      user: presentUser(user),
      recovery_code: recovery.code,
    };
  }

  async login(body: LoginBody, origin: RequestOrigin): Promise<AuthResponse> {
    const { db, lockout, sessions, totp } = this.deps;
    await lockout.assertOpen('login', body.username);
    const user = await findUserByUsername(db, body.username);
    if (!user) {
      await verifyNothing(body.password);
      await lockout.recordFailure('login', body.username);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.password_hash, body.password))) {
      await lockout.recordFailure('login', body.username);
      await recordAudit(db, 'login_failed', actorOf(user.id, origin));
      throw invalidCredentials();
    }
    if (user.totp_enabled) {
      if (!body.totp_code) throw new AppError('validation_error', '2FA code required');
      const factor = await totp.checkSignIn(user, body.totp_code);
      if (factor === null) {
        await lockout.recordFailure('login', body.username);
        await recordAudit(db, 'login_failed_2fa', actorOf(user.id, origin));
        throw new AppError('unauthorized', 'invalid 2FA code');
      }
      if (factor === 'backup_code') await recordAudit(db, 'login_backup_code_used', actorOf(user.id, origin));
    }
    if (user.suspended_at !== null) throw new AppError('validation_error', 'account is suspended');
    await lockout.clear('login', body.username);
    const session = await sessions.create(db, user.id, origin);
    await recordAudit(db, 'login', actorOf(user.id, origin), { session_id: session.sessionId });
    return { ...(await this.tokenPair(user, session)), user: presentUser(user) };
  }

  async refresh(refreshToken: string, origin: RequestOrigin): Promise<TokenPair> {
    const { db, sessions } = this.deps;
    const outcome = await db.transaction().execute(async (trx) => {
      const result = await sessions.rotate(trx, refreshToken, origin);
      if (result.kind !== 'rotated') return result;
      const user = await findUserById(trx, result.userId);
      if (!user || user.suspended_at !== null) throw new AppError('unauthorized');
      return { ...result, user };
    });
    if (outcome.kind === 'reused') {
      this.deps.hub.publish(sessionsEnded(outcome.userId, [outcome.sessionId]));
      await recordAudit(db, 'refresh_token_reused', actorOf(outcome.userId, origin), {
        session_id: outcome.sessionId,
      });
    }
    if (outcome.kind !== 'rotated') throw new AppError('unauthorized');
    return this.tokenPair(outcome.user, outcome);
  }

  async recover(
    body: { username: string; recovery_code: string; new_password: string },
    origin: RequestOrigin,
  ): Promise<{ recovery_code: string }> {
    const { db, lockout, sessions } = this.deps;
    if (Buffer.byteLength(body.username) > 32 || body.recovery_code.length !== 19) {
      throw new AppError('validation_error', 'invalid request');
    }
    await lockout.assertOpen('recover', body.username);
    const user = await findUserByUsername(db, body.username);
    if (!user || user.suspended_at !== null || !codeMatches(body.recovery_code, user.recovery_code_hash)) {
      await lockout.recordFailure('recover', body.username);
      throw new AppError('validation_error', 'invalid username or recovery code');
    }
    checkPasswordRules(body.new_password);
    const passwordHash = await hashPassword(body.new_password);
    const recovery = newRecoveryCode();
    await inTransaction(db, this.deps.hub, async (trx, emit) => {
      await updateUser(trx, user.id, { password_hash: passwordHash, recovery_code_hash: recovery.hash });
      await sessions.revokeAll(trx, user.id);
      emit(sessionsEnded(user.id, 'all'));
      await recordAudit(trx, 'account_recovered', actorOf(user.id, origin));
    });
    await lockout.clear('recover', body.username);
    return { recovery_code: recovery.code };
  }

  async config(): Promise<AuthConfigResponse> {
    const { db, config } = this.deps;
    const rows = await db.selectFrom('instance_settings').select(['key', 'value']).execute();
    const setting = (key: string) => rows.find((row) => row.key === key)?.value;
    return {
      registration_mode: config.registrationMode,
      ...(config.publicUrl && { public_url: config.publicUrl }),
      ...(config.iceServers.length > 0 && { ice_servers: config.iceServers }),
      max_messages_cache: numberOr(setting('max_messages_cache'), 500),
      max_pins_per_channel: numberOr(setting('max_pins_per_channel'), 50),
      e2e_enabled: setting('e2e_enabled') !== false,
    };
  }

  async tokenPair(
    user: UserRecord,
    session: { sessionId: string; refreshToken: string },
  ): Promise<TokenPair> {
    const accessToken = await this.deps.tokens.issueAccessToken({
      userId: user.id,
      username: user.username,
      isAdmin: user.is_admin,
      isOwner: user.is_owner,
      sessionId: session.sessionId,
    });
    return { access_token: accessToken, refresh_token: session.refreshToken };
  }
}

export function actorOf(userId: string | null, origin: RequestOrigin): Actor {
  return { userId, ip: origin.ip, userAgent: origin.userAgent };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Two registrations racing for one name: the database's unique index decides, the loser gets 409. */
function rethrowUniqueViolation(error: unknown): never {
  const constraint = (error as { constraint?: string }).constraint ?? '';
  if ((error as { code?: string }).code === '23505') {
    throw new AppError(
      'conflict',
      constraint.includes('email') ? 'email already registered' : 'username already taken',
    );
  }
  throw error;
}
