import type { AuthResponse, UserPublic } from '@chatalot/protocol';
import { fetchMe, revokeSession } from '$lib/api/account';
import { refreshTokens } from '$lib/api/auth';
import { ApiError, attachSession } from '$lib/api/http';
import { clearPersonalData } from './personal-data';
import { tokenClaims } from './token-claims';

export const REFRESH_TOKEN_KEY = 'chatalot:refresh-token';

/**
 * Why the last session ended: signed out here, refused by the server, signed out in another tab, or
 * replaced by another account signing in from another tab.
 */
export type SessionEnd = 'signed-out' | 'expired' | 'other-tab' | 'other-account';

type SignOutListener = () => void | Promise<void>;

/** Several tabs share one refresh token, and the server revokes a session whose token is used twice. */
async function exclusive<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request('chatalot:refresh-token', work);
  }
  return work();
}

/** The server refused the token itself, as opposed to not answering or being overloaded. */
function refused(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 400 || error.status === 401 || error.status === 403);
}

function storedRefreshToken(): string | null {
  try {
    return localStorage.getItem(REFRESH_TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Who is signed in. The access token lives only in memory, the refresh token in localStorage. */
class Session {
  user = $state<UserPublic | null>(null);
  accessToken = $state<string | null>(null);
  endedBecause = $state<SessionEnd | null>(null);

  #refreshing: Promise<boolean> | null = null;
  #restoring: Promise<boolean> | null = null;
  #listeners = new Set<SignOutListener>();

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('storage', (event) => {
      const signedOutElsewhere =
        (event.key === REFRESH_TOKEN_KEY || event.key === null) && event.newValue === null;
      if (signedOutElsewhere && this.user) void this.signOut('other-tab');
    });
  }

  begin(auth: Pick<AuthResponse, 'access_token' | 'refresh_token' | 'user'>): void {
    localStorage.setItem(REFRESH_TOKEN_KEY, auth.refresh_token);
    this.accessToken = auth.access_token;
    this.user = auth.user;
    this.endedBecause = null;
  }

  /**
   * Signs in again from the stored refresh token. Resolves false when there is none or the server
   * refused it; rejects with an `ApiError` when the server could not be asked (the token is kept).
   */
  restore(): Promise<boolean> {
    if (this.user) return Promise.resolve(true);
    if (storedRefreshToken() === null) return Promise.resolve(false);
    this.#restoring ??= this.#restore().finally(() => {
      this.#restoring = null;
    });
    return this.#restoring;
  }

  async #restore(): Promise<boolean> {
    if (!(await this.refresh())) return false;
    try {
      this.user = await fetchMe();
    } catch (error) {
      if (refused(error)) await this.signOut('expired');
      throw error;
    }
    this.endedBecause = null;
    return true;
  }

  /**
   * Gets a new access token; concurrent callers share one request. False when the server refused the
   * refresh token (the session is then signed out); rejects when the server could not be asked.
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= exclusive(() => this.#refresh()).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    // Read inside the lock: another tab may have rotated the token a moment ago.
    const token = storedRefreshToken();
    if (token === null) {
      await this.signOut('expired');
      return false;
    }
    let pair: Awaited<ReturnType<typeof refreshTokens>>;
    try {
      pair = await refreshTokens(token);
    } catch (error) {
      if (!refused(error)) throw error;
      await this.signOut('expired');
      return false;
    }
    const userId = tokenClaims(pair.access_token)?.sub;
    if (this.user && userId !== this.user.id) {
      // Another account signed in from another tab; its token is not ours to use or to clear.
      await this.signOut('other-account');
      return false;
    }
    localStorage.setItem(REFRESH_TOKEN_KEY, pair.refresh_token);
    this.accessToken = pair.access_token;
    return true;
  }

  /**
   * Ends the session: listeners run first (close the socket, drop in-memory state), then the refresh
   * token and the personal data of this device go (drafts, outbox, active channel; never the E2E keys).
   */
  async signOut(reason: SessionEnd = 'signed-out'): Promise<void> {
    const accessToken = this.accessToken;
    const hadSession = this.user !== null || accessToken !== null;
    this.user = null;
    this.accessToken = null;
    this.endedBecause = reason;
    if (reason === 'signed-out' && accessToken) {
      const sessionId = tokenClaims(accessToken)?.sid;
      if (sessionId) revokeSession(sessionId, accessToken).catch(() => undefined);
    }
    if (hadSession) {
      for (const listener of this.#listeners) {
        try {
          await listener();
        } catch (error) {
          console.error('sign-out listener failed', error);
        }
      }
    }
    if (reason === 'signed-out' || reason === 'expired') {
      localStorage.removeItem(REFRESH_TOKEN_KEY);
      clearPersonalData();
    }
  }

  /** Runs `listener` on every sign-out (here or in another tab); returns a function that removes it. */
  onSignOut(listener: SignOutListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const session = new Session();

attachSession({
  accessToken: () => session.accessToken,
  refresh: () => session.refresh(),
  expire: () => void session.signOut('expired'),
});
