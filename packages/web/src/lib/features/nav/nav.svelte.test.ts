import type { NewMessageFrame } from '@chatalot/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { channel, dm, fakeHttp, fakeSocket, ME, user } from './test-fixtures';
import { serveWorld } from './test-world';

const { fake, socket, signOut } = vi.hoisted(() => ({
  fake: {} as ReturnType<typeof import('./test-fixtures').fakeHttp>,
  socket: {} as ReturnType<typeof import('./test-fixtures').fakeSocket>,
  signOut: new Set<() => void>(),
}));

vi.mock('$lib/api/http', () => ({ http: new Proxy({}, { get: (_, key) => Reflect.get(fake.http, key) }) }));
vi.mock('$lib/realtime/socket.svelte', () => ({
  socket: new Proxy({}, { get: (_, key) => Reflect.get(socket, key) }),
}));
vi.mock('$lib/features/auth/session.svelte', () => ({
  session: {
    user: { id: ME, is_admin: true, is_owner: false },
    onSignOut: (fn: () => void) => {
      signOut.add(fn);
      return () => signOut.delete(fn);
    },
  },
}));

const serve = () => serveWorld(fake);

function fail(): never {
  throw new Error('missing');
}

async function freshNav() {
  vi.resetModules();
  const { nav } = await import('./nav.svelte');
  const { sidebarPrefs } = await import('./sidebar-prefs.svelte');
  return { nav, sidebarPrefs };
}

beforeEach(() => {
  localStorage.clear();
  Object.assign(fake, fakeHttp());
  Object.assign(socket, fakeSocket());
  signOut.clear();
});

describe('loading (NAV-01, NAV-02)', () => {
  it('loads everything, subscribes to every channel and DM, and picks the first community and group', async () => {
    const world = serve();
    const { nav, sidebarPrefs } = await freshNav();
    const loading = nav.load();
    expect(nav.status).toBe('loading');
    await loading;
    expect(nav.status).toBe('ready');
    expect(nav.communities.map((c) => c.name)).toEqual(['Alpha', 'Beta']);
    expect(nav.activeCommunity?.id).toBe(world.alpha.id);
    expect(nav.groupsOf(world.alpha.id).map((g) => g.name)).toEqual(['Backend', 'Design']);
    expect(nav.channel(world.api.id)).toMatchObject({ kind: 'text', communityId: world.alpha.id });
    expect(nav.channel(world.withBob.channel.id)).toMatchObject({
      kind: 'dm',
      name: 'Bob',
      peer: { id: world.bob.id, username: 'bob' },
    });
    expect([...socket.subscribed].sort()).toEqual(
      [world.api.id, world.ui.id, world.lounge.id, world.standalone.id, world.withBob.channel.id].sort(),
    );
    expect(sidebarPrefs.isExpanded(world.backend.id)).toBe(true);
    expect(sidebarPrefs.isExpanded(world.design.id)).toBe(false);
    expect(await nav.homePath()).toBe(`/c/${world.alpha.id}/${world.api.id}`);
  });

  it('restores the last community and channel from localStorage', async () => {
    const world = serve();
    localStorage.setItem('chatalot:active-community', world.beta.id);
    localStorage.setItem('chatalot:active-channel', world.lounge.id);
    const { nav } = await freshNav();
    await nav.load();
    expect(nav.activeCommunityId).toBe(world.beta.id);
    expect(await nav.homePath()).toBe(`/c/${world.beta.id}/${world.lounge.id}`);
  });

  it('forgets a remembered channel that no longer exists', async () => {
    const world = serve();
    localStorage.setItem('chatalot:active-channel', '0190c3a2-0000-7000-8000-00000000dead');
    const { nav } = await freshNav();
    expect(await nav.homePath()).toBe(`/c/${world.alpha.id}/${world.api.id}`);
  });

  it('shows the error and loads on retry', async () => {
    const world = serve();
    fake.on('GET /api/groups', () => {
      throw new Error('Service unavailable');
    });
    const { nav } = await freshNav();
    await nav.load();
    expect(nav.status).toBe('error');
    expect(nav.error).toBe('Service unavailable');
    fake.on('GET /api/groups', [world.design, world.backend, world.betaGroup]);
    await nav.retry();
    expect(nav.status).toBe('ready');
    expect(nav.error).toBeNull();
  });

  it('remembers the opened channel and its community, and lands there again', async () => {
    const world = serve();
    const { nav, sidebarPrefs } = await freshNav();
    await nav.load();
    nav.openChannel(world.lounge.id, world.beta.id);
    expect(nav.activeCommunityId).toBe(world.beta.id);
    expect(localStorage.getItem('chatalot:active-channel')).toBe(world.lounge.id);
    expect(localStorage.getItem('chatalot:active-community')).toBe(world.beta.id);
    expect(sidebarPrefs.isExpanded(world.betaGroup.id)).toBe(true);
    nav.openChannel(world.ui.id, world.alpha.id);
    expect(nav.landingPath(world.beta.id)).toBe(`/c/${world.beta.id}/${world.lounge.id}`);
    nav.openChannel(world.standalone.id, world.beta.id);
    expect(nav.activeCommunityId).toBe(world.beta.id);
    expect(nav.pathOf(nav.channel(world.standalone.id) ?? fail())).toBe(
      `/c/${world.beta.id}/${world.standalone.id}`,
    );
  });

  it('takes the community from the URL when a channel opens before the lists arrive', async () => {
    const world = serve();
    const { nav, sidebarPrefs } = await freshNav();
    nav.openChannel(world.withBob.channel.id);
    await nav.load();
    expect(sidebarPrefs.tab).toBe('dms');
    nav.openChannel(world.standalone.id, world.beta.id);
    expect(nav.activeCommunityId).toBe(world.beta.id);
  });
});

