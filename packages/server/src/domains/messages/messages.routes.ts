import { canonicalUuid, historyQuery, threadQuery } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { caller } from '../../platform/auth/authenticate.js';
import { parseInput } from '../../platform/validation.js';
import type { HistoryService } from './history.service.js';
import type { ReadStateService } from './read-state.service.js';

const channelParams = z.object({ id: canonicalUuid });
const messageParams = z.object({ id: canonicalUuid, msg_id: canonicalUuid });

/** Reading messages and read state over REST (rest-api.md §9–§10); writes go over the WebSocket. */
export function messagesRoutes(history: HistoryService, readState: ReadStateService) {
  return async (app: FastifyInstance) => {
    app.get('/api/channels/:id/messages', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      return history.history(caller(request).user.id, id, parseInput(historyQuery, request.query));
    });

    app.get('/api/channels/:id/threads/:msg_id', async (request) => {
      const { id, msg_id } = parseInput(messageParams, request.params);
      return history.thread(caller(request).user.id, id, msg_id, parseInput(threadQuery, request.query));
    });

    app.get('/api/channels/:id/messages/:msg_id/history', async (request) => {
      const { id, msg_id } = parseInput(messageParams, request.params);
      return history.edits(caller(request).user.id, id, msg_id);
    });

    app.get('/api/channels/unread', async (request) => readState.unread(caller(request).user.id));

    app.get('/api/channels/:id/read-cursors', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      return readState.cursors(caller(request).user.id, id);
    });
  };
}
