/** The claims the client reads from its own access token: the user (`sub`) and the session (`sid`). */
export interface TokenClaims {
  sub?: string;
  sid?: string;
}

/** Decodes a JWT's payload without checking it (the server does); null when it is not a JWT. */
export function tokenClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}