describe('unread counts (NAV-09, NAV-11)', () => {
  async function ready() {
    const world = serve();
    const loaded = await freshNav();
    await loaded.nav.load();
    return { world, ...loaded };
  }
  const message = (channelId: string, senderId: string): NewMessageFrame => ({
    type: 'new_message',
    id: crypto.randomUUID(),
    channel_id: channelId,
    sender_id: senderId,
    ciphertext: [1],
    nonce: [1],
    message_type: 'text',
    reply_to: null,
    sender_key_id: null,
    created_at: '2026-01-01T00:00:00Z',
  });

  it('starts from the server and rises for channels that are not open', async () => {
    const { world, nav } = await ready();
    expect(nav.unread(world.ui.id)).toBe(3);
    nav.openChannel(world.api.id);
    socket.emit(message(world.api.id, world.bob.id));
    socket.emit(message(world.lounge.id, world.bob.id));
    socket.emit(message(world.lounge.id, ME));
    socket.emit(message(world.withBob.channel.id, world.bob.id));
    expect(nav.unread(world.api.id)).toBe(0);
    expect(nav.unread(world.lounge.id)).toBe(1);
    expect(nav.unreadTotal).toBe(5);
    expect(nav.dmUnreadTotal).toBe(1);
    expect(nav.unreadIn(world.alpha.id)).toBe(3);
  });

  it('counts the open channel while the tab is hidden', async () => {
    const { world, nav } = await ready();
    nav.openChannel(world.api.id);
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    socket.emit(message(world.api.id, world.bob.id));
    hidden.mockRestore();
    expect(nav.unread(world.api.id)).toBe(1);
  });

  it('opens a collapsed group when one of its channels gets a message (NAV-08)', async () => {
    const { world, sidebarPrefs } = await ready();
    expect(sidebarPrefs.isExpanded(world.design.id)).toBe(false);
    socket.emit(message(world.ui.id, world.bob.id));
    expect(sidebarPrefs.isExpanded(world.design.id)).toBe(true);
  });

  it('moves a DM with a new message to the top', async () => {
    const { world, nav } = await ready();
    const carol = dm(user({ username: 'carol', display_name: 'Carol' }));
    nav.addDm((await import('./nav-types')).dmToNavChannel(carol));
    expect(nav.dms.map((d) => d.name)).toEqual(['Carol', 'Bob']);
    socket.emit(message(world.withBob.channel.id, world.bob.id));
    expect(nav.dms.map((d) => d.name)).toEqual(['Bob', 'Carol']);
  });

  it('markRead clears the badge and moves the cursor, later if the socket is down', async () => {
    const { world, nav } = await ready();
    nav.markRead(world.ui.id, 'm1');
    expect(nav.unread(world.ui.id)).toBe(0);
    expect(socket.sent).toEqual([{ type: 'mark_read', channel_id: world.ui.id, message_id: 'm1' }]);
    socket.open = false;
    socket.emit(message(world.lounge.id, world.bob.id));
    nav.markRead(world.lounge.id, 'm2');
    expect(socket.sent).toHaveLength(1);
    socket.open = true;
    socket.reconnect();
    expect(socket.sent).toContainEqual({ type: 'mark_read', channel_id: world.lounge.id, message_id: 'm2' });
  });

  it('clears a channel another tab read (our own read receipt)', async () => {
    const { world, nav } = await ready();
    socket.emit({
      type: 'read_receipt',
      channel_id: world.ui.id,
      user_id: ME,
      message_id: 'm',
      timestamp: '',
    });
    expect(nav.unread(world.ui.id)).toBe(0);
  });

  it('marks everything read at once', async () => {
    const { world, nav } = await ready();
    socket.emit(message(world.lounge.id, world.bob.id));
    nav.markAllRead();
    expect(nav.unreadTotal).toBe(0);
    expect(socket.sent).toEqual([{ type: 'mark_all_read' }]);
  });

  it('asks the server again for a channel whose missed events were lost', async () => {
    const { world, nav } = await ready();
    fake.on('GET /api/channels/unread', [{ channel_id: world.lounge.id, unread_count: 7 }]);
    socket.resync(world.lounge.id, 'gap_too_old');
    await vi.waitFor(() => expect(nav.unread(world.lounge.id)).toBe(7));
    expect(nav.unread(world.ui.id)).toBe(3);
    socket.resync(world.lounge.id, 'no_access');
    expect(nav.channel(world.lounge.id)).toBeUndefined();
  });

  it('reads the lists again when the tab comes back after a while', async () => {
    const { world, nav } = await ready();
    const fresh = channel(world.design.id, { name: 'made-elsewhere' });
    fake.on('GET /api/channels', [world.api, world.ui, world.lounge, world.standalone, fresh]);
    const { STALE_AFTER_MS } = await import('./nav.svelte');
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + STALE_AFTER_MS + 1);
    document.dispatchEvent(new Event('visibilitychange'));
    now.mockRestore();
    await vi.waitFor(() => expect(nav.channel(fresh.id)?.name).toBe('made-elsewhere'));
  });

  it('keeps live counts on refresh and takes the server count only for new channels', async () => {
    const { world, nav } = await ready();
    const fresh = channel(world.design.id, { name: 'new' });
    fake.on('GET /api/channels', [world.api, world.ui, world.lounge, world.standalone, fresh]);
    fake.on('GET /api/channels/unread', [
      { channel_id: world.ui.id, unread_count: 9 },
      { channel_id: fresh.id, unread_count: 2 },
    ]);
    socket.reconnect();
    await vi.waitFor(() => expect(nav.unread(fresh.id)).toBe(2));
    expect(nav.unread(world.ui.id)).toBe(3);
    expect(socket.subscribed.has(fresh.id)).toBe(true);
  });
});

