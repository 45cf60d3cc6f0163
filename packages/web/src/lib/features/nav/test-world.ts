import { channel, community, dm, type fakeHttp, group, user } from './test-fixtures';

/** Two communities with groups, channels and a DM, served by a fake `http`. */
export function serveWorld(fake: ReturnType<typeof fakeHttp>) {
  const beta = community({ name: 'Beta' });
  const alpha = community({ name: 'Alpha' });
  const design = group(alpha.id, { name: 'Design' });
  const backend = group(alpha.id, { name: 'Backend' });
  const betaGroup = group(beta.id, { name: 'Lounge' });
  const api = channel(backend.id, { name: 'api' });
  const ui = channel(design.id, { name: 'ui' });
  const lounge = channel(betaGroup.id, { name: 'lounge' });
  const standalone = channel(null, { name: 'random' });
  const bob = user({ username: 'bob', display_name: 'Bob' });
  const withBob = dm(bob);
  fake.on('GET /api/communities', [beta, alpha]);
  fake.on('GET /api/groups', [design, backend, betaGroup]);
  fake.on('GET /api/channels', [api, ui, lounge, standalone]);
  fake.on('GET /api/dms', [withBob]);
  fake.on('GET /api/channels/unread', [{ channel_id: ui.id, unread_count: 3 }]);
  return { alpha, beta, design, backend, betaGroup, api, ui, lounge, standalone, bob, withBob };
}
