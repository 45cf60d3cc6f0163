import type { DmSessionEntry, DmSessionRecord } from './store.js';

/**
 * The active session plus up to 4 earlier ones per peer: they keep decrypting after simultaneous
 * initiation (each side briefly has two sessions) and for messages in flight across a reset.
 */
export const MAX_SESSIONS_PER_PEER = 5;
export const MAX_RETIRED_EPHEMERAL_KEYS = 32;

export function emptyDmRecord(peerId: string): DmSessionRecord {
  return { peerId, sessions: [], retiredEphemeralKeys: [] };
}

/**
 * `entry` becomes the active session (Signal's rule: the session that last worked is the one to answer
 * with). `replaces` is its former position, or null for a new session, which may push the oldest out.
 */
export function withActiveSession(
  record: DmSessionRecord,
  entry: DmSessionEntry,
  replaces: number | null,
): DmSessionRecord {
  const sessions = [entry, ...record.sessions.filter((_, index) => index !== replaces)];
  const dropped = sessions.slice(MAX_SESSIONS_PER_PEER).flatMap((old) => old.theirEphemeralKey ?? []);
  return {
    ...record,
    sessions: sessions.slice(0, MAX_SESSIONS_PER_PEER),
    retiredEphemeralKeys: [...dropped, ...record.retiredEphemeralKeys].slice(0, MAX_RETIRED_EPHEMERAL_KEYS),
  };
}
