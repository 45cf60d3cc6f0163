import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { groupedCode } from '../../platform/ids.js';
import { countUsers } from '../users/users.repo.js';
import { codeMatches, hashCode } from './recovery-code.js';

const SETTING = 'owner_setup_code_hash';

/**
 * While no account exists on an instance whose registration is not open, only the holder of a
 * one-time setup code (printed in the log and written to DATA_DIR/secrets/owner-setup-code) may
 * register, and becomes the owner. This closes the reference's "first visitor becomes owner" race.
 */
export class OwnerSetup {
  private readonly file: string;

  constructor(
    private readonly db: Kysely<Schema>,
    dataDir: string,
  ) {
    this.file = path.join(dataDir, 'secrets', 'owner-setup-code');
  }

  /** Issues a setup code when the instance has no account yet; returns it for the log, else null. */
  async issueIfNeeded(): Promise<string | null> {
    if ((await countUsers(this.db)) > 0) return null;
    const code = groupedCode(4, 4);
    await sql`
      insert into instance_settings (key, value) values (${SETTING}, ${JSON.stringify(hashCode(code))})
      on conflict (key) do update set value = excluded.value, updated_at = now()
    `.execute(this.db);
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(this.file, `${code}\n`, { mode: 0o600 });
    return code;
  }

  async matches(trx: Transaction<Schema>, code: string): Promise<boolean> {
    const row = await trx
      .selectFrom('instance_settings')
      .select('value')
      .where('key', '=', SETTING)
      .executeTakeFirst();
    return typeof row?.value === 'string' && codeMatches(code, row.value);
  }

  async consume(trx: Transaction<Schema>): Promise<void> {
    await trx.deleteFrom('instance_settings').where('key', '=', SETTING).execute();
  }

  /** Removes the code's file; call after the transaction that consumed the code has committed. */
  removeFile(): void {
    rmSync(this.file, { force: true });
  }
}
