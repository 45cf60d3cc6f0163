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

/** E2E key material (rest-api.md §17–§18, e2e-encryption.md §3.4–§3.5). */
export const keyLimits = {
  /** One-time prekeys in one upload (`POST /api/keys/register`, `POST /api/keys/prekeys/one-time`). */
  oneTimePrekeysPerUpload: 200,
  /** Unused one-time prekeys a user may hold, so that nobody fills the table (ours; clients keep ~100). */
  unusedOneTimePrekeysMax: 1000,
  /** Below this many unused one-time prekeys, a bundle fetch sends the owner `keys_low`. */
  lowOneTimePrekeys: 25,
  /** A sender-key distribution's JSON; ours, for clients that put one encrypted copy per member in it. */
  senderKeyDistributionBytes: 1024 * 1024,
} as const;

/**
 * Token buckets for `GET /api/keys/{user_id}/bundle`, which hands out one-time prekeys (e2e-encryption.md §14.3
 * item 7). Per requester and target: a few fetches, then one per 10 minutes, so nobody drains a user's
 * prekeys. Per requester: room for a client's first message in a group channel, which opens a pairwise session
 * with every member it has none with (sender keys travel through those sessions), then two fetches a second.
 */
export const keyBundleRateLimits = {
  perTarget: { burst: 5, refillPerSecond: 1 / 600 },
  perRequester: { burst: 200, refillPerSecond: 2 },
  message: 'too many key bundle requests',
} as const;
