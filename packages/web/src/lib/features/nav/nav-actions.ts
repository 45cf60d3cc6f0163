import type { Community, CreateGroupRequest, Group } from '@chatalot/protocol';
import { createChannel, type NewChannel, renameChannel } from '$lib/api/channels';
import { acceptCommunityInvite, createCommunity } from '$lib/api/communities';
import { openDm } from '$lib/api/dms';
import {
  acceptGroupInvite,
  createGroup,
  createGroupChannel,
  joinGroup,
  renameGroup,
  renameGroupChannel,
} from '$lib/api/groups';
import type { Nav } from './nav.svelte';
import { dmToNavChannel, type NavChannel } from './nav-types';
import { sidebarPrefs } from './sidebar-prefs.svelte';

/** What the create and join dialogs do; each returns what the dialog navigates to. */

export async function createCommunityAndEnter(
  nav: Nav,
  body: { name: string; description?: string },
): Promise<Community> {
  const community = await createCommunity(body);
  nav.addCommunity(community);
  nav.selectCommunity(community.id);
  return community;
}

export async function joinCommunityByInvite(nav: Nav, code: string): Promise<string> {
  const { community_id } = await acceptCommunityInvite(code);
  await nav.refresh();
  nav.selectCommunity(community_id);
  return community_id;
}

/** A new group comes with a `general` channel (and, when public, every member of the community). */
export async function createGroupAndOpen(nav: Nav, body: CreateGroupRequest): Promise<Group> {
  const group = await createGroup(body);
  await nav.refresh();
  sidebarPrefs.expand(group.id);
  return group;
}

export async function joinGroupAndOpen(nav: Nav, groupId: string): Promise<void> {
  await joinGroup(groupId);
  await nav.refresh();
  sidebarPrefs.expand(groupId);
}

export async function joinGroupByInvite(nav: Nav, code: string): Promise<string> {
  const { group_id } = await acceptGroupInvite(code);
  await nav.refresh();
  sidebarPrefs.expand(group_id);
  return group_id;
}

/** NAV-15: a channel in a group (public or private), or a standalone one. */
export async function createChannelIn(nav: Nav, body: NewChannel): Promise<NavChannel> {
  const channel = nav.addChannel(await createChannel(body));
  nav.syncSubscriptions();
  if (body.group_id) sidebarPrefs.expand(body.group_id);
  return channel;
}

export async function addGroupChannel(nav: Nav, groupId: string, name: string): Promise<NavChannel> {
  const channel = nav.addChannel(await createGroupChannel(groupId, { name }));
  nav.syncSubscriptions();
  sidebarPrefs.expand(groupId);
  return channel;
}

/** Opens (or finds) the DM with a user and puts it at the top of the list. */
export async function startDm(nav: Nav, userId: string): Promise<NavChannel> {
  const existing = nav.dms.find((dm) => dm.peer?.id === userId);
  const record = existing ?? dmToNavChannel(await openDm(userId));
  nav.addDm(record);
  return record;
}

/** NAV-17: a group's channels are renamed through the group's route, standalone ones through their own. */
export async function renameChannelIn(nav: Nav, channel: NavChannel, name: string): Promise<void> {
  const updated =
    channel.groupId === null
      ? await renameChannel(channel.id, name)
      : await renameGroupChannel(channel.groupId, channel.id, name);
  nav.addChannel(updated);
}

export async function renameGroupIn(nav: Nav, groupId: string, name: string): Promise<void> {
  nav.addGroup(await renameGroup(groupId, name));
}
