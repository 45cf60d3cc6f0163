import { z } from 'zod';
import { canonicalUuid, optional, pageQuery, text, utf8Length } from './common.js';

/** Bookmark limits (server-behaviour.md §5); the note counts UTF-8 bytes, as the reference does. */
export const bookmarkLimits = {
  note: 500,
  listDefault: 100,
  listMax: 500,
} as const;

export const createBookmarkRequest = z.object({
  message_id: canonicalUuid,
  note: optional(
    text().refine(
      (value) => utf8Length(value) <= bookmarkLimits.note,
      `note must be at most ${bookmarkLimits.note} bytes`,
    ),
  ),
});
export type CreateBookmarkRequest = z.input<typeof createBookmarkRequest>;
export type CreateBookmarkBody = z.output<typeof createBookmarkRequest>;

export const bookmarksQuery = pageQuery(bookmarkLimits.listDefault, bookmarkLimits.listMax);

/** Bookmark (rest-api.md §1.11): no message content, only its id. */
export const bookmark = z.object({
  id: z.string(),
  message_id: z.string(),
  note: z.string().nullable(),
  created_at: z.string(),
});
export type Bookmark = z.infer<typeof bookmark>;
