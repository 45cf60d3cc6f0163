import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import { AuthService } from './domains/auth/auth.service.js';
import { Lockout } from './domains/auth/lockout.js';
import { OwnerSetup } from './domains/auth/owner-setup.js';
import { SessionService } from './domains/sessions/sessions.service.js';
import { TotpService } from './domains/totp/totp.service.js';
import { TokenService } from './platform/auth/tokens.js';
import type { Clock } from './platform/clock.js';
import type { Database } from './platform/db/database.js';
import type { Schema } from './platform/db/schema.js';
import type { EventHub } from './platform/events/hub.js';
import type { Secrets } from './platform/secrets.js';
import type { SharedState } from './realtime/shared-state.js';

/** The services every domain's routes are built from; made once per app. */
export interface AppContext {
  config: Readonly<Config>;
  database: Database;
  db: Kysely<Schema>;
  clock: Clock;
  /** Domain events, published after commit (`platform/db/unit-of-work.ts`). */
  hub: EventHub;
  /** Ephemeral state shared by every server process (presence, cooldowns); Redis when several run. */
  shared: SharedState;
  tokens: TokenService;
  sessions: SessionService;
  totp: TotpService;
  ownerSetup: OwnerSetup;
  auth: AuthService;
}

export function createContext(
  config: Readonly<Config>,
  database: Database,
  secrets: Secrets,
  clock: Clock,
  hub: EventHub,
  shared: SharedState,
): AppContext {
  const { db } = database;
  const tokens = new TokenService(
    { privateKey: secrets.jwtPrivateKey, publicKey: secrets.jwtPublicKey },
    config.publicUrl ?? 'chatalot',
    clock,
  );
  const sessions = new SessionService(clock);
  const totp = new TotpService(db, secrets.totpKey, clock);
  const ownerSetup = new OwnerSetup(db, config.dataDir);
  const lockout = new Lockout(db, clock);
  const auth = new AuthService({ db, config, clock, tokens, sessions, lockout, totp, ownerSetup, hub });
  return { config, database, db, clock, hub, shared, tokens, sessions, totp, ownerSetup, auth };
}
