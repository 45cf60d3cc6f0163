import { session } from '$lib/features/auth/session.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { NavData, type NavSnapshot } from './nav-data.svelte';
import { listen } from './nav-events';
import { fetchAllMembers, fetchSnapshot, fetchUnreadOrNone } from './nav-fetch';
import { isStringRecord, readJson, readString, storageKeys, writeJson, writeString } from './nav-storage';
import type { NavChannel, NavMember } from './nav-types';
import { channelPath, WELCOME_PATH } from './paths';
import { Roles } from './roles.svelte';
import { sidebarPrefs } from './sidebar-prefs.svelte';
import { UnreadCounts } from './unread.svelte';

export type NavStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Why a channel the user had vanished from the lists. */
export interface Removal {
  channelId: string;
  name: string;
  reason: 'deleted' | 'removed';
}

/** Nothing announces new groups or channels, so a tab coming back after this long reads the lists again. */
export const STALE_AFTER_MS = 30_000;
/** Nothing announces a member joining either, so member lists are asked again after this long. */
export const MEMBERS_TTL_MS = 60_000;

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The server did not answer.';
}

/** Navigation state: what the user belongs to, where they are, and what they have not read. */
export class Nav extends NavData {
  status = $state<NavStatus>('idle');
  error = $state<string | null>(null);
  activeCommunityId = $state<string | null>(null);
  activeChannelId = $state<string | null>(null);
  /** The last channel that disappeared from under the user (deleted, or the user was removed). */
  removal = $state<Removal | null>(null);
  readonly activeCommunity = $derived(this.community(this.activeCommunityId) ?? null);
  readonly activeChannel = $derived(
    this.activeChannelId === null ? null : (this.channel(this.activeChannelId) ?? null),
  );
  readonly counts = new UnreadCounts();
  readonly roles = new Roles(() => session.user?.id ?? null);
  /** Unread messages in every channel and DM the user has, for the tab title. */
  readonly unreadTotal = $derived(this.counts.total((id) => this.channel(id) !== undefined));
  readonly dmUnreadTotal = $derived(this.counts.total((id) => this.channel(id)?.kind === 'dm'));

  #inflight: Promise<void> | null = null;
  #fetchedAt = 0;
  #members = new Map<string, { list: Promise<NavMember[]>; at: number }>();
  #subscribed = new Set<string>();
  #pendingReads = new Map<string, string>();
  #pendingAllRead = false;
  #stopListening: (() => void) | null = null;

  unread(channelId: string): number {
    return this.counts.get(channelId);
  }

  /** Unread messages in a community's group channels (the picker's dot). */
  unreadIn(communityId: string): number {
    return this.counts.total((id) => this.channel(id)?.communityId === communityId);
  }

  /** Loads everything once; concurrent callers share the request. Safe to call again when ready. */
  load(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    this.#inflight ??= this.#loadOnce();
    return this.#inflight;
  }

  retry(): Promise<void> {
    return this.load();
  }

  /** Reads the lists again (after a reconnect, or a change the server announces to nobody). */
  async refresh(): Promise<void> {
    if (this.status !== 'ready') return this.load();
    const known = new Set(this.channelIds);
    this.#fetchedAt = Date.now();
    const [snapshot, unread] = await Promise.all([fetchSnapshot(), fetchUnreadOrNone()]);
    this.#apply(snapshot);
    // Known channels keep their live counts; the server's would double what `resume` replays.
    for (const { channel_id, unread_count } of unread) {
      if (!known.has(channel_id)) this.counts.set(channel_id, unread_count);
    }
  }

  /** A tab that comes back into view catches up with groups and channels made meanwhile. */
  refreshIfStale(): void {
    if (this.status === 'ready' && Date.now() - this.#fetchedAt > STALE_AFTER_MS) {
      this.refresh().catch(() => undefined);
    }
  }

