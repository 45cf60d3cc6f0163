import type { E2eeEngine } from './e2ee-engine';
import type { E2eeSocket } from './e2ee-types';

const DAY_MS = 24 * 60 * 60 * 1000;

export function logFailure(what: string): (error: unknown) => void {
  return (error) => console.warn(`E2E: ${what} failed`, error);
}

/**
 * The key events of docs/e2e.md ("What the web client must do"): prekey top-ups on `keys_low`, sender keys
 * as they are distributed or must rotate, missed distributions after a reconnect, and the daily check of
 * the signed prekey. Returns the functions that stop each.
 */
export function listenToKeyEvents(
  socket: E2eeSocket,
  engine: E2eeEngine,
  onReconnected: () => void,
): Array<() => void> {
  const daily = setInterval(() => {
    engine.rotateSignedPrekey().catch(logFailure('rotating the signed prekey'));
  }, DAY_MS);
  return [
    () => clearInterval(daily),
    socket.on('keys_low', () => {
      engine.replenishPrekeys().catch(logFailure('uploading one-time prekeys'));
    }),
    socket.on('sender_key_updated', (frame) => {
      engine
        .handleDistribution(frame.channel_id, frame.user_id, frame.distribution)
        .catch(logFailure('reading a sender key'));
    }),
    socket.on('sender_key_rotation_required', (frame) => {
      engine.rotationRequired(frame.channel_id).catch(logFailure('marking a sender key for rotation'));
    }),
    socket.onReconnected(() => {
      engine.refetchDistributions().catch(logFailure('fetching sender keys'));
      onReconnected();
    }),
  ];
}
