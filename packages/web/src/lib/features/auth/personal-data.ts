/** Device settings that outlive a sign-out; every other `chatalot:` key belongs to the person. */
const DEVICE_KEYS = new Set(['chatalot:theme', 'chatalot:preferences']);
/** The outbox's database: unsent messages must not be sent later as whoever signs in next. */
const PERSONAL_DATABASES = ['chatalot-outbox'];

function clearStorage(storage: Storage): void {
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key?.startsWith('chatalot:') && !DEVICE_KEYS.has(key)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}

/**
 * Removes drafts, the active community and channel, the chosen status and the outbox from this device.
 * The E2E identity (`chatalot-crypto-<userId>`) stays: wiping it would make every past message unreadable.
 */
export function clearPersonalData(): void {
  try {
    clearStorage(localStorage);
    clearStorage(sessionStorage);
  } catch {
    // Storage can be unavailable (privacy modes); there is then nothing stored to clear.
  }
  if (typeof indexedDB === 'undefined') return;
  // Completes once every tab has closed its connection; nothing waits for it.
  for (const name of PERSONAL_DATABASES) indexedDB.deleteDatabase(name);
}
