import type { KeyBundle } from '@chatalot/protocol';
import { type FrameEvent, frameEvent } from '../../platform/events/hub.js';
import { bytes } from '../messages/messages.present.js';
import type { OneTimePrekeyRecord, SignedPrekeyRecord } from './keys.repo.js';

export interface BundleRecord {
  identityKey: Buffer;
  signedPrekey: SignedPrekeyRecord;
  oneTimePrekey: OneTimePrekeyRecord | null;
}

export function presentBundle(bundle: BundleRecord): KeyBundle {
  const { identityKey, signedPrekey, oneTimePrekey } = bundle;
  return {
    identity_key: bytes(identityKey),
    signed_prekey: {
      key_id: signedPrekey.key_id,
      public_key: bytes(signedPrekey.public_key),
      signature: bytes(signedPrekey.signature),
    },
    one_time_prekey: oneTimePrekey && {
      key_id: oneTimePrekey.key_id,
      public_key: bytes(oneTimePrekey.public_key),
    },
  };
}

/** `keys_low` to every connection of the bundle's owner (websocket.md §7.43). */
export function keysLow(ownerId: string, remaining: number): FrameEvent {
  return frameEvent({ kind: 'users', userIds: [ownerId] }, { type: 'keys_low', remaining });
}
