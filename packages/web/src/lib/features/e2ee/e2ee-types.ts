import type { PeerStatus, RegistrationBody, SignedPrekeyBody } from '@chatalot/crypto';
import type { KeyBundle, MessageType, OneTimePrekey, SenderKeyDistribution } from '@chatalot/protocol';
import type { FrameHandler } from '$lib/realtime/frames';

/** Where a message is read or sent: a DM names the other person, a channel its current members. */
export type E2eChannel =
  | { id: string; kind: 'dm'; peerId: string }
  | { id: string; kind: 'group'; memberIds: readonly string[] };

/**
 * How a message arrived: `encrypted` (lock), `failed` (red warning; `reason` says why), `plaintext`
 * (legacy or E2E off; nothing shown), `unencrypted_warning` (plaintext where encryption was expected;
 * amber), `control` (a session reset: not a chat message).
 */
export type E2eStatus = 'encrypted' | 'failed' | 'plaintext' | 'unencrypted_warning' | 'control';

/** `send_message.ciphertext` and `nonce`. */
export interface EncryptedPayload {
  ciphertext: number[];
  nonce: number[];
}

/** The fields of a message (REST `Message`, WS `new_message`; `message_edited` with `id: message_id`). */
export interface IncomingMessage {
  id: string;
  sender_id: string | null;
  ciphertext: number[];
  message_type?: MessageType;
}

export interface DecryptedMessage {
  text: string;
  status: E2eStatus;
  /** Why a `failed` message cannot be read, in words for the user. */
  reason?: string;
  /** A DM message the peer sent that no session decrypts: offer `e2ee.resetSession(peerId)`. */
  canResetSession?: boolean;
}

/** What the verification dialog and the key-change banner show. */
export interface PeerTrust extends PeerStatus {
  /** The key changed and the user has neither verified nor acknowledged the new one. */
  warn: boolean;
}

export type E2eeErrorCode =
  | 'not_ready'
  | 'encrypt_failed'
  | 'downgrade_refused'
  | 'too_long'
  | 'reset_too_soon'
  | 'key_changed';

/** Thrown by `encrypt`, `resetSession` and `acknowledgeKeyChange`; `message` is written for the user. */
export class E2eeError extends Error {
  override readonly name = 'E2eeError';

  constructor(
    readonly code: E2eeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The server calls the E2E layer makes (real ones: e2ee-api.ts). */
export interface E2eeApi {
  e2eEnabled(): Promise<boolean>;
  fetchKeyBundle(userId: string): Promise<KeyBundle>;
  registerKeys(body: RegistrationBody): Promise<void>;
  uploadSignedPrekey(body: SignedPrekeyBody): Promise<void>;
  uploadOneTimePrekeys(prekeys: OneTimePrekey[]): Promise<void>;
  countOneTimePrekeys(): Promise<number>;
  uploadSenderKey(channelId: string, body: { chain_id: number; distribution: unknown }): Promise<unknown>;
  listSenderKeys(channelId: string): Promise<SenderKeyDistribution[]>;
}

type E2eFrameType = 'keys_low' | 'sender_key_updated' | 'sender_key_rotation_required';

/** The part of `$lib/realtime/socket.svelte.ts` the E2E layer listens to. */
export interface E2eeSocket {
  on<T extends E2eFrameType>(type: T, handler: FrameHandler<T>): () => void;
  onReconnected(handler: () => void): () => void;
}