  /** A channel whose missed events were lost: its count comes from the server again. */
  async recount(channelId: string): Promise<void> {
    const unread = await fetchUnreadOrNone();
    this.counts.set(channelId, unread.find((row) => row.channel_id === channelId)?.unread_count ?? 0);
  }

  /** The channel shown in the main column (null on the welcome page); `context` is the URL's community. */
  openChannel(channelId: string | null, context?: string): void {
    this.activeChannelId = channelId;
    if (channelId === null) return;
    writeString(storageKeys.activeChannel, channelId);
    const channel = this.channel(channelId);
    if (channel) this.#reveal(channel, context);
    else if (context && (this.status !== 'ready' || this.community(context))) this.selectCommunity(context);
  }

  selectCommunity(communityId: string): void {
    this.activeCommunityId = communityId;
    writeString(storageKeys.activeCommunity, communityId);
  }

  pathOf(channel: NavChannel): string {
    return channelPath(channel, this.activeCommunityId);
  }

  /** Where entering a community lands: its last channel here, else the first channel of its first group. */
  landingPath(communityId: string): string {
    const remembered = readJson(storageKeys.communityChannels, isStringRecord)?.[communityId];
    const channel = remembered === undefined ? undefined : this.channel(remembered);
    if (channel && channel.kind !== 'dm' && (channel.communityId ?? communityId) === communityId) {
      return channelPath(channel, communityId);
    }
    for (const group of this.groupsOf(communityId)) {
      const first = this.channelsOf(group.id)[0];
      if (first) return channelPath(first, communityId);
    }
    return WELCOME_PATH;
  }

  /** Where `/` sends a signed-in user (NAV-01): the last channel, else the active community's first one. */
  async homePath(): Promise<string> {
    await this.load().catch(() => undefined);
    const last = readString(storageKeys.activeChannel);
    const channel = last === null ? undefined : this.channel(last);
    if (channel) return this.pathOf(channel);
    return this.activeCommunityId === null ? WELCOME_PATH : this.landingPath(this.activeCommunityId);
  }

