import type { NavChannel } from './nav-types';

/** One row of the quick switcher. */
export interface SwitcherItem {
  channel: NavChannel;
  /** What is searched besides the name: the group and community, or the DM peer's username. */
  context: string;
  unread: number;
  /** Position in sidebar order, the tie-breaker. */
  order: number;
}

export const SWITCHER_LIMIT = 10;

/** Lower is better; null when the item does not match at all. */
function score(item: SwitcherItem, q: string): number | null {
  const name = item.channel.name.toLocaleLowerCase();
  if (name === q) return 0;
  if (name.startsWith(q)) return 1;
  const at = name.indexOf(q);
  if (at > 0 && /[\s\-_.]/.test(name.charAt(at - 1))) return 2;
  if (at > 0) return 3;
  if (item.context.toLocaleLowerCase().includes(q)) return 4;
  return null;
}

/**
 * NAV-20: without a query, unread channels first, then sidebar order; with one, exact names, then name
 * prefixes, word starts, other substrings, and last matches on the group, community or username.
 */
export function rankSwitcher(items: readonly SwitcherItem[], query: string, limit = SWITCHER_LIMIT) {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') {
    return [...items]
      .sort((a, b) => Number(b.unread > 0) - Number(a.unread > 0) || a.order - b.order)
      .slice(0, limit);
  }
  const scored: Array<{ item: SwitcherItem; score: number }> = [];
  for (const item of items) {
    const s = score(item, q);
    if (s !== null) scored.push({ item, score: s });
  }
  scored.sort((a, b) => a.score - b.score || a.item.order - b.item.order);
  return scored.slice(0, limit).map(({ item }) => item);
}

interface SwitcherSource {
  communities: ReadonlyArray<{ id: string; name: string }>;
  activeCommunityId: string | null;
  dms: readonly NavChannel[];
  standaloneChannels: readonly NavChannel[];
  groupsOf(communityId: string | null): ReadonlyArray<{ id: string; name: string }>;
  channelsOf(groupId: string): NavChannel[];
  unread(channelId: string): number;
}

/** Every channel and DM in sidebar order: the active community first, then DMs, then other communities. */
export function switcherItems(source: SwitcherSource): SwitcherItem[] {
  const items: SwitcherItem[] = [];
  const push = (channel: NavChannel, context: string) =>
    items.push({ channel, context, unread: source.unread(channel.id), order: items.length });
  const active = source.communities.find((c) => c.id === source.activeCommunityId);
  const others = source.communities.filter((c) => c !== active);
  const addCommunity = (community: { id: string; name: string }) => {
    for (const group of source.groupsOf(community.id)) {
      for (const channel of source.channelsOf(group.id)) push(channel, `${group.name} · ${community.name}`);
    }
  };
  if (active) addCommunity(active);
  for (const channel of source.standaloneChannels) push(channel, '');
  for (const dm of source.dms) push(dm, dm.peer?.username ?? '');
  for (const community of others) addCommunity(community);
  return items;
}
