import type { CreateInviteBody } from '@chatalot/protocol';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db, InvitesTable, Schema } from '../../platform/db/schema.js';
import { alphanumeric, randomCode, uuidv7 } from '../../platform/ids.js';

/**
 * Invite codes, shared by community, group and registration invites: making one, telling whether it
 * can still be used, and spending one use. Who may create an invite and what accepting it does stay
 * with each domain.
 */

export type InviteTable = 'community_invites' | 'group_invites' | 'registration_invites';
export type InviteRecord<T extends InviteTable> = Selectable<Schema[T]>;
/** What a community or group invite admits into; registration invites have no such column. */
export interface InviteScope {
  column: 'community_id' | 'group_id';
  id: string;
}

export type InviteState = 'valid' | 'expired' | 'used_up';

const CODE_LENGTH = 12;
const HOUR_MS = 3_600_000;

export const inviteStateMessage: Readonly<Record<Exclude<InviteState, 'valid'>, string>> = {
  expired: 'invite expired',
  used_up: 'invite fully used',
};

/** The columns every new invite has: a random code, and an expiry `expires_in_hours` from now. */
export function newInvite(clock: Clock, createdBy: string, body: CreateInviteBody) {
  const hours = body.expires_in_hours;
  return {
    id: uuidv7(),
    code: randomCode(CODE_LENGTH, alphanumeric),
    created_by: createdBy,
    max_uses: body.max_uses ?? null,
    expires_at: hours === undefined ? null : new Date(clock.now() + hours * HOUR_MS),
  };
}

/** Expiry first, then uses, both as of `now`. */
export function inviteState(invite: Selectable<InvitesTable>, now: number): InviteState {
  if (invite.expires_at !== null && invite.expires_at.getTime() <= now) return 'expired';
  if (invite.max_uses !== null && invite.used_count >= invite.max_uses) return 'used_up';
  return 'valid';
}

/**
 * The three tables share these columns, which is all the queries below touch; community and group
 * invites add the id of what they admit into.
 */
type InviteColumns = InvitesTable & Partial<Record<InviteScope['column'], string>>;
const invites = (db: Db) => db as unknown as Kysely<Record<InviteTable, InviteColumns>>;

/** Newest first; ids are time-ordered, so they break ties between equal timestamps. */
export function listInvites<T extends InviteTable>(
  db: Db,
  table: T,
  scope: InviteScope | null,
  limit: number,
): Promise<InviteRecord<T>[]> {
  let query = invites(db)
    .selectFrom(table as InviteTable)
    .selectAll();
  if (scope !== null) query = query.where(scope.column, '=', scope.id);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute() as Promise<
    InviteRecord<T>[]
  >;
}

export function insertInvite<T extends InviteTable>(
  db: Db,
  table: T,
  invite: Insertable<Schema[T]>,
): Promise<InviteRecord<T>> {
  return invites(db)
    .insertInto(table as InviteTable)
    .values(invite as Insertable<InviteColumns>)
    .returningAll()
    .executeTakeFirstOrThrow() as Promise<InviteRecord<T>>;
}

/** False when there was no such invite (in `scope`, if given). */
export async function deleteInvite(
  db: Db,
  table: InviteTable,
  scope: InviteScope | null,
  id: string,
): Promise<boolean> {
  let query = invites(db).deleteFrom(table).where('id', '=', id);
  if (scope !== null) query = query.where(scope.column, '=', scope.id);
  return (await query.executeTakeFirst()).numDeletedRows > 0n;
}

export function findInviteByCode<T extends InviteTable>(
  db: Db,
  table: T,
  code: string,
): Promise<InviteRecord<T> | undefined> {
  return invites(db)
    .selectFrom(table as InviteTable)
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst() as Promise<InviteRecord<T> | undefined>;
}

/**
 * Takes one use if the invite is still valid at `now`, in one UPDATE: the row lock makes concurrent
 * takers queue, and each re-checks the condition on the row as the previous one left it, so at most
 * `max_uses` succeed.
 */
export async function consumeInvite(
  db: Db,
  table: InviteTable,
  invite: { id: string } | { code: string },
  now: Date,
): Promise<boolean> {
  const [column, value] = 'id' in invite ? (['id', invite.id] as const) : (['code', invite.code] as const);
  const result = await invites(db)
    .updateTable(table)
    .set((eb) => ({ used_count: eb('used_count', '+', 1) }))
    .where(column, '=', value)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('used_count', '<', eb.ref('max_uses'))]))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
