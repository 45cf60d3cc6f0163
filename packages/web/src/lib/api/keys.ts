import type { KeyBundle, OneTimePrekey, PrekeyCount, SignedPrekey } from '@chatalot/protocol';
import { http } from './http';

/** E2E key server calls (rest-api.md §17); the bodies come from `@chatalot/crypto`'s `KeyManager`. */

export interface KeyUpload {
  identity_key: number[];
  signed_prekey: SignedPrekey;
  one_time_prekeys: OneTimePrekey[];
}

/** Consumes one of the owner's one-time prekeys on the server. */
export function fetchKeyBundle(userId: string): Promise<KeyBundle> {
  return http.get<KeyBundle>(`/api/keys/${encodeURIComponent(userId)}/bundle`);
}

/** Uploads (or replaces) the caller's identity, signed prekey and one-time prekeys. */
export async function registerKeys(body: KeyUpload): Promise<void> {
  await http.post('/api/keys/register', body);
}

export async function uploadSignedPrekey(body: SignedPrekey): Promise<void> {
  await http.post('/api/keys/prekeys/signed', body);
}

export async function uploadOneTimePrekeys(prekeys: OneTimePrekey[]): Promise<void> {
  await http.post('/api/keys/prekeys/one-time', prekeys);
}

/** The caller's unused one-time prekeys on the server. */
export async function countOneTimePrekeys(): Promise<number> {
  return (await http.get<PrekeyCount>('/api/keys/prekeys/count')).count;
}
