import type {
  Channel,
  ChannelUpdatedFrame,
  Community,
  CommunityUpdatedFrame,
  DmChannel,
  Group,
  GroupUpdatedFrame,
  UserProfileUpdatedFrame,
} from '@chatalot/protocol';
import { dmToNavChannel, type NavChannel, toNavChannel } from './nav-types';

export interface NavSnapshot {
  communities: Community[];
  groups: Group[];
  channels: Channel[];
  dms: DmChannel[];
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
/** A frame's theme as the REST shape holds it: only its string values (NAV-03, the theme updates live). */
const stringEntries = (theme: Record<string, unknown> | null): Record<string, string> | null =>
  theme === null
    ? null
    : Object.fromEntries(
        Object.entries(theme).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
const byCreation = (a: NavChannel, b: NavChannel) => a.createdAt.localeCompare(b.createdAt);

/** What the caller belongs to: communities, groups, channels and DMs, kept current by events. */
export class NavData {
  communities = $state<Community[]>([]);
  groups = $state<Group[]>([]);
  #channels = $state<Record<string, NavChannel>>({});
  /** DM ids, most recent conversation first. */
  #dmOrder = $state<string[]>([]);

  /** Each group's channels by creation time; `null` holds the standalone channels. */
  readonly #byGroup = $derived.by(() => {
    const map = new Map<string | null, NavChannel[]>();
    for (const channel of Object.values(this.#channels)) {
      if (channel.kind === 'dm') continue;
      const list = map.get(channel.groupId) ?? [];
      list.push(channel);
      map.set(channel.groupId, list);
    }
    for (const list of map.values()) list.sort(byCreation);
    return map;
  });

  readonly dms: NavChannel[] = $derived(
    this.#dmOrder.map((id) => this.#channels[id]).filter((channel) => channel !== undefined),
  );

  channel(id: string): NavChannel | undefined {
    return this.#channels[id];
  }

  /** Every channel and DM id, for subscribing. */
  get channelIds(): string[] {
    return Object.keys(this.#channels);
  }

  groupsOf(communityId: string | null): Group[] {
    return this.groups.filter((group) => group.community_id === communityId);
  }

  channelsOf(groupId: string): NavChannel[] {
    return this.#byGroup.get(groupId) ?? [];
  }

  get standaloneChannels(): NavChannel[] {
    return this.#byGroup.get(null) ?? [];
  }

  community(id: string | null): Community | undefined {
    return this.communities.find((community) => community.id === id);
  }

  group(id: string | null): Group | undefined {
    return this.groups.find((group) => group.id === id);
  }

  setAll(snapshot: NavSnapshot): void {
    this.communities = [...snapshot.communities].sort(byName);
    this.groups = [...snapshot.groups].sort(byName);
    const groupMap = new Map(this.groups.map((group) => [group.id, group]));
    const channels: Record<string, NavChannel> = {};
    for (const channel of snapshot.channels) {
      if (channel.channel_type !== 'dm') channels[channel.id] = toNavChannel(channel, groupMap);
    }
    for (const dm of snapshot.dms) channels[dm.channel.id] = dmToNavChannel(dm);
    this.#channels = channels;
    this.#dmOrder = snapshot.dms.map((dm) => dm.channel.id);
  }

  clear(): void {
    this.setAll({ communities: [], groups: [], channels: [], dms: [] });
  }

  addCommunity(community: Community): void {
    this.communities = [...this.communities.filter((c) => c.id !== community.id), community].sort(byName);
  }

  addGroup(group: Group): void {
    this.groups = [...this.groups.filter((g) => g.id !== group.id), group].sort(byName);
  }

  addChannel(channel: Channel): NavChannel {
    const record = toNavChannel(channel, new Map(this.groups.map((group) => [group.id, group])));
    this.#channels[record.id] = record;
    return record;
  }

  /** A DM goes to the top of the list, where the newest conversation is. */
  addDm(record: NavChannel): void {
    this.#channels[record.id] = record;
    this.touchDm(record.id);
  }

  touchDm(id: string): void {
    if (this.#dmOrder[0] !== id) this.#dmOrder = [id, ...this.#dmOrder.filter((other) => other !== id)];
  }

  removeChannel(id: string): void {
    delete this.#channels[id];
    this.#dmOrder = this.#dmOrder.filter((other) => other !== id);
  }

  /** Removes the group and its channels; returns the channel ids that went with it. */
  removeGroup(groupId: string): string[] {
    const gone = this.channelsOf(groupId).map((channel) => channel.id);
    for (const id of gone) delete this.#channels[id];
    this.groups = this.groups.filter((group) => group.id !== groupId);
    return gone;
  }

  applyChannelUpdate(frame: ChannelUpdatedFrame): void {
    const channel = this.#channels[frame.channel_id];
    if (!channel) return;
    if (channel.kind !== 'dm' && frame.name !== null) channel.name = frame.name;
    channel.topic = frame.topic;
    channel.readOnly = frame.read_only;
    channel.slowModeSeconds = frame.slow_mode_seconds;
    channel.archived = frame.archived;
  }

  applyGroupUpdate(frame: GroupUpdatedFrame): void {
    const group = this.groups.find((g) => g.id === frame.group_id);
    if (!group) return;
    Object.assign(group, {
      name: frame.name,
      description: frame.description,
      icon_url: frame.icon_url,
      banner_url: frame.banner_url,
      accent_color: frame.accent_color,
      visibility: frame.visibility,
    });
    this.groups = [...this.groups].sort(byName);
  }

  applyCommunityUpdate(frame: CommunityUpdatedFrame): void {
    const community = this.communities.find((c) => c.id === frame.community_id);
    if (!community) return;
    Object.assign(community, {
      name: frame.name,
      description: frame.description,
      icon_url: frame.icon_url,
      banner_url: frame.banner_url,
      community_theme: stringEntries(frame.community_theme),
      welcome_message: frame.welcome_message ?? undefined,
    });
    this.communities = [...this.communities].sort(byName);
  }

  /** A renamed peer shows under the new name in their DM. */
  applyProfileUpdate(frame: UserProfileUpdatedFrame): void {
    for (const id of this.#dmOrder) {
      const dm = this.#channels[id];
      if (dm?.peer?.id !== frame.user_id) continue;
      dm.peer.displayName = frame.display_name;
      dm.peer.avatarUrl = frame.avatar_url;
      dm.name = frame.display_name;
    }
  }
}
