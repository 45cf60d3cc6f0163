import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AuthResponse } from '@chatalot/protocol';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The only certificate trusted for https (verification stays on). */
  ca?: Buffer;
  /** The client's own address on the loopback network, e.g. 127.0.0.2. */
  localAddress?: string;
}

/** One request over http or https (by the URL), its whole answer read; never follows redirects. */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const { method = 'GET', headers = {}, body, ca, localAddress } = options;
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(url, { method, headers, ca, localAddress, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A JSON API call that must succeed: the parsed answer. */
export async function api<T>(
  baseUrl: string,
  method: string,
  url: string,
  options: Omit<RequestOptions, 'method' | 'body'> & { token?: string; body?: object } = {},
): Promise<T> {
  const { token, body, headers = {}, ...rest } = options;
  const reply = await request(`${baseUrl}${url}`, {
    ...rest,
    method,
    headers: {
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body && JSON.stringify(body),
  });
  if (reply.status >= 300) throw new Error(`${method} ${url}: ${reply.status} ${reply.body}`);
  return (reply.body === '' ? undefined : JSON.parse(reply.body)) as T;
}

/** `owner`'s new community with `members` in it, and its public group's #general: the channel id. */
export async function sharedChannel(
  baseUrl: string,
  ca: Buffer,
  owner: AuthResponse,
  members: AuthResponse[],
): Promise<string> {
  const call = <T>(user: AuthResponse, method: string, url: string, body?: object) =>
    api<T>(baseUrl, method, url, { ca, token: user.access_token, body });
  const community = await call<{ id: string }>(owner, 'POST', '/api/communities', { name: 'Deployed' });
  const { code } = await call<{ code: string }>(
    owner,
    'POST',
    `/api/communities/${community.id}/invites`,
    {},
  );
  for (const member of members) await call(member, 'POST', `/api/community-invites/${code}/accept`);
  const group = await call<{ id: string }>(owner, 'POST', '/api/groups', {
    community_id: community.id,
    name: 'Team',
    visibility: 'public',
  });
  const channels = await call<Array<{ id: string; name: string }>>(
    owner,
    'GET',
    `/api/groups/${group.id}/channels`,
  );
  const general = channels.find((channel) => channel.name === 'general');
  if (!general) throw new Error(`no #general in ${JSON.stringify(channels)}`);
  return general.id;
}
