import { createHash, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../clock.js';

export const ACCESS_TOKEN_SECONDS = 900;
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;
const AUDIENCE = 'chatalot';
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AccessTokenSubject {
  userId: string;
  username: string;
  isAdmin: boolean;
  isOwner: boolean;
  sessionId: string;
}

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

/**
 * EdDSA access tokens. Claims keep the reference's names (`sub`, `username`, `is_admin`, `is_owner`,
 * `aud`, `jti`) and add `iss`, a key id (`kid`) for rotation and the session id (`sid`), so that a revoked
 * session or a suspension takes effect at once.
 */
export class TokenService {
  private readonly keyId: string;

  constructor(
    private readonly keys: { privateKey: KeyObject; publicKey: KeyObject },
    private readonly issuer: string,
    private readonly clock: Clock,
  ) {
    const der = keys.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest('base64url').slice(0, 16);
  }

  async issueAccessToken(subject: AccessTokenSubject): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({
      username: subject.username,
      is_admin: subject.isAdmin,
      is_owner: subject.isOwner,
      sid: subject.sessionId,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keyId, typ: 'JWT' })
      .setSubject(subject.userId)
      .setIssuedAt(now)
      .setExpirationTime(now + ACCESS_TOKEN_SECONDS)
      .setAudience(AUDIENCE)
      .setIssuer(this.issuer)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
  }

  /** The token's user and session, or null for any invalid, expired or foreign token. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims | null> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: ['EdDSA'],
        audience: AUDIENCE,
        issuer: this.issuer,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
      });
      if (protectedHeader.kid !== this.keyId) return null;
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      return { userId: payload.sub, sessionId: payload.sid };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
      throw error;
    }
  }
}

/** A refresh token: 32 random bytes as 64 hex characters; only its SHA-256 is stored. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const raw = randomBytes(32);
  return { token: raw.toString('hex'), hash: sha256(raw) };
}

export function refreshTokenHash(token: string): Buffer | null {
  return /^[0-9a-fA-F]{64}$/.test(token) ? sha256(Buffer.from(token, 'hex')) : null;
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}
