import { session } from '$lib/features/auth/session.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { toasts } from '$lib/ui/toasts.svelte';
import { e2eeApi } from './e2ee-api';
import { E2eeService } from './e2ee-service.svelte';

export type {
  DecryptedMessage,
  E2eChannel,
  E2eStatus,
  EncryptedPayload,
  IncomingMessage,
  PeerTrust,
} from './e2ee-types';
export { E2eeError } from './e2ee-types';

/** The app's end-to-end encryption (docs/web-client.md). */
export const e2ee = new E2eeService({
  api: e2eeApi,
  socket,
  notify: (message, kind) => toasts.show(message, kind),
  currentUserId: () => session.user?.id ?? null,
});

// The keys stay on the device; only this tab's copy in memory goes.
session.onSignOut(() => e2ee.close());
