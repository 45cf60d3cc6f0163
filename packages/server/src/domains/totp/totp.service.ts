import { type Kysely, sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { openSecret, sealSecret } from '../../platform/auth/totp-crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { groupedCode } from '../../platform/ids.js';
import { hashCode } from '../auth/recovery-code.js';
import type { UserRecord } from '../users/users.present.js';

const PERIOD_SECONDS = 30;
const BACKUP_CODE_COUNT = 8;

export type SecondFactor = 'totp' | 'backup_code';

/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s, ±1 step) with single-use backup codes. Secrets are sealed with
 * the instance key; a code is accepted at most once (a step at or before the last accepted one is refused).
 */
export class TotpService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly key: Buffer,
    private readonly clock: Clock,
  ) {}

  async setup(user: UserRecord): Promise<{ otpauth_url: string; secret: string }> {
    if (user.totp_enabled) throw new AppError('conflict', '2FA is already enabled');
    const secret = new Secret({ size: 20 });
    await this.db
      .updateTable('users')
      .set({ totp_secret: sealSecret(this.key, Buffer.from(secret.bytes)), totp_last_step: null })
      .where('id', '=', user.id)
      .execute();
    return { otpauth_url: this.totp(user.username, secret).toString(), secret: secret.base32 };
  }

  async verify(user: UserRecord, code: string): Promise<{ enabled: true; backup_codes: string[] }> {
    if (user.totp_secret === null) {
      throw new AppError('validation_error', 'no TOTP secret configured, call /totp/setup first');
    }
    await this.requireTotp(user, code);
    const backupCodes = await this.replaceBackupCodes(user.id, { totp_enabled: true });
    return { enabled: true, backup_codes: backupCodes };
  }

  async disable(user: UserRecord, code: string): Promise<{ enabled: false }> {
    if (!user.totp_enabled) throw new AppError('validation_error', '2FA is not enabled');
    await this.requireTotp(user, code);
    await this.db
      .updateTable('users')
      .set({ totp_enabled: false, totp_secret: null, totp_backup_codes: null, totp_last_step: null })
      .where('id', '=', user.id)
      .execute();
    return { enabled: false };
  }

  async regenerateBackupCodes(user: UserRecord, code: string): Promise<{ backup_codes: string[] }> {
    if (!user.totp_enabled) throw new AppError('validation_error', '2FA is not enabled');
    await this.requireTotp(user, code);
    return { backup_codes: await this.replaceBackupCodes(user.id, {}) };
  }

  /** The second factor a sign-in code satisfies: a fresh TOTP code, else an unused backup code (consumed). */
  async checkSignIn(user: UserRecord, code: string): Promise<SecondFactor | null> {
    if (await this.acceptTotp(user, code)) return 'totp';
    const consumed = await this.db
      .updateTable('users')
      .set({
        totp_backup_codes: sql`array_remove(totp_backup_codes, ${hashCode(code.trim().toUpperCase())})`,
      })
      .where('id', '=', user.id)
      .where(sql<boolean>`${hashCode(code.trim().toUpperCase())} = any(totp_backup_codes)`)
      .executeTakeFirst();
    return consumed.numUpdatedRows > 0n ? 'backup_code' : null;
  }

  private async requireTotp(user: UserRecord, code: string): Promise<void> {
    if (!(await this.acceptTotp(user, code))) throw new AppError('validation_error', 'invalid TOTP code');
  }

  /** Accepts a code once: the step it matched is recorded and that step or an older one is refused later. */
  private async acceptTotp(user: UserRecord, code: string): Promise<boolean> {
    if (user.totp_secret === null || !/^\d{6}$/.test(code.trim())) return false;
    const secret = new Secret({ buffer: new Uint8Array(this.open(user.totp_secret)).buffer });
    const timestamp = this.clock.now();
    const delta = this.totp(user.username, secret).validate({ token: code.trim(), timestamp, window: 1 });
    if (delta === null) return false;
    const step = Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
    const updated = await this.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  private async replaceBackupCodes(userId: string, extra: { totp_enabled?: boolean }): Promise<string[]> {
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => groupedCode(2, 4));
    await this.db
      .updateTable('users')
      .set({ ...extra, totp_backup_codes: codes.map(hashCode) })
      .where('id', '=', userId)
      .execute();
    return codes;
  }

  private open(sealed: Buffer): Buffer {
    try {
      return openSecret(this.key, sealed);
    } catch (error) {
      throw new Error('a TOTP secret cannot be decrypted: was TOTP_ENCRYPTION_KEY changed?', {
        cause: error,
      });
    }
  }

  private totp(username: string, secret: Secret): TOTP {
    return new TOTP({
      issuer: 'Chatalot',
      label: username,
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_SECONDS,
      secret,
    });
  }
}