  /** Channel members, cached a minute and forgotten when an event says membership changed. */
  members(channelId: string): Promise<NavMember[]> {
    const cached = this.#members.get(channelId);
    if (cached && Date.now() - cached.at < MEMBERS_TTL_MS) return cached.list;
    const entry = { list: fetchAllMembers(channelId), at: Date.now() };
    this.#members.set(channelId, entry);
    entry.list.catch(() => {
      if (this.#members.get(channelId) === entry) this.#members.delete(channelId);
    });
    return entry.list;
  }

  forgetMembers(channelId: string): void {
    this.#members.delete(channelId);
  }

  /** Clears the badge and moves the server's read cursor (now, or as soon as the socket is back). */
  markRead(channelId: string, messageId: string): void {
    this.counts.clear(channelId);
    if (socket.send({ type: 'mark_read', channel_id: channelId, message_id: messageId })) {
      this.#pendingReads.delete(channelId);
    } else {
      this.#pendingReads.set(channelId, messageId);
    }
  }

  markAllRead(): void {
    this.counts.clearAll();
    this.#pendingReads.clear();
    this.#pendingAllRead = !socket.send({ type: 'mark_all_read' });
  }

  /** A DM the user started or received goes to the top of the list and is listened to. */
  override addDm(record: NavChannel): void {
    super.addDm(record);
    this.syncSubscriptions();
  }

  /** Channels gone for good (deleted, kicked, banned): out of the lists, the badges and the cache. */
  dropChannels(ids: readonly string[], reason: Removal['reason']): void {
    for (const id of ids) {
      const channel = this.channel(id);
      if (id === this.activeChannelId && channel)
        this.removal = { channelId: id, name: channel.name, reason };
      this.removeChannel(id);
      this.counts.clear(id);
      this.#members.delete(id);
      this.#pendingReads.delete(id);
    }
    this.syncSubscriptions();
  }

  dropGroup(groupId: string): void {
    const channelIds = this.channelsOf(groupId).map((channel) => channel.id);
    this.dropChannels(channelIds, 'deleted');
    this.removeGroup(groupId);
  }

  /** Subscribes the socket to every channel and DM, and unsubscribes the ones that are gone. */
  syncSubscriptions(): void {
    const ids = new Set(this.channelIds);
    const added = [...ids].filter((id) => !this.#subscribed.has(id));
    const removed = [...this.#subscribed].filter((id) => !ids.has(id));
    if (added.length > 0) socket.subscribe(added);
    if (removed.length > 0) socket.unsubscribe(removed);
    this.#subscribed = ids;
  }

  /** After a reconnect: tell the server what was read offline, then catch up with what changed. */
  reconnected(): void {
    if (this.#pendingAllRead) this.#pendingAllRead = !socket.send({ type: 'mark_all_read' });
    for (const [channelId, messageId] of this.#pendingReads) this.markRead(channelId, messageId);
    this.roles.forget();
    this.refresh().catch(() => undefined);
  }

  /** Sign-out: nothing of this user stays in memory (the session clears their stored keys). */
  reset(): void {
    this.#stopListening?.();
    this.#stopListening = null;
    this.clear();
    this.status = 'idle';
    this.error = null;
    this.activeCommunityId = null;
    this.activeChannelId = null;
    this.removal = null;
    this.counts.clearAll();
    this.roles.forget();
    this.#members.clear();
    this.#subscribed.clear();
    this.#pendingReads.clear();
    this.#pendingAllRead = false;
    sidebarPrefs.forget();
  }

  async #loadOnce(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    this.#stopListening ??= listen(this, () => session.user?.id ?? null);
    try {
      this.#fetchedAt = Date.now();
      const [snapshot, unread] = await Promise.all([fetchSnapshot(), fetchUnreadOrNone()]);
      this.#apply(snapshot);
      this.counts.reset(unread);
      this.status = 'ready';
      if (this.activeChannel) this.#reveal(this.activeChannel);
    } catch (error) {
      this.status = 'error';
      this.error = messageOf(error);
    } finally {
      this.#inflight = null;
    }
  }

  #apply(snapshot: NavSnapshot): void {
    this.setAll(snapshot);
    this.activeCommunityId = this.#pickCommunity();
    this.syncSubscriptions();
    sidebarPrefs.keepOnly(new Set(this.groups.map((group) => group.id)));
    const first = this.groupsOf(this.activeCommunityId)[0];
    if (!sidebarPrefs.hasChoice && first) sidebarPrefs.expand(first.id);
  }

  /** The open channel's community, else the remembered one, else the last channel's, else the first. */
  #pickCommunity(): string | null {
    const lastChannel = readString(storageKeys.activeChannel);
    const candidates = [
      this.activeChannel?.communityId,
      this.activeCommunityId,
      readString(storageKeys.activeCommunity),
      lastChannel === null ? null : this.channel(lastChannel)?.communityId,
      this.communities[0]?.id,
    ];
    return candidates.find((id) => id != null && this.community(id) !== undefined) ?? null;
  }

  /** Makes the open channel visible in the sidebar and remembers it as its community's last channel. */
  #reveal(channel: NavChannel, context?: string): void {
    if (channel.kind === 'dm') {
      sidebarPrefs.setTab('dms');
      return;
    }
    sidebarPrefs.setTab('community');
    if (channel.groupId !== null) sidebarPrefs.expand(channel.groupId);
    const communityId = channel.communityId ?? context ?? this.activeCommunityId;
    if (communityId === null || this.community(communityId) === undefined) return;
    this.selectCommunity(communityId);
    const remembered = readJson(storageKeys.communityChannels, isStringRecord) ?? {};
    writeJson(storageKeys.communityChannels, { ...remembered, [communityId]: channel.id });
  }
}

export const nav = new Nav();
