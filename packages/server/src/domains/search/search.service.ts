import type { ChannelSearchQuery, MessageSearchQuery } from '@chatalot/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Schema } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { canViewChannel } from '../channels/channels.policy.js';
import { storedChannelRole } from '../permissions/access.js';
import { type FoundMessage, type SearchCriteria, searchMessages } from './search.repo.js';

/**
 * Full-text search over messages stored in plaintext (rest-api.md §10): end-to-end encrypted content is
 * opaque to the server and never matches. Only channels the caller is a member of are searched.
 */
export class SearchService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {}

  /** Non-members get 403 whether or not the channel exists. */
  async inChannel(userId: string, channelId: string, query: ChannelSearchQuery): Promise<FoundMessage[]> {
    if (!canViewChannel(await storedChannelRole(this.db, channelId, userId))) throw new AppError('forbidden');
    return searchMessages(this.db, { ...this.criteria(userId, query), channelId });
  }

  /** Every channel of the caller's, or those of one community's groups. */
  everywhere(userId: string, query: MessageSearchQuery): Promise<FoundMessage[]> {
    return searchMessages(this.db, { ...this.criteria(userId, query), communityId: query.community_id });
  }

  private criteria(userId: string, query: ChannelSearchQuery): SearchCriteria {
    return {
      userId,
      text: query.q,
      limit: query.limit,
      now: new Date(this.clock.now()),
      sender: query.sender,
      after: query.after,
      before: query.before,
      fileOnly: query.has_file,
    };
  }
}
