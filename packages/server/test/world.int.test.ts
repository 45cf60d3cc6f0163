import { describe, expect, it } from 'vitest';
import { createTestApp } from './harness.js';
import { actorNames, buildWorld } from './world.js';

describe('the test world', () => {
  it('has one signed-in actor of each kind around one community', async () => {
    const { app, database } = await createTestApp();
    const world = await buildWorld(app, database);
    for (const name of actorNames) {
      const me = await app.inject({
        url: '/api/account/me',
        headers: world.actors[name].headers,
        remoteAddress: '10.99.0.1',
      });
      expect(me.statusCode, name).toBe(200);
    }
    expect(world.actors.instanceOwner.user.is_owner).toBe(true);
    const members = await database.db
      .selectFrom('community_members')
      .select(['user_id', 'role'])
      .where('community_id', '=', world.communityId)
      .execute();
    expect(members).toHaveLength(5);
  });
});

describe('user visibility through communities', () => {
  it('lets community mates see and find each other, and nobody else', async () => {
    const { app, database } = await createTestApp();
    const { actors } = await buildWorld(app, database);
    const get = (viewer: keyof typeof actors, target: keyof typeof actors) =>
      app.inject({
        url: `/api/users/${actors[target].user.id}`,
        headers: actors[viewer].headers,
        remoteAddress: '10.98.0.1',
      });
    expect((await get('member', 'moderator')).statusCode).toBe(200);
    expect((await get('member', 'outsider')).statusCode).toBe(404);
    expect((await get('outsider', 'member')).statusCode).toBe(404);
    expect((await get('member', 'banned')).statusCode).toBe(404);
    const search = await app.inject({
      url: `/api/users/search?q=${actors.moderator.username.slice(0, 6)}`,
      headers: actors.member.headers,
      remoteAddress: '10.98.0.2',
    });
    const found = search.json<Array<{ id: string }>>().map((user) => user.id);
    expect(found).toContain(actors.moderator.user.id);
    expect(found).not.toContain(actors.outsider.user.id);
    expect(found).not.toContain(actors.member.user.id);
  });
});
