import { bookmarksQuery, canonicalUuid, createBookmarkRequest } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import { MessagesService } from '../messages/messages.service.js';
import { presentBookmark } from './bookmarks.present.js';
import { BookmarksService } from './bookmarks.service.js';

const bookmarkParams = z.object({ id: canonicalUuid });

/** Bookmarks (rest-api.md §14); register inside the authenticated scope. */
export function bookmarksRoutes({ db, hub, clock }: AppContext) {
  const bookmarks = new BookmarksService(db, clock, new MessagesService(db, hub, clock));
  return async (app: FastifyInstance) => {
    app.post('/api/bookmarks', async (request) => {
      const body = parseInput(createBookmarkRequest, request.body);
      return presentBookmark(await bookmarks.create(caller(request).user, body));
    });

    app.get('/api/bookmarks', async (request) => {
      const page = parseInput(bookmarksQuery, request.query);
      return (await bookmarks.list(caller(request).user, page)).map(presentBookmark);
    });

    app.delete('/api/bookmarks/:id', async (request, reply) => {
      const { id } = parseInput(bookmarkParams, request.params);
      await bookmarks.delete(caller(request).user, id);
      return reply.send();
    });
  };
}
