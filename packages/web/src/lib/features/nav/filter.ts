import type { Group } from '@chatalot/protocol';
import type { NavChannel } from './nav-types';

export interface FilteredGroup {
  group: Group;
  channels: NavChannel[];
}

export function matches(text: string, query: string): boolean {
  return text.toLocaleLowerCase().includes(query.toLocaleLowerCase());
}

/**
 * NAV-10: a group whose name matches keeps all its channels; otherwise it keeps the channels whose names
 * match, and disappears when none do. An empty query keeps everything.
 */
export function filterGroups(
  groups: readonly Group[],
  channelsOf: (groupId: string) => NavChannel[],
  query: string,
): FilteredGroup[] {
  const q = query.trim();
  const result: FilteredGroup[] = [];
  for (const group of groups) {
    const channels = channelsOf(group.id);
    if (q === '' || matches(group.name, q)) {
      result.push({ group, channels });
      continue;
    }
    const hits = channels.filter((channel) => matches(channel.name, q));
    if (hits.length > 0) result.push({ group, channels: hits });
  }
  return result;
}

export function filterChannels(channels: readonly NavChannel[], query: string): NavChannel[] {
  const q = query.trim();
  return q === '' ? [...channels] : channels.filter((channel) => matches(channel.name, q));
}

/** DMs match on the peer's display name or username. */
export function filterDms(dms: readonly NavChannel[], query: string): NavChannel[] {
  const q = query.trim();
  if (q === '') return [...dms];
  return dms.filter((dm) => matches(dm.name, q) || (dm.peer !== undefined && matches(dm.peer.username, q)));
}
