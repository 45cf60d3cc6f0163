import type { Channel, Community, DmChannel, Group, ServerFrame, UserPublic } from '@chatalot/protocol';
import { vi } from 'vitest';

/** Builders and fakes for the navigation tests. */

let serial = 0;
const uuid = () => `00000000-0000-7000-8000-${String(++serial).padStart(12, '0')}`;

export const ME = '0190c3a2-0000-7000-8000-0000000000aa';

export function community(overrides: Partial<Community> = {}): Community {
  return {
    id: uuid(),
    name: 'Community',
    description: null,
    icon_url: null,
    owner_id: ME,
    created_at: '2026-01-01T00:00:00Z',
    member_count: 1,
    who_can_create_groups: 'admin',
    who_can_create_invites: 'admin',
    discoverable: true,
    banner_url: null,
    community_theme: null,
    ...overrides,
  };
}

export function group(communityId: string, overrides: Partial<Group> = {}): Group {
  return {
    id: uuid(),
    name: 'Group',
    description: null,
    owner_id: ME,
    community_id: communityId,
    created_at: '2026-01-01T00:00:00Z',
    member_count: 1,
    visibility: 'public',
    discoverable: true,
    assigned_member_id: null,
    allow_invites: false,
    icon_url: null,
    banner_url: null,
    accent_color: null,
    ...overrides,
  };
}

export function channel(groupId: string | null, overrides: Partial<Channel> = {}): Channel {
  serial += 1;
  return {
    id: uuid(),
    name: 'general',
    channel_type: 'text',
    topic: null,
    created_by: ME,
    created_at: `2026-01-01T00:00:${String(serial % 60).padStart(2, '0')}Z`,
    group_id: groupId,
    read_only: false,
    slow_mode_seconds: 0,
    discoverable: true,
    archived: false,
    ...overrides,
  };
}

export function user(overrides: Partial<UserPublic> = {}): UserPublic {
  return {
    id: uuid(),
    username: 'alice',
    display_name: 'Alice',
    avatar_url: null,
    banner_url: null,
    status: 'offline',
    custom_status: null,
    is_admin: false,
    is_owner: false,
    created_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function dm(peer: UserPublic): DmChannel {
  return { channel: channel(null, { name: null, channel_type: 'dm' }), other_user: peer };
}

type Handler = (frame: never) => void;

/** The socket as navigation uses it, with `emit` to play server frames. */
export function fakeSocket() {
  const handlers = new Map<string, Set<Handler>>();
  const reconnected = new Set<() => void>();
  const resync = new Set<(channelId: string, reason: string) => void>();
  return {
    open: true,
    sent: [] as unknown[],
    subscribed: new Set<string>(),
    on(type: string, handler: Handler) {
      const set = handlers.get(type) ?? new Set();
      set.add(handler);
      handlers.set(type, set);
      return () => set.delete(handler);
    },
    onReconnected(fn: () => void) {
      reconnected.add(fn);
      return () => reconnected.delete(fn);
    },
    onResync(fn: (channelId: string, reason: string) => void) {
      resync.add(fn);
      return () => resync.delete(fn);
    },
    resync(channelId: string, reason: string) {
      for (const fn of resync) fn(channelId, reason);
    },
    send(frame: unknown) {
      if (!this.open) return false;
      this.sent.push(frame);
      return true;
    },
    subscribe: vi.fn(function (this: { subscribed: Set<string> }, ids: string[]) {
      for (const id of ids) this.subscribed.add(id);
    }),
    unsubscribe: vi.fn(function (this: { subscribed: Set<string> }, ids: string[]) {
      for (const id of ids) this.subscribed.delete(id);
    }),
    emit(frame: ServerFrame) {
      for (const handler of handlers.get(frame.type) ?? []) (handler as (f: ServerFrame) => void)(frame);
    },
    reconnect() {
      for (const fn of reconnected) fn();
    },
  };
}

/** A fake of `$lib/api/http`: answers from a table keyed "METHOD path", records every call. */
export function fakeHttp() {
  const routes = new Map<string, (body?: unknown) => unknown>();
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  /** `body` is the query for GET, as in the real client. */
  const call = (method: string) => async (path: string, body?: unknown) => {
    calls.push({ method, path, body });
    const route = routes.get(`${method} ${path}`);
    if (!route) throw Object.assign(new Error(`no route for ${method} ${path}`), { status: 404 });
    return structuredClone(route(body));
  };
  return {
    calls,
    on(key: string, answer: unknown | ((body?: unknown) => unknown)) {
      routes.set(key, typeof answer === 'function' ? (answer as (body?: unknown) => unknown) : () => answer);
    },
    http: {
      get: call('GET'),
      post: call('POST'),
      put: call('PUT'),
      patch: call('PATCH'),
      delete: call('DELETE'),
    },
  };
}
