import { type RateLimitTierName, rateLimitTiers } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';

export interface TokenBucketRule {
  burst: number;
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Seconds until a token is available again (0 when allowed). */
  retryAfterSeconds: number;
}

/** Where buckets live: this process for one node; a shared store when several nodes run. */
export interface RateLimitStore {
  take(key: string, rule: TokenBucketRule): TakeResult | Promise<TakeResult>;
}

/** Whole seconds (at least 1) until a bucket holding `tokens` has a token again. */
export function secondsUntilToken(tokens: number, rule: TokenBucketRule): number {
  return Math.max(1, Math.ceil((1 - tokens) / rule.refillPerSecond));
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** When the bucket is full again and may be forgotten. */
  fullAt: number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(private readonly clock: Clock) {
    this.lastSweep = clock.now();
  }

  take(key: string, rule: TokenBucketRule): TakeResult {
    const now = this.clock.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: rule.burst, updatedAt: now, fullAt: now };
    const refilled = Math.min(
      rule.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * rule.refillPerSecond,
    );
    const allowed = refilled >= 1;
    const tokens = allowed ? refilled - 1 : refilled;
    const fullAt = now + ((rule.burst - tokens) / rule.refillPerSecond) * 1000;
    this.buckets.set(key, { tokens, updatedAt: now, fullAt });
    return { allowed, retryAfterSeconds: allowed ? 0 : secondsUntilToken(tokens, rule) };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that are full again (as good as new), at most once a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now >= bucket.fullAt) this.buckets.delete(key);
    }
  }
}

const IMMUTABLE_ASSETS = '/_app/immutable/';

/** Per-IP token buckets: every request but the immutable assets takes from the global tier, `/api/auth/*` also from the auth tier. */
export function registerRateLimits(app: FastifyInstance, store: RateLimitStore): void {
  app.addHook('onRequest', async (request) => {
    // The web client's content-hashed bundles are exempt: a cold start fetches ~40 of them, so two quick
    // reloads would otherwise get 429s on script chunks and a broken page. They cost a file read each.
    if (request.url.startsWith(IMMUTABLE_ASSETS)) return;
    await enforce(store, 'global', request.ip);
    if (request.url.startsWith('/api/auth/')) await enforce(store, 'auth', request.ip);
  });
}

async function enforce(store: RateLimitStore, tierName: RateLimitTierName, ip: string): Promise<void> {
  const tier = rateLimitTiers[tierName];
  const result = await store.take(`${tierName}:${ip}`, tier);
  if (!result.allowed) {
    throw new AppError('rate_limited', tier.message, { 'retry-after': String(result.retryAfterSeconds) });
  }
}
