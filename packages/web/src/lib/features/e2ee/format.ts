/** A 64-character hex fingerprint in groups of four, easier to read aloud and compare. */
export function fingerprintGroups(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? '';
}
