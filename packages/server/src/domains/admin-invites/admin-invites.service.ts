import type { CreateInviteBody, RegistrationInvite } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { AuthContext } from '../../platform/auth/authenticate.js';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { deleteInvite, insertInvite, listInvites, newInvite } from '../invites/invite-codes.js';
import { presentInvite } from './admin-invites.present.js';

const TABLE = 'registration_invites';
const MAX_LISTED = 500;

/** Server-wide registration invites (rest-api.md §26.2); callers must already be instance admins. */
export class AdminInvitesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<RegistrationInvite[]> {
    return (await listInvites(this.db, TABLE, null, MAX_LISTED)).map(presentInvite);
  }

  async create(
    admin: AuthContext,
    body: CreateInviteBody,
    origin: RequestOrigin,
  ): Promise<RegistrationInvite> {
    const fields = newInvite(this.clock, admin.user.id, body);
    const invite = await this.db.transaction().execute(async (trx) => {
      const created = await insertInvite(trx, TABLE, fields);
      await recordAudit(trx, 'registration_invite_created', actorOf(admin.user.id, origin), {
        invite_id: created.id,
        max_uses: created.max_uses,
        expires_in_hours: body.expires_in_hours ?? null,
      });
      return created;
    });
    return presentInvite(invite);
  }

  async delete(admin: AuthContext, id: string, origin: RequestOrigin): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await deleteInvite(trx, TABLE, null, id))) throw new AppError('not_found', 'invite not found');
      await recordAudit(trx, 'registration_invite_deleted', actorOf(admin.user.id, origin), {
        invite_id: id,
      });
    });
  }
}
