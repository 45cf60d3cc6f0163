import { session } from '$lib/features/auth/session.svelte';
import { socket } from '$lib/realtime/socket.svelte';
import { IdbOutboxStore } from './outbox-db';
import { Outbox } from './outbox-queue.svelte';

export type { Encrypted, OutboxConfig, OutboxDraft, OutboxItem, OutboxState } from './outbox-types';

/** Outgoing messages (docs/web-client.md): `outbox.send`, `items`, `retry`, `discard`, `configure`. */
export const outbox = new Outbox(socket, new IdbOutboxStore(), () => session.user?.id ?? null);

session.onSignOut(() => outbox.reset());
