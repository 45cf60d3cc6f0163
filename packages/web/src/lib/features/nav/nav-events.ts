import { session } from '$lib/features/auth/session.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import type { Nav } from './nav.svelte';
import { dmFromFrame } from './nav-types';
import { sidebarPrefs } from './sidebar-prefs.svelte';

/** Keeps the lists and the badges current from the socket; returns the function that stops it. */
export function listen(nav: Nav, me: () => string | null): () => void {
  const isMe = (userId: string) => userId === me();
  const stops = [
    socket.on('new_message', (frame) => {
      const channel = nav.channel(frame.channel_id);
      if (!channel) return;
      if (channel.kind === 'dm') nav.touchDm(channel.id);
      if (isMe(frame.sender_id)) return;
      const watching = frame.channel_id === nav.activeChannelId && document.visibilityState === 'visible';
      if (watching) return;
      nav.counts.bump(channel.id);
      // NAV-08: a collapsed group opens when one of its channels has news.
      if (channel.groupId !== null) sidebarPrefs.expand(channel.groupId);
    }),
    socket.on('new_dm_channel', (frame) => {
      if (!nav.channel(frame.channel_id)) nav.addDm(dmFromFrame(frame));
    }),
    // Our own receipt: another tab or device read the channel.
    socket.on('read_receipt', (frame) => {
      if (isMe(frame.user_id)) nav.counts.clear(frame.channel_id);
    }),
    socket.on('channel_updated', (frame) => nav.applyChannelUpdate(frame)),
    socket.on('channel_deleted', (frame) => nav.dropChannels([frame.channel_id], 'deleted')),
    socket.on('group_updated', (frame) => nav.applyGroupUpdate(frame)),
    socket.on('group_deleted', (frame) => nav.dropGroup(frame.group_id)),
    socket.on('community_updated', (frame) => nav.applyCommunityUpdate(frame)),
    socket.on('member_kicked', (frame) => {
      if (isMe(frame.user_id)) nav.dropChannels([frame.channel_id], 'removed');
      else nav.forgetMembers(frame.channel_id);
    }),
    socket.on('member_banned', (frame) => {
      if (isMe(frame.user_id)) nav.dropChannels([frame.channel_id], 'removed');
      else nav.forgetMembers(frame.channel_id);
    }),
    socket.on('member_role_updated', (frame) => nav.forgetMembers(frame.channel_id)),
    // Someone left or was removed (the frame the server sends to the channel's remaining members).
    socket.on('sender_key_rotation_required', (frame) => nav.forgetMembers(frame.channel_id)),
    socket.on('user_profile_updated', (frame) => nav.applyProfileUpdate(frame)),
    socket.onReconnected(() => nav.reconnected()),
    socket.onResync((channelId, reason) => {
      if (reason === 'no_access') nav.dropChannels([channelId], 'removed');
      else nav.recount(channelId);
    }),
    session.onSignOut(() => nav.reset()),
  ];
  const onVisibility = () => {
    if (document.visibilityState === 'visible') nav.refreshIfStale();
  };
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    for (const stop of stops) stop();
  };
}
