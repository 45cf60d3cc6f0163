import type { UnreadCount } from '@chatalot/protocol';
import { CHANNEL_MEMBERS_PAGE, listChannelMembers, listChannels } from '$lib/api/channels';
import { listCommunities } from '$lib/api/communities';
import { listDms } from '$lib/api/dms';
import { listGroups } from '$lib/api/groups';
import { fetchUnread } from '$lib/api/unread';
import type { NavSnapshot } from './nav-data.svelte';
import { type NavMember, toNavMember } from './nav-types';

const MAX_MEMBER_PAGES = 20;

/** Everything the sidebar lists, in one round of parallel requests. */
export async function fetchSnapshot(): Promise<NavSnapshot> {
  const [communities, groups, channels, dms] = await Promise.all([
    listCommunities(),
    listGroups(),
    listChannels(),
    listDms(),
  ]);
  return { communities, groups, channels, dms };
}

/** Unread counts are a nicety: without them the lists still load, with no badges until the next refresh. */
export const fetchUnreadOrNone = (): Promise<UnreadCount[]> => fetchUnread().catch(() => []);

export async function fetchAllMembers(channelId: string): Promise<NavMember[]> {
  const members: NavMember[] = [];
  for (let page = 0; page < MAX_MEMBER_PAGES; page++) {
    const rows = await listChannelMembers(channelId, { offset: page * CHANNEL_MEMBERS_PAGE });
    members.push(...rows.map(toNavMember));
    if (rows.length < CHANNEL_MEMBERS_PAGE) break;
  }
  return members;
}
