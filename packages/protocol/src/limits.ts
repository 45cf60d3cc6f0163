/** Limits shared by server and clients (../shared/spec/server-behaviour.md §5–§6). */
export const limits = {
  /** Largest accepted JSON body; uploads get their own per-route limit. */
  jsonBodyBytes: 1024 * 1024,
  /** Hard ceiling for any request body, uploads included (reference: 110 MiB). */
  maxBodyBytes: 110 * 1024 * 1024,
} as const;

/** Token-bucket tiers of the HTTP rate limiter (§6.6). */
export const rateLimitTiers = {
  global: {
    burst: 50,
    refillPerSecond: 20,
    retryAfterSeconds: 1,
    message: 'too many requests, please slow down',
  },
  auth: { burst: 10, refillPerSecond: 5, retryAfterSeconds: 5, message: 'too many authentication attempts' },
} as const;

export type RateLimitTierName = keyof typeof rateLimitTiers;
