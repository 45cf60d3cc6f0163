import {
  banChannelMemberRequest,
  canonicalUuid,
  channelMembersQuery,
  createChannelRequest,
  transferChannelOwnershipRequest,
  updateChannelRequest,
  updateChannelRoleRequest,
} from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';
import { presentMemberInfo } from '../users/users.present.js';
import { ChannelModerationService } from './channel-moderation.service.js';
import { presentChannel } from './channels.present.js';
import { ChannelsService } from './channels.service.js';

const channelParams = z.object({ id: canonicalUuid });
const memberParams = z.object({ id: canonicalUuid, user_id: canonicalUuid });

/** Channels without their messages (rest-api.md §9); register inside the authenticated scope. */
export function channelsRoutes({ db, hub }: AppContext) {
  const channels = new ChannelsService(db, hub);
  const moderation = new ChannelModerationService(db, hub);
  return async (app: FastifyInstance) => {
    app.get('/api/channels', async (request) =>
      (await channels.list(caller(request).user)).map(presentChannel),
    );

    app.post('/api/channels', async (request) => {
      const body = parseInput(createChannelRequest, request.body);
      return presentChannel(await channels.create(caller(request).user, body));
    });

    app.get('/api/channels/:id', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      return presentChannel(await channels.get(caller(request).user, id));
    });

    app.patch('/api/channels/:id', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      const body = parseInput(updateChannelRequest, request.body);
      return presentChannel(await channels.update(caller(request).user, id, body));
    });

    app.post('/api/channels/:id/join', async (request, reply) => {
      const { id } = parseInput(channelParams, request.params);
      await channels.join(caller(request).user, id);
      return reply.send();
    });

    app.post('/api/channels/:id/leave', async (request, reply) => {
      const { id } = parseInput(channelParams, request.params);
      await channels.leave(caller(request).user, id);
      return reply.send();
    });

    app.get('/api/channels/:id/members', async (request) => {
      const { id } = parseInput(channelParams, request.params);
      const page = parseInput(channelMembersQuery, request.query);
      return (await channels.members(caller(request).user, id, page)).map(presentMemberInfo);
    });

    app.patch('/api/channels/:id/members/:user_id/role', async (request, reply) => {
      const { id, user_id } = parseInput(memberParams, request.params);
      const { role } = parseInput(updateChannelRoleRequest, request.body);
      await moderation.changeRole(caller(request).user, id, user_id, role);
      return reply.send();
    });

    app.post('/api/channels/:id/members/:user_id/kick', async (request, reply) => {
      const { id, user_id } = parseInput(memberParams, request.params);
      await moderation.kick(caller(request).user, id, user_id, originOf(request));
      return reply.send();
    });

    app.post('/api/channels/:id/members/:user_id/ban', async (request, reply) => {
      const { id, user_id } = parseInput(memberParams, request.params);
      const { reason } = parseInput(banChannelMemberRequest, request.body ?? {});
      await moderation.ban(caller(request).user, id, user_id, reason || null, originOf(request));
      return reply.send();
    });

    app.post('/api/channels/:id/members/:user_id/unban', async (request, reply) => {
      const { id, user_id } = parseInput(memberParams, request.params);
      await moderation.unban(caller(request).user, id, user_id, originOf(request));
      return reply.send();
    });

    app.post('/api/channels/:id/transfer-ownership', async (request, reply) => {
      const { id } = parseInput(channelParams, request.params);
      const { new_owner_id } = parseInput(transferChannelOwnershipRequest, request.body);
      await moderation.transferOwnership(caller(request).user, id, new_owner_id);
      return reply.send();
    });
  };
}
