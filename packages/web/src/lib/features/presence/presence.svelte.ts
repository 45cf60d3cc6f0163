import { session } from '$lib/features/auth/session.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { Presence } from './presence-state.svelte';

export type { ChosenStatus } from './status-labels';
export { statusLabel, statusOptions } from './status-labels';

/** Presence and this user's status (docs/web-client.md): `presence.of(userId)`, `presence.setStatus(status)`. */
export const presence = new Presence(socket, () => session.user?.id ?? null);

session.onSignOut(() => presence.reset());
