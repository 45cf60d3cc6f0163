import { isCryptoError } from '@chatalot/crypto';
import { ApiError } from '$lib/api/http';

/** Words for the user about why a message could not be encrypted or read. */

/** A sentence; callers may put it after "Failed to encrypt message:" (E2E-05). */
export function encryptFailureReason(error: unknown, inGroup = false): string {
  if (error instanceof ApiError) {
    if (error.status === 404) {
      const who = inGroup ? 'A member of this channel has' : 'This person has';
      return `${who} no encryption keys yet; they need to sign in once.`;
    }
    if (error.status === 403) return 'You are no longer a member of this channel.';
    return `The server could not be asked for the keys: ${error.message}`;
  }
  if (isCryptoError(error, 'bad_signature') || isCryptoError(error, 'invalid_key')) {
    return `The keys the server sent for ${inGroup ? 'a member' : 'this person'} are not valid.`;
  }
  if (isCryptoError(error)) return `Encryption error (${error.code}).`;
  return error instanceof Error ? error.message : 'Unknown error.';
}

export interface ReadFailure {
  reason: string;
  /** A fresh session would let the peer's next messages through. */
  resettable: boolean;
}

export function decryptFailure(error: unknown, ownMessage: boolean): ReadFailure {
  if (ownMessage) {
    return {
      reason: 'You sent this from another browser or before this one had your keys; it cannot be read here.',
      resettable: false,
    };
  }
  if (!isCryptoError(error)) {
    if (error instanceof ApiError) {
      return {
        reason: `The keys for this message could not be fetched: ${error.message}`,
        resettable: false,
      };
    }
    return { reason: 'This message could not be decrypted on this device.', resettable: false };
  }
  switch (error.code) {
    case 'unknown_chain':
      return {
        reason:
          'This device never received the key for this message (sent before you joined, or before you signed in here).',
        resettable: false,
      };
    case 'unknown_prekey':
      return { reason: 'This message uses a key this device no longer has.', resettable: true };
    case 'duplicate_message':
      return {
        reason: 'This message was read before, but its text is no longer stored here.',
        resettable: false,
      };
    case 'too_many_skipped':
      return { reason: 'Too many messages are missing before this one to decrypt it.', resettable: true };
    case 'unsupported_envelope':
    case 'invalid_encoding':
      return { reason: 'This message is not in the format this conversation uses.', resettable: false };
    default:
      return { reason: 'This message could not be decrypted.', resettable: true };
  }
}
