import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { call } from './factories.js';
import { createTestApp } from './harness.js';
import { buildWorld } from './world.js';

const { app, database } = await createTestApp();
const world = await buildWorld(app, database);
const { actors, communityId, channelId, groupId } = world;
const owner = actors.communityOwner;

const asOwner = (options: InjectOptions) =>
  call(app, { ...options, headers: { ...owner.headers, 'user-agent': 'ModerationTest/1.0' } });

async function auditOf(action: string) {
  return database.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}

describe('moderation is written to the audit log with who, from where and on whom', () => {
  it.each([
    [
      'timeout_removed',
      {
        method: 'DELETE',
        url: `/api/communities/${communityId}/channels/${channelId}/timeout/${actors.timedOut.user.id}`,
      },
    ],
    [
      'channel_kick',
      {
        method: 'POST',
        url: `/api/channels/${channelId}/members/${actors.moderator.user.id}/kick`,
        payload: {},
      },
    ],
    [
      'channel_ban',
      {
        method: 'POST',
        url: `/api/channels/${channelId}/members/${actors.member.user.id}/ban`,
        payload: { reason: 'spam' },
      },
    ],
    [
      'channel_unban',
      {
        method: 'POST',
        url: `/api/channels/${channelId}/members/${actors.member.user.id}/unban`,
        payload: {},
      },
    ],
    [
      'community_kick',
      { method: 'DELETE', url: `/api/communities/${communityId}/members/${actors.member.user.id}` },
    ],
    [
      'community_ban',
      {
        method: 'POST',
        url: `/api/communities/${communityId}/bans/${actors.outsider.user.id}`,
        payload: { reason: 'troll' },
      },
    ],
    [
      'community_unban',
      { method: 'DELETE', url: `/api/communities/${communityId}/bans/${actors.outsider.user.id}` },
    ],
    ['channel_deleted', { method: 'DELETE', url: `/api/groups/${groupId}/channels/${channelId}` }],
    ['group_deleted', { method: 'DELETE', url: `/api/groups/${groupId}` }],
  ] as Array<[string, InjectOptions]>)('%s', async (action, request) => {
    const response = await asOwner(request);
    expect(response.statusCode, response.body).toBe(200);
    const rows = await auditOf(action);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: owner.user.id, user_agent: 'ModerationTest/1.0' });
    expect(rows[0]?.ip_address).toMatch(/^10\./);
  });

  it('writes nothing for a refused action', async () => {
    const before = (await auditOf('community_kick')).length;
    const response = await call(app, {
      method: 'DELETE',
      url: `/api/communities/${communityId}/members/${actors.communityAdmin.user.id}`,
      headers: actors.moderator.headers,
    });
    expect(response.statusCode).toBe(403);
    expect(await auditOf('community_kick')).toHaveLength(before);
  });
});
