/** Everything the E2E service loads lazily: the crypto library, the IndexedDB store, the locks. */
export { browserLocks } from './browser-locks';
export { E2eeEngine } from './e2ee-engine';
export { IdbCryptoStore } from './idb-crypto-store';
export { adoptRegistrationKeys, madeFor, makeRegistrationKeys } from './registration-keys';