describe('live lists', () => {
  async function ready() {
    const world = serve();
    const { nav } = await freshNav();
    await nav.load();
    return { world, nav };
  }

  it('adds a DM someone opened with us, on top, and listens to it', async () => {
    const { nav } = await ready();
    socket.emit({
      type: 'new_dm_channel',
      channel_id: '0190c3a2-1111-7000-8000-0000000000d1',
      channel_name: null,
      created_at: '2026-02-01T00:00:00Z',
      other_user_id: 'u-carol',
      other_user_username: 'carol',
      other_user_display_name: 'Carol',
      other_user_avatar_url: null,
    });
    expect(nav.dms[0]).toMatchObject({ name: 'Carol', peer: { id: 'u-carol' } });
    expect(socket.subscribed.has('0190c3a2-1111-7000-8000-0000000000d1')).toBe(true);
  });

  it('applies channel updates and removes deleted channels and groups', async () => {
    const { world, nav } = await ready();
    nav.openChannel(world.ui.id);
    socket.emit({
      type: 'channel_updated',
      channel_id: world.api.id,
      name: 'rest-api',
      topic: 'REST',
      read_only: true,
      slow_mode_seconds: 30,
      archived: false,
      voice_background: null,
    });
    expect(nav.channel(world.api.id)).toMatchObject({
      name: 'rest-api',
      readOnly: true,
      slowModeSeconds: 30,
    });
    socket.emit({ type: 'group_deleted', group_id: world.design.id });
    expect(nav.channel(world.ui.id)).toBeUndefined();
    expect(nav.group(world.design.id)).toBeUndefined();
    expect(nav.removal).toEqual({ channelId: world.ui.id, name: 'ui', reason: 'deleted' });
    expect(socket.unsubscribe).toHaveBeenCalledWith([world.ui.id]);
    socket.emit({ type: 'member_kicked', channel_id: world.lounge.id, user_id: ME, kicked_by: 'x' });
    expect(nav.channel(world.lounge.id)).toBeUndefined();
  });

  it('caches channel members until membership changes', async () => {
    const { world, nav } = await ready();
    fake.on(`GET /api/channels/${world.api.id}/members`, [
      {
        user_id: ME,
        username: 'me',
        display_name: 'Me',
        avatar_url: null,
        role: 'owner',
        joined_at: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(await nav.members(world.api.id)).toEqual([
      { userId: ME, username: 'me', displayName: 'Me', avatarUrl: null, role: 'owner' },
    ]);
    await nav.members(world.api.id);
    const fetches = () => fake.calls.filter((call) => call.path.includes('/members')).length;
    expect(fetches()).toBe(1);
    socket.emit({ type: 'member_kicked', channel_id: world.api.id, user_id: 'someone', kicked_by: ME });
    await nav.members(world.api.id);
    expect(fetches()).toBe(2);
    socket.emit({ type: 'sender_key_rotation_required', channel_id: world.api.id, reason: 'member_left' });
    await nav.members(world.api.id);
    expect(fetches()).toBe(3);
    const { MEMBERS_TTL_MS } = await import('./nav.svelte');
    const later = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + MEMBERS_TTL_MS);
    await nav.members(world.api.id);
    later.mockRestore();
    expect(fetches()).toBe(4);
  });

  it('forgets the user on sign-out and loads the next one afresh', async () => {
    const { world, nav } = await ready();
    nav.openChannel(world.api.id);
    for (const fn of signOut) fn();
    expect(nav.status).toBe('idle');
    expect(nav.communities).toEqual([]);
    expect(nav.activeChannelId).toBeNull();
    expect(nav.unreadTotal).toBe(0);
    await nav.load();
    expect(nav.status).toBe('ready');
    expect(signOut.size).toBe(1);
  });
});
