import type { Message, ReadCursor } from '@chatalot/protocol';
import type { Encrypted, PendingItem, TimelineSource } from './timeline-source';

/**
 * An in-memory server, E2E layer and outbox for timeline tests: `store` is the channel's history (oldest
 * first); a ciphertext reading "UNREADABLE" fails to decrypt; `outbox` is reactive like the real one.
 */
export function fakeSource(store: Message[], cursors: ReadCursor[] = [], pageSize = 50) {
  const outbox = $state<PendingItem[]>([]);
  const source = {
    store,
    outbox,
    async history(_channelId: string, before?: string) {
      const end = before === undefined ? store.length : store.findIndex((message) => message.id === before);
      return store.slice(Math.max(0, end - pageSize), Math.max(0, end)).reverse();
    },
    async cursors() {
      return cursors;
    },
    async decrypt(_channelId: string, message: Encrypted) {
      const text = new TextDecoder().decode(new Uint8Array(message.ciphertext));
      return text === 'UNREADABLE'
        ? { text: '', status: 'failed' as const }
        : { text, status: 'encrypted' as const };
    },
    pending: (channelId: string) => outbox.filter((item) => item.channelId === channelId),
    selfId: () => 'me',
    ownStatus: () => 'encrypted' as const,
  } satisfies TimelineSource & Record<string, unknown>;
  return source;
}
