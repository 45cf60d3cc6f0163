import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { Db, MessagesTable } from '../../platform/db/schema.js';

export type FoundMessage = Selectable<MessagesTable>;

export interface SearchCriteria {
  /** The caller: only channels they are a member of are searched. */
  userId: string;
  /** Web-search syntax (`"phrase"`, `or`, `-word`); a last word typed up to its end matches as a prefix. */
  text: string;
  limit: number;
  /** Messages expiring at or before this are gone. */
  now: Date;
  channelId?: string | undefined;
  communityId?: string | undefined;
  /** Part of the sender's username, any case. */
  sender?: string | undefined;
  after?: Date | undefined;
  before?: Date | undefined;
  fileOnly: boolean;
}

/**
 * Only the newest this many matches are ranked, so that a common word costs a short walk down a time
 * index instead of ranking every message that contains it.
 */
export const RANKED_CANDIDATES = 500;

/** The best-ranked of the newest matches, ties newest first. */
export function searchMessages(db: Db, criteria: SearchCriteria): Promise<FoundMessage[]> {
  return searchQuery(db, criteria).execute();
}

/** The query `searchMessages` runs (exported to check its plan). */
export function searchQuery(db: Db, criteria: SearchCriteria) {
  const query = tsQuery(criteria.text);
  return db
    .selectFrom(newestMatches(db, criteria, query).as('m'))
    .selectAll()
    .orderBy(sql`ts_rank(m.search_vector, ${query})`, 'desc')
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(criteria.limit);
}

/**
 * The newest matches: down `messages_channel_created` in one channel, down the time-ordered primary key
 * across channels, or through `messages_search` and a sort when the words are rare.
 */
function newestMatches(db: Db, criteria: SearchCriteria, query: RawBuilder<string>) {
  const matches = filtered(db, readableMatches(db, criteria, query), criteria);
  const newest =
    criteria.channelId === undefined
      ? matches.orderBy('id', 'desc')
      : matches
          .where('channel_id', '=', criteria.channelId)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc');
  return newest.limit(RANKED_CANDIDATES);
}

/**
 * Plaintext messages matching `query` that the caller may read. `search_text is not null` and a query
 * that is a constant let the partial GIN index `messages_search` serve the match.
 */
function readableMatches(db: Db, criteria: SearchCriteria, query: RawBuilder<string>) {
  const memberships = db
    .selectFrom('channel_members')
    .select('channel_id')
    .where('user_id', '=', criteria.userId);
  return db
    .selectFrom('messages')
    .selectAll()
    .where('search_text', 'is not', null)
    .where(sql<boolean>`search_vector @@ ${query}`)
    .where('channel_id', 'in', memberships)
    .where('deleted_at', 'is', null)
    .where('quarantined_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', criteria.now)]));
}

function filtered(db: Db, matches: ReturnType<typeof readableMatches>, criteria: SearchCriteria) {
  let narrowed = matches;
  if (criteria.communityId !== undefined) {
    narrowed = narrowed.where('channel_id', 'in', communityChannels(db, criteria.communityId));
  }
  if (criteria.sender !== undefined) {
    const senders = db
      .selectFrom('users')
      .select('id')
      .where('username', 'ilike', containsPattern(criteria.sender));
    narrowed = narrowed.where('sender_id', 'in', senders);
  }
  if (criteria.after !== undefined) narrowed = narrowed.where('created_at', '>=', criteria.after);
  if (criteria.before !== undefined) narrowed = narrowed.where('created_at', '<=', criteria.before);
  if (criteria.fileOnly) narrowed = narrowed.where('message_type', '=', 'file');
  return narrowed;
}

function communityChannels(db: Db, communityId: string) {
  return db
    .selectFrom('channels')
    .innerJoin('groups', 'groups.id', 'channels.group_id')
    .select('channels.id')
    .where('groups.community_id', '=', communityId);
}

/** `websearch_to_tsquery`, with its last lexeme made a prefix when the text ends inside a word. */
function tsQuery(text: string): RawBuilder<string> {
  const query = sql<string>`websearch_to_tsquery('simple', ${text})`;
  if (!/[\p{L}\p{N}]$/u.test(text)) return query;
  return sql<string>`regexp_replace(${query}::text, '''$', ''':*')::tsquery`;
}

/** `%`, `_` and `\` match literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
