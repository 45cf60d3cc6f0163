import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptInvite, previewInvite } from './invites';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const failure = (status: number, message: string) =>
  json({ error: { code: status === 404 ? 'not_found' : 'validation_error', message } }, status);

function serve(routes: Record<string, () => Response>) {
  const fetch = vi.fn(async (url: string) => routes[url]?.() ?? failure(404, 'not found'));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

afterEach(() => vi.unstubAllGlobals());

describe('invite links', () => {
  it('previews a community invite first', async () => {
    serve({
      '/api/community-invites/abc': () =>
        json({ community_name: 'Café', community_description: null, member_count: 3, code: 'abc' }),
    });
    expect(await previewInvite('abc')).toEqual({
      kind: 'community',
      code: 'abc',
      name: 'Café',
      description: null,
      memberCount: 3,
    });
  });

  it('falls back to a group invite, and accepts the kind it found', async () => {
    const fetch = serve({
      '/api/invites/xyz': () =>
        json({ group_name: 'Knitting', group_description: 'Yarn', member_count: 1, code: 'xyz' }),
      '/api/invites/xyz/accept': () => json({ group_id: 'g1', group_name: 'Knitting' }),
    });
    const invite = await previewInvite('xyz');
    expect(invite.kind).toBe('group');
    expect(await acceptInvite(invite)).toEqual({ kind: 'group', id: 'g1', name: 'Knitting' });
    expect(fetch.mock.calls.map(([url]) => url)).toEqual([
      '/api/community-invites/xyz',
      '/api/invites/xyz',
      '/api/invites/xyz/accept',
    ]);
  });

  it('reports the more telling of the two failures', async () => {
    serve({ '/api/community-invites/old': () => failure(400, 'invite expired') });
    await expect(previewInvite('old')).rejects.toThrow('invite expired');
    serve({ '/api/invites/used': () => failure(400, 'invite fully used') });
    await expect(previewInvite('used')).rejects.toThrow('invite fully used');
    serve({});
    await expect(previewInvite('nothing')).rejects.toThrow('not found');
  });
});
