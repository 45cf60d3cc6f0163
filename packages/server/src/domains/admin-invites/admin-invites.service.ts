import type { CreateRegistrationInviteBody, RegistrationInvite } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { AuthContext } from '../../platform/auth/authenticate.js';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { alphanumeric, randomCode, uuidv7 } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { actorOf, type RequestOrigin } from '../auth/auth.service.js';
import { presentInvite } from './admin-invites.present.js';
import { deleteInvite, insertInvite, listInvites } from './admin-invites.repo.js';

const MAX_LISTED = 500;
const CODE_LENGTH = 12;
const HOUR_MS = 3_600_000;

/** Server-wide registration invites (rest-api.md §26.2); callers must already be instance admins. */
export class AdminInvitesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<RegistrationInvite[]> {
    return (await listInvites(this.db, MAX_LISTED)).map(presentInvite);
  }

  async create(
    admin: AuthContext,
    body: CreateRegistrationInviteBody,
    origin: RequestOrigin,
  ): Promise<RegistrationInvite> {
    const hours = body.expires_in_hours;
    const expiresAt = hours === undefined ? null : new Date(this.clock.now() + hours * HOUR_MS);
    const invite = await this.db.transaction().execute(async (trx) => {
      const created = await insertInvite(trx, {
        id: uuidv7(),
        code: randomCode(CODE_LENGTH, alphanumeric),
        created_by: admin.user.id,
        max_uses: body.max_uses ?? null,
        expires_at: expiresAt,
      });
      await recordAudit(trx, 'registration_invite_created', actorOf(admin.user.id, origin), {
        invite_id: created.id,
        max_uses: created.max_uses,
        expires_in_hours: hours ?? null,
      });
      return created;
    });
    return presentInvite(invite);
  }

  async delete(admin: AuthContext, id: string, origin: RequestOrigin): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const deleted = await deleteInvite(trx, id);
      if (!deleted) throw new AppError('not_found', 'invite not found');
      await recordAudit(trx, 'registration_invite_deleted', actorOf(admin.user.id, origin), {
        invite_id: id,
      });
    });
  }
}
