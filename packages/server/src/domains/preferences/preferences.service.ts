import type { Preferences } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import type { UserRecord } from '../users/users.present.js';
import { mergePreferences } from './preferences.repo.js';

/** Settings synced across a member's devices (rest-api.md §6). */
export class PreferencesService {
  constructor(private readonly db: Kysely<Schema>) {}

  /** `{}` until first saved. Stored values only ever arrive through `preferencesSchema`. */
  get(user: UserRecord): Preferences {
    return user.preferences as Preferences;
  }

  /** Sent keys replace stored ones whole (nested objects too); unsent keys stay. */
  async update(user: UserRecord, patch: Preferences): Promise<Preferences> {
    return (await mergePreferences(this.db, user.id, patch)) as Preferences;
  }
}
