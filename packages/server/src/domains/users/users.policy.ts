import type { UserRecord } from './users.present.js';

/**
 * Whether `viewer` may look up any account on the instance. Only the owner may; instance admins are
 * not exempt (rest-api.md §5). Everyone else sees what `findVisibleUser` allows.
 */
export function seesAllUsers(viewer: UserRecord): boolean {
  return viewer.is_owner;
}
