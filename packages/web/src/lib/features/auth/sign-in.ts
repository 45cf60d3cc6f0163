import type { AuthResponse } from '@chatalot/protocol';
import { e2ee } from '$lib/features/e2ee/e2ee.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { session } from './session.svelte';

/** Opens this browser's E2E keys for the user, then the live connection (after sign-in or a restore). */
export async function connectSignedIn(userId: string): Promise<void> {
  await e2ee.open(userId);
  socket.connect();
}

/** After a successful sign-in or registration. */
export async function startSession(auth: AuthResponse): Promise<void> {
  session.begin(auth);
  await connectSignedIn(auth.user.id);
}
