import { z } from 'zod';
import { channel } from './channels.js';
import { canonicalUuid } from './common.js';
import { userPublic } from './users.js';

export const createDmRequest = z.object({ target_user_id: canonicalUuid });
export type CreateDmRequest = z.input<typeof createDmRequest>;

/** One DM as `GET /api/dms` and `POST /api/dms` return it (rest-api.md §15). */
export const dmChannel = z.object({ channel, other_user: userPublic });
export type DmChannel = z.infer<typeof dmChannel>;
