import { session } from '$lib/features/auth/session.svelte';
import { RealtimeSocket } from './realtime-socket.svelte';

export type { FrameHandler, FrameOf, InboundFrame, InboundType, ResyncReason } from './frames';
export { SocketRequestError } from './frames';
export type { ReplyOf, SocketStatus } from './realtime-socket.svelte';

/** The app's WebSocket (docs/web-client.md), authenticated with the session's access token. */
export const socket = new RealtimeSocket({
  auth: {
    token: () => session.accessToken,
    // A network failure rejects: the socket keeps its backoff and asks again on the next refusal.
    refresh: () => session.refresh(),
    ended: () => void session.signOut('expired'),
  },
});

session.onSignOut(() => socket.reset());
