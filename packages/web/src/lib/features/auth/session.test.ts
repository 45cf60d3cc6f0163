import type { UserPublic } from '@chatalot/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, http } from '$lib/api/http';
import { REFRESH_TOKEN_KEY, session } from './session.svelte';

const user: UserPublic = {
  id: 'user-1',
  username: 'ada',
  display_name: 'Ada',
  avatar_url: null,
  banner_url: null,
  status: 'online',
  custom_status: null,
  is_admin: false,
  is_owner: false,
  created_at: '2026-01-01T00:00:00Z',
};

/** A JWT-shaped token whose payload names the user and session (the client never checks signatures). */
function jwt(claims: Record<string, string>): string {
  const payload = btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `header.${payload}.signature`;
}

const firstToken = jwt({ sub: 'user-1', sid: 'session-1', n: '1' });
const secondToken = jwt({ sub: 'user-1', sid: 'session-1', n: '2' });

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

type Route = (call: Call) => Response | Promise<Response>;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const unauthorized = () => json({ error: { code: 'unauthorized', message: 'unauthorized' } }, 401);

let calls: Call[] = [];

function serve(route: Route): void {
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const call: Call = {
      method: init.method ?? 'GET',
      url: input,
      authorization: headers.get('authorization'),
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    return route(call);
  });
}

/** The access token is valid only when it is the second one; refresh hands it out. */
function expiringServer(options: { refresh?: () => Response } = {}): Route {
  return async (call) => {
    if (call.url === '/api/auth/refresh') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return options.refresh?.() ?? json({ access_token: secondToken, refresh_token: 'refresh-2' });
    }
    if (call.url === '/api/account/sessions/session-1') return new Response(null, { status: 200 });
    return call.authorization === `Bearer ${secondToken}` ? json({ ok: call.url }) : unauthorized();
  };
}

beforeEach(() => {
  calls = [];
  localStorage.clear();
  session.begin({ access_token: firstToken, refresh_token: 'refresh-1', user });
});

afterEach(async () => {
  vi.unstubAllGlobals();
  await session.signOut('other-tab');
});

