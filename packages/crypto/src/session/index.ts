export { MAX_RETIRED_EPHEMERAL_KEYS, MAX_SESSIONS_PER_PEER } from './dm-session-list.js';
export {
  type DmDecryptOptions,
  type DmDecryptResult,
  DmSessions,
  type DmSessionsOptions,
} from './dm-sessions.js';
export type { EncryptedDistribution, SenderKeyUpload } from './group-distribution.js';
export {
  type DistributionOutcome,
  type GroupDecryptResult,
  GroupSessions,
  type GroupSessionsOptions,
  MAX_CHAINS_PER_SENDER,
} from './group-sessions.js';
export * from './keys.js';
export * from './locks.js';
export { MemoryCryptoStore } from './memory-store.js';
export type { PeerStatus } from './peer-identity.js';
export { ciphertextHash } from './plaintext-cache.js';
export type * from './store.js';
