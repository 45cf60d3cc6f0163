import { fetchBlockedUserIds } from '$lib/api/users';
import { session } from '$lib/features/auth/session.svelte';
import { nav } from '$lib/features/nav/nav.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { Typing } from './typing-state.svelte';

export { typingLine } from './typing-line';

/** Typing indicators (MSG-24): `typing.start/stop(channelId)`, `typing.in(channelId)` → names. */
export const typing = new Typing({
  socket,
  selfId: () => session.user?.id ?? null,
  nameOf: async (channelId, userId) => {
    const peer = nav.channel(channelId)?.peer;
    if (peer?.id === userId) return peer.displayName;
    const members = await nav.members(channelId);
    return members.find((member) => member.userId === userId)?.displayName;
  },
  blockedIds: fetchBlockedUserIds,
});

session.onSignOut(() => typing.reset());