describe('http with the session', () => {
  it('adds the access token and returns the parsed body, or undefined for an empty one', async () => {
    serve((call) => (call.method === 'DELETE' ? new Response(null, { status: 200 }) : json({ id: 7 })));
    expect(await http.get('/communities', { limit: 5, offset: undefined })).toEqual({ id: 7 });
    expect(await http.delete('/api/communities/c1')).toBeUndefined();
    expect(calls.map((call) => call.url)).toEqual(['/api/communities?limit=5', '/api/communities/c1']);
    expect(calls[0]?.authorization).toBe(`Bearer ${firstToken}`);
  });

  it('shares one refresh among concurrent 401s and retries each request once', async () => {
    serve(expiringServer());
    const results = await Promise.all([http.get('/a'), http.get('/b'), http.post('/c', { x: 1 })]);
    expect(results).toEqual([{ ok: '/api/a' }, { ok: '/api/b' }, { ok: '/api/c' }]);
    const refreshes = calls.filter((call) => call.url === '/api/auth/refresh');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.body).toEqual({ refresh_token: 'refresh-1' });
    expect(calls.filter((call) => call.url === '/api/c').map((call) => call.body)).toEqual([
      { x: 1 },
      { x: 1 },
    ]);
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
    expect(session.accessToken).toBe(secondToken);
  });

  it('does not refresh again for a request that failed with the token an earlier refresh replaced', async () => {
    serve(expiringServer());
    await http.get('/a');
    session.accessToken = firstToken;
    const late = http.get('/b');
    session.accessToken = secondToken;
    expect(await late).toEqual({ ok: '/api/b' });
    expect(calls.filter((call) => call.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('signs out when the refresh is refused, and clears personal data but not device settings', async () => {
    localStorage.setItem('chatalot:draft:c1', 'half a thought');
    localStorage.setItem('chatalot:theme', 'dark');
    const signedOut = vi.fn();
    const stop = session.onSignOut(signedOut);
    serve(expiringServer({ refresh: unauthorized }));
    const error = await http.get('/a').catch((caught: unknown) => caught);
    stop();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(session.user).toBeNull();
    expect(session.endedBecause).toBe('expired');
    expect(signedOut).toHaveBeenCalledOnce();
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(localStorage.getItem('chatalot:draft:c1')).toBeNull();
    expect(localStorage.getItem('chatalot:theme')).toBe('dark');
  });

  it('signs out when the retried request is refused again', async () => {
    serve((call) =>
      call.url === '/api/auth/refresh'
        ? json({ access_token: secondToken, refresh_token: 'refresh-2' })
        : unauthorized(),
    );
    const error = await http.get('/a').catch((caught: unknown) => caught);
    expect((error as ApiError).status).toBe(401);
    expect(calls.map((call) => call.url)).toEqual(['/api/a', '/api/auth/refresh', '/api/a']);
    expect(session.user).toBeNull();
    expect(session.endedBecause).toBe('expired');
  });

  it('keeps the session when the refresh cannot reach the server', async () => {
    serve((call) => {
      if (call.url === '/api/auth/refresh') throw new TypeError('Failed to fetch');
      return unauthorized();
    });
    const error = await http.get('/a').catch((caught: unknown) => caught);
    expect((error as ApiError).code).toBe('network_error');
    expect(session.user).toEqual(user);
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
  });

  it('turns a 429 into an ApiError with the Retry-After seconds', async () => {
    serve(() =>
      json({ error: { code: 'rate_limited', message: 'too many authentication attempts' } }, 429, {
        'retry-after': '5',
      }),
    );
    const error = (await http
      .post('/auth/login', {}, { anonymous: true })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.retryAfterSeconds]).toEqual([
      429,
      'rate_limited',
      'too many authentication attempts',
      5,
    ]);
    expect(calls[0]?.authorization).toBeNull();
  });

  it('never refreshes for anonymous calls such as a failed sign-in', async () => {
    serve(() => json({ error: { code: 'unauthorized', message: 'invalid username or password' } }, 401));
    const error = (await http
      .post('/auth/login', {}, { anonymous: true })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe('invalid username or password');
    expect(calls).toHaveLength(1);
    expect(session.user).toEqual(user);
  });

  it('reports a non-JSON failure by its status', async () => {
    serve(() => new Response('Bad Gateway', { status: 502 }));
    const error = (await http.get('/a').catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code, error.message]).toEqual([502, 'http_error', 'HTTP 502']);
  });
});

describe('session', () => {
  it('restores from the stored refresh token', async () => {
    await session.signOut('other-tab');
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    serve((call) => {
      if (call.url === '/api/auth/refresh')
        return json({ access_token: secondToken, refresh_token: 'refresh-2' });
      return call.url === '/api/account/me' && call.authorization === `Bearer ${secondToken}`
        ? json(user)
        : unauthorized();
    });
    const [first, second] = await Promise.all([session.restore(), session.restore()]);
    expect([first, second]).toEqual([true, true]);
    expect(session.user).toEqual(user);
    expect(calls.filter((call) => call.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('restores nothing without a stored token, and rejects while the server is unreachable', async () => {
    await session.signOut('other-tab');
    localStorage.clear();
    serve(() => {
      throw new TypeError('Failed to fetch');
    });
    expect(await session.restore()).toBe(false);
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    const error = await session.restore().catch((caught: unknown) => caught);
    expect((error as ApiError).code).toBe('network_error');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
  });

  it('revokes its own server session when signing out', async () => {
    serve(expiringServer());
    await session.signOut();
    await vi.waitFor(() =>
      expect(calls.map((call) => call.url)).toContain('/api/account/sessions/session-1'),
    );
    const revoke = calls.find((call) => call.url === '/api/account/sessions/session-1');
    expect([revoke?.method, revoke?.authorization]).toEqual(['DELETE', `Bearer ${firstToken}`]);
    expect(session.endedBecause).toBe('signed-out');
  });

  it('signs out when another tab removes the refresh token', async () => {
    const signedOut = vi.fn();
    const stop = session.onSignOut(signedOut);
    localStorage.removeItem(REFRESH_TOKEN_KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: REFRESH_TOKEN_KEY, newValue: null }));
    await vi.waitFor(() => expect(signedOut).toHaveBeenCalledOnce());
    stop();
    expect(session.user).toBeNull();
    expect(session.endedBecause).toBe('other-tab');
  });

  it('signs out, leaving the stored token alone, when the refresh hands out another account', async () => {
    serve(() => json({ access_token: jwt({ sub: 'user-2', sid: 's' }), refresh_token: 'theirs' }));
    localStorage.setItem(REFRESH_TOKEN_KEY, 'theirs-before');
    expect(await session.refresh()).toBe(false);
    expect(session.endedBecause).toBe('other-account');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('theirs-before');
  });
});
