import {
  type BlockedUser,
  isImageUrl,
  profileLimits,
  type UpdateProfileBody,
  utf8Length,
} from '@chatalot/protocol';
import type { Kysely, Updateable } from 'kysely';
import type { Schema, UsersTable } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/unit-of-work.js';
import { AppError } from '../../platform/errors.js';
import { type EventHub, frameEvent } from '../../platform/events/hub.js';
import { normalizeDisplayName } from '../auth/account-rules.js';
import { seesAllUsers } from './users.policy.js';
import { presentBlock, presentProfileUpdate, type UserRecord } from './users.present.js';
import {
  deleteBlock,
  findUserById,
  findVisibleUser,
  insertBlock,
  listBlocks,
  searchAllUsers,
  searchVisibleUsers,
  updateUser,
} from './users.repo.js';

const SEARCH_LIMIT = 20;

/** Looking people up, blocking them, and the caller's own profile (rest-api.md §5). */
export class UsersService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly hub: EventHub,
  ) {}

  search(viewer: UserRecord, query: string): Promise<UserRecord[]> {
    const bytes = utf8Length(query);
    if (bytes < 2 || bytes > 256) {
      throw new AppError('validation_error', 'search query must be 2-256 characters');
    }
    return seesAllUsers(viewer)
      ? searchAllUsers(this.db, query, SEARCH_LIMIT)
      : searchVisibleUsers(this.db, viewer.id, query, SEARCH_LIMIT);
  }

  /** Accounts the viewer may not see answer exactly like missing ones. */
  async get(viewer: UserRecord, userId: string): Promise<UserRecord> {
    const user = seesAllUsers(viewer)
      ? await findUserById(this.db, userId)
      : await findVisibleUser(this.db, viewer.id, userId);
    if (!user) throw new AppError('not_found', 'user not found');
    return user;
  }

  /** Anyone who exists can be blocked, seen or not; blocking twice changes nothing. */
  async block(blocker: UserRecord, userId: string): Promise<void> {
    if (userId.toLowerCase() === blocker.id) throw new AppError('validation_error', 'cannot block yourself');
    if (!(await findUserById(this.db, userId))) throw new AppError('not_found', 'user not found');
    await insertBlock(this.db, blocker.id, userId);
  }

  async unblock(blocker: UserRecord, userId: string): Promise<void> {
    if (!(await deleteBlock(this.db, blocker.id, userId))) {
      throw new AppError('not_found', 'block not found');
    }
  }

  /** Newest first; only the blocks the caller made. */
  async listBlocked(blocker: UserRecord): Promise<BlockedUser[]> {
    return (await listBlocks(this.db, blocker.id)).map(presentBlock);
  }

  /** The one way a profile changes; everyone connected hears of it (`user_profile_updated`). */
  updateProfile(user: UserRecord, body: UpdateProfileBody): Promise<UserRecord> {
    return inTransaction(this.db, this.hub, async (trx, emit) => {
      const updated = await updateUser(trx, user.id, profileChanges(body));
      emit(frameEvent({ kind: 'all' }, presentProfileUpdate(updated)));
      return updated;
    });
  }
}

function profileChanges(body: UpdateProfileBody): Updateable<UsersTable> {
  const { customStatus, bio, pronouns } = profileLimits;
  return {
    ...(body.display_name !== undefined && { display_name: normalizeDisplayName(body.display_name) }),
    ...(body.avatar_url !== undefined && { avatar_url: clearableUrl('avatar', body.avatar_url) }),
    ...(body.banner_url !== undefined && { banner_url: clearableUrl('banner', body.banner_url) }),
    ...(body.custom_status !== undefined && {
      custom_status: clearableText('custom status', body.custom_status, customStatus),
    }),
    ...(body.bio !== undefined && { bio: clearableText('bio', body.bio, bio) }),
    ...(body.pronouns !== undefined && { pronouns: clearableText('pronouns', body.pronouns, pronouns) }),
  };
}

/** Trimmed; blank clears the field. The messages say "characters" but count bytes, as the reference's do. */
function clearableText(label: string, value: string, maxBytes: number): string | null {
  const trimmed = value.trim();
  if (utf8Length(trimmed) > maxBytes) {
    throw new AppError('validation_error', `${label} must be at most ${maxBytes} characters`);
  }
  return trimmed === '' ? null : trimmed;
}

/** Not trimmed; "" clears the field. */
function clearableUrl(label: string, value: string): string | null {
  if (value === '') return null;
  if (utf8Length(value) > profileLimits.imageUrl) {
    throw new AppError(
      'validation_error',
      `${label} URL must be at most ${profileLimits.imageUrl} characters`,
    );
  }
  if (!isImageUrl(value)) {
    throw new AppError(
      'validation_error',
      `${label} URL must start with http://, https:// or /api/ and contain no spaces, quotes, brackets or backslashes`,
    );
  }
  return value;
}
