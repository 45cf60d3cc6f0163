import { readFileSync } from 'node:fs';

/** The server's release, from its package.json (same relative place in src/ and dist/). */
export const serverVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
