import type { AuthResponse, RegisterRequest } from '@chatalot/protocol';
import { goodPassword, registrationBody } from '../../packages/server/test/factories.js';

/** An account made by the test, with what signs it in again. */
export interface Account extends AuthResponse {
  username: string;
  password: string;
}

/** Who calls: an account (its access token), a bare access token, or nobody. */
export type Caller = Pick<AuthResponse, 'access_token'> | string | null;

/** The REST API of one server, as the tests call it from Node (from 127.0.0.1, a rate-limit bucket of its own). */
export class Rest {
  constructor(readonly baseUrl: string) {}

  /** Calls the API; resolves with the parsed JSON (`undefined` for an empty body), throws on an error status. */
  async api<T = unknown>(method: string, url: string, as: Caller = null, body?: unknown): Promise<T> {
    const token = typeof as === 'string' ? as : as?.access_token;
    const response = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Registers over REST with a key bundle made in Node (so no browser holds its private keys). */
  async register(overrides: Partial<RegisterRequest> = {}): Promise<Account> {
    const body = registrationBody(overrides);
    const auth = await this.api<AuthResponse>('POST', '/api/auth/register', null, body);
    return { ...auth, username: body.username, password: body.password };
  }

  /** A session of its own (so a browser's refresh token is left alone). */
  async login(username: string, password = goodPassword): Promise<Account> {
    const auth = await this.api<AuthResponse>('POST', '/api/auth/login', null, { username, password });
    return { ...auth, username, password };
  }

  /** A community code `owner` makes, accepted by each of `members`. */
  async invite(owner: Caller, communityId: string, members: Caller[]): Promise<string> {
    const { code } = await this.api<{ code: string }>(
      'POST',
      `/api/communities/${communityId}/invites`,
      owner,
      {},
    );
    for (const member of members) await this.api('POST', `/api/community-invites/${code}/accept`, member);
    return code;
  }

  /**
   * `owner`'s new community with `members` in it, and its public group's #general (everyone is a member):
   * the ids and the channel's URL in the web client.
   */
  async sharedChannel(
    owner: Caller,
    members: Caller[],
    name: string,
  ): Promise<{ communityId: string; groupId: string; channelId: string; path: string }> {
    const community = await this.api<{ id: string }>('POST', '/api/communities', owner, { name });
    await this.invite(owner, community.id, members);
    const group = await this.api<{ id: string }>('POST', '/api/groups', owner, {
      community_id: community.id,
      name: 'Team',
      visibility: 'public',
    });
    const channels = await this.api<Array<{ id: string; name: string }>>(
      'GET',
      `/api/groups/${group.id}/channels`,
      owner,
    );
    const general = channels.find((channel) => channel.name === 'general');
    if (!general) throw new Error(`no #general in ${JSON.stringify(channels)}`);
    return {
      communityId: community.id,
      groupId: group.id,
      channelId: general.id,
      path: `/c/${community.id}/${general.id}`,
    };
  }
}
