import {
  banRequest,
  canonicalUuid,
  createCommunityInviteRequest,
  createCommunityRequest,
  pageQuery,
  setMemberRoleRequest,
  setNicknameRequest,
  text,
  timeoutRequest,
  transferOwnershipRequest,
  updateCommunityRequest,
  warnRequest,
} from '@chatalot/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { caller } from '../../platform/auth/authenticate.js';
import { originOf } from '../../platform/request-origin.js';
import { parseInput } from '../../platform/validation.js';
import { CommunitiesService } from './communities.service.js';
import { CommunityInvitesService } from './invites.service.js';
import { ModerationService } from './moderation.service.js';

const communityParams = z.object({ cid: canonicalUuid });
const memberParams = communityParams.extend({ uid: canonicalUuid });
const inviteParams = communityParams.extend({ iid: canonicalUuid });
const channelParams = communityParams.extend({ chid: canonicalUuid });
const channelMemberParams = channelParams.extend({ uid: canonicalUuid });
const codeParams = z.object({ code: text() });
const communitiesQuery = pageQuery(100, 500);
const membersQuery = pageQuery(200, 500);

const user = (request: FastifyRequest) => caller(request).user;
const cid = (request: FastifyRequest) => parseInput(communityParams, request.params).cid;

/** Communities (rest-api.md §7, without the uploads); register inside the authenticated scope. */
export function communitiesRoutes({ db, hub, clock, config }: AppContext) {
  const communities = new CommunitiesService(db, hub, config);
  const invites = new CommunityInvitesService(db, clock);
  const moderation = new ModerationService(db, hub, clock);
  return async (app: FastifyInstance) => {
    app.get('/api/communities', async (request) =>
      communities.list(user(request), parseInput(communitiesQuery, request.query)),
    );
    app.post('/api/communities', async (request) =>
      communities.create(user(request), parseInput(createCommunityRequest, request.body)),
    );

    app.get('/api/community-invites/:code', async (request) =>
      invites.preview(parseInput(codeParams, request.params).code),
    );
    app.post('/api/community-invites/:code/accept', async (request) =>
      invites.accept(user(request), parseInput(codeParams, request.params).code),
    );

    app.get('/api/communities/:cid', async (request) => communities.get(user(request), cid(request)));
    app.patch('/api/communities/:cid', async (request) =>
      communities.update(user(request), cid(request), parseInput(updateCommunityRequest, request.body)),
    );
    app.delete('/api/communities/:cid', async (request, reply) => {
      await communities.delete(user(request), cid(request));
      return reply.send();
    });
    app.post('/api/communities/:cid/transfer-ownership', async (request, reply) => {
      const { new_owner_id } = parseInput(transferOwnershipRequest, request.body);
      await communities.transferOwnership(user(request), cid(request), new_owner_id);
      return reply.send();
    });
    app.post('/api/communities/:cid/leave', async (request, reply) => {
      await communities.leave(user(request), cid(request));
      return reply.send();
    });
    app.get('/api/communities/:cid/groups', async (request) =>
      communities.groups(user(request), cid(request)),
    );

    app.get('/api/communities/:cid/members', async (request) =>
      communities.members(user(request), cid(request), parseInput(membersQuery, request.query)),
    );
    app.put('/api/communities/:cid/members/:uid/role', async (request, reply) => {
      const params = parseInput(memberParams, request.params);
      const { role } = parseInput(setMemberRoleRequest, request.body);
      await communities.setRole(user(request), params.cid, params.uid, role);
      return reply.send();
    });
    app.put('/api/communities/:cid/members/:uid/nickname', async (request, reply) => {
      const params = parseInput(memberParams, request.params);
      const { nickname } = parseInput(setNicknameRequest, request.body);
      await communities.setNickname(user(request), params.cid, params.uid, nickname);
      return reply.send();
    });
    app.delete('/api/communities/:cid/members/:uid', async (request, reply) => {
      const params = parseInput(memberParams, request.params);
      await moderation.kick(user(request), params.cid, params.uid, originOf(request));
      return reply.send();
    });

    app.get('/api/communities/:cid/bans', async (request) => moderation.bans(user(request), cid(request)));
    app.post('/api/communities/:cid/bans/:uid', async (request, reply) => {
      const params = parseInput(memberParams, request.params);
      const { reason } = parseInput(banRequest, request.body ?? {});
      await moderation.ban(user(request), params.cid, params.uid, reason, originOf(request));
      return reply.send();
    });
    app.delete('/api/communities/:cid/bans/:uid', async (request, reply) => {
      const params = parseInput(memberParams, request.params);
      await moderation.unban(user(request), params.cid, params.uid, originOf(request));
      return reply.send();
    });

    app.get('/api/communities/:cid/invites', async (request) => invites.list(user(request), cid(request)));
    app.post('/api/communities/:cid/invites', async (request) =>
      invites.create(
        user(request),
        cid(request),
        parseInput(createCommunityInviteRequest, request.body ?? {}),
      ),
    );
    app.delete('/api/communities/:cid/invites/:iid', async (request, reply) => {
      const params = parseInput(inviteParams, request.params);
      await invites.delete(user(request), params.cid, params.iid);
      return reply.send();
    });

    app.post('/api/communities/:cid/channels/:chid/timeout', async (request) => {
      const params = parseInput(channelParams, request.params);
      const body = parseInput(timeoutRequest, request.body);
      return moderation.timeout(user(request), params.cid, params.chid, body);
    });
    app.delete('/api/communities/:cid/channels/:chid/timeout/:uid', async (request, reply) => {
      const params = parseInput(channelMemberParams, request.params);
      await moderation.removeTimeout(user(request), params.cid, params.chid, params.uid, originOf(request));
      return reply.send();
    });
    app.post('/api/communities/:cid/channels/:chid/warn', async (request) => {
      const params = parseInput(channelParams, request.params);
      return moderation.warn(user(request), params.cid, params.chid, parseInput(warnRequest, request.body));
    });
    app.get('/api/communities/:cid/channels/:chid/warnings/:uid', async (request) => {
      const params = parseInput(channelMemberParams, request.params);
      return moderation.warnings(user(request), params.cid, params.chid, params.uid);
    });
  };
}
