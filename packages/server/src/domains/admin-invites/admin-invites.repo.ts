import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { RegistrationInvitesTable, Schema } from '../../platform/db/schema.js';

type Db = Kysely<Schema> | Transaction<Schema>;

export type InviteRecord = Selectable<RegistrationInvitesTable>;

/** Newest first; ids are time-ordered, so they break ties between equal timestamps. */
export function listInvites(db: Db, limit: number): Promise<InviteRecord[]> {
  return db
    .selectFrom('registration_invites')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function insertInvite(db: Db, invite: Insertable<RegistrationInvitesTable>): Promise<InviteRecord> {
  return db.insertInto('registration_invites').values(invite).returningAll().executeTakeFirstOrThrow();
}

export function deleteInvite(db: Db, id: string): Promise<InviteRecord | undefined> {
  return db.deleteFrom('registration_invites').where('id', '=', id).returningAll().executeTakeFirst();
}
