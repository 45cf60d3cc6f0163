import {
  createGroupChannelRequest,
  createGroupRequest,
  groupMembersQuery,
  transferGroupOwnershipRequest,
  updateGroupChannelRequest,
  updateGroupRequest,
  uuid,
} from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';
import { presentMemberInfo } from '../users/users.present.js';
import { GroupChannelsService } from './group-channels.service.js';
import { presentGroup, presentGroupChannel } from './groups.present.js';
import { GroupsService } from './groups.service.js';

const groupParams = z.object({ id: uuid });
const channelParams = z.object({ id: uuid, channel_id: uuid });

/** Groups, their membership and their channels (rest-api.md §8.1–8.2); register inside the authenticated scope. */
export function groupsRoutes({ db, hub }: AppContext) {
  const groups = new GroupsService(db, hub);
  const channels = new GroupChannelsService(db, hub);
  return async (app: FastifyInstance) => {
    app.get('/api/groups', async (request) =>
      (await groups.listMine(caller(request).user)).map(presentGroup),
    );

    app.post('/api/groups', async (request) => {
      const body = parseInput(createGroupRequest, request.body);
      return presentGroup(await groups.create(caller(request).user, body));
    });

    app.get('/api/groups/discover', async (request) =>
      (await groups.discover(caller(request).user)).map(presentGroup),
    );

    app.get('/api/groups/:id', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      return presentGroup(await groups.get(caller(request).user, id));
    });

    app.patch('/api/groups/:id', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      const body = parseInput(updateGroupRequest, request.body);
      return presentGroup(await groups.update(caller(request).user, id, body));
    });

    app.delete('/api/groups/:id', async (request, reply) => {
      const { id } = parseInput(groupParams, request.params);
      await groups.delete(caller(request).user, id, originOf(request));
      return reply.send();
    });

    app.post('/api/groups/:id/transfer-ownership', async (request, reply) => {
      const { id } = parseInput(groupParams, request.params);
      const { new_owner_id } = parseInput(transferGroupOwnershipRequest, request.body);
      await groups.transferOwnership(caller(request).user, id, new_owner_id);
      return reply.send();
    });

    app.post('/api/groups/:id/join', async (request, reply) => {
      const { id } = parseInput(groupParams, request.params);
      await groups.join(caller(request).user, id);
      return reply.send();
    });

    app.post('/api/groups/:id/leave', async (request, reply) => {
      const { id } = parseInput(groupParams, request.params);
      await groups.leave(caller(request).user, id);
      return reply.send();
    });

    app.get('/api/groups/:id/members', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      const page = parseInput(groupMembersQuery, request.query);
      return (await groups.members(caller(request).user, id, page)).map(presentMemberInfo);
    });

    app.get('/api/groups/:id/channels', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      return (await channels.list(caller(request).user, id)).map(presentGroupChannel);
    });

    app.post('/api/groups/:id/channels', async (request) => {
      const { id } = parseInput(groupParams, request.params);
      const body = parseInput(createGroupChannelRequest, request.body);
      return presentGroupChannel(await channels.create(caller(request).user, id, body));
    });

    app.patch('/api/groups/:id/channels/:channel_id', async (request) => {
      const { id, channel_id } = parseInput(channelParams, request.params);
      const body = parseInput(updateGroupChannelRequest, request.body);
      return presentGroupChannel(await channels.update(caller(request).user, id, channel_id, body));
    });

    app.delete('/api/groups/:id/channels/:channel_id', async (request, reply) => {
      const { id, channel_id } = parseInput(channelParams, request.params);
      await channels.delete(caller(request).user, id, channel_id, originOf(request));
      return reply.send();
    });
  };
}
