import { concatBytes } from './bytes.js';
import { hkdfSha256, KEY_LENGTH } from './primitives.js';

const ROOT_INFO = 'chatalot-ratchet';
const MESSAGE_KEY_INFO = 'chatalot-msg-key';
const SENDER_KEY_CHAIN_INFO = 'chatalot-sender-key-chain';
const X3DH_INFO = 'chatalot-x3dh-shared-secret';

const MESSAGE_KEY_INPUT = Uint8Array.of(0x01);
const CHAIN_KEY_INPUT = Uint8Array.of(0x02);
const X3DH_SALT = new Uint8Array(32);
const X3DH_FILLER = new Uint8Array(32).fill(0xff);

export interface ChainStep {
  messageKey: Uint8Array;
  chainKey: Uint8Array;
}

// Upstream puts the chain key in the HKDF salt and a single byte in the input key material.
function chainStep(chainKey: Uint8Array, info: string): ChainStep {
  return {
    messageKey: hkdfSha256(MESSAGE_KEY_INPUT, chainKey, info, KEY_LENGTH),
    chainKey: hkdfSha256(CHAIN_KEY_INPUT, chainKey, info, KEY_LENGTH),
  };
}

/** Double Ratchet KDF_CK (spec §5.3). */
export function kdfChainKey(chainKey: Uint8Array): ChainStep {
  return chainStep(chainKey, MESSAGE_KEY_INFO);
}

/** Sender-key `advance` (spec §6.2). */
export function senderKeyAdvance(chainKey: Uint8Array): ChainStep {
  return chainStep(chainKey, SENDER_KEY_CHAIN_INFO);
}

/** Double Ratchet KDF_RK (spec §5.3). */
export function kdfRootKey(
  rootKey: Uint8Array,
  dhOutput: Uint8Array,
): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const output = hkdfSha256(dhOutput, rootKey, ROOT_INFO, 2 * KEY_LENGTH);
  return { rootKey: output.slice(0, KEY_LENGTH), chainKey: output.slice(KEY_LENGTH) };
}

/** X3DH shared secret from DH1 ‖ DH2 ‖ DH3 [‖ DH4] (spec §4 step 5). */
export function x3dhKdf(dhOutputs: readonly Uint8Array[]): Uint8Array {
  return hkdfSha256(concatBytes(X3DH_FILLER, ...dhOutputs), X3DH_SALT, X3DH_INFO, KEY_LENGTH);
}
