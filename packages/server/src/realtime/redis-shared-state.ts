import { type ChainableCommander, Redis, type Result } from 'ioredis';
import { secondsUntilToken, type TakeResult, type TokenBucketRule } from '../platform/rate-limit.js';
import {
  type ChosenStatus,
  CONNECTION_TTL_MS,
  type ConnectionRef,
  type DeviceActivity,
  type SharedState,
  type UserPresence,
} from './shared-state.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    presenceAdd(
      key: string,
      field: string,
      now: number,
      expiresAt: number,
      max: number,
      chosen: ChosenStatus,
      keyTtlMs: number,
    ): Result<number, Context>;
    presenceRemove(key: string, field: string, now: number, keyTtlMs: number): Result<number, Context>;
    /** An empty `activity` keeps the current one. */
    presenceTouch(
      key: string,
      field: string,
      activity: DeviceActivity | '',
      expiresAt: number,
      keyTtlMs: number,
    ): Result<number, Context>;
    presenceChoose(key: string, chosen: ChosenStatus, keyTtlMs: number): Result<number, Context>;
    /** Replies `[allowed (0 or 1), tokens left]`; the tokens as a string, since Lua numbers reply as integers. */
    takeToken(
      key: string,
      now: number,
      burst: number,
      refillPerSecond: number,
      keyTtlMs: number,
    ): Result<[number, string], Context>;
  }
}

/** Deletes the expired device fields of a hash and counts the live ones. */
const PRUNE = `
local function prune(key, now)
  local live = 0
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 2) == 'd:' then
      if (tonumber(string.match(fields[i + 1], '|(%d+)$')) or 0) > now then
        live = live + 1
      else
        redis.call('HDEL', key, fields[i])
      end
    end
  end
  return live
end
`;

/**
 * A user without live devices takes the new `chosen` even when a crashed process left a stale one behind
 * (the key outlives its devices by up to one connection TTL).
 */
const ADD = `${PRUNE}
local live = prune(KEYS[1], tonumber(ARGV[2]))
if live >= tonumber(ARGV[4]) then return 0 end
if live == 0 then redis.call('HSET', KEYS[1], 'c', ARGV[5]) end
redis.call('HSET', KEYS[1], ARGV[1], 'active|' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`;

const REMOVE = `${PRUNE}
redis.call('HDEL', KEYS[1], ARGV[1])
if prune(KEYS[1], tonumber(ARGV[2])) == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
`;

const TOUCH = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local activity = ARGV[2]
if activity == '' then activity = string.match(current, '^(.-)|') end
redis.call('HSET', KEYS[1], ARGV[1], activity .. '|' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

const CHOOSE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** A token bucket in a hash: `t` tokens as of `u` (ms); the key expires once the bucket is full again. */
const TAKE_TOKEN = `
local now = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1]) or burst
local elapsed = math.max(0, now - (tonumber(state[2]) or now))
tokens = math.min(burst, tokens + elapsed / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { allowed, tostring(tokens) }
`;

const CHOSEN_STATUSES: readonly ChosenStatus[] = ['online', 'dnd', 'invisible'];

export interface RedisSharedStateOptions {
  url: string;
  /** Starts every key, e.g. `chatalot:`. */
  prefix: string;
  /** How long an unrefreshed connection still counts; only tests shorten it. */
  connectionTtlMs?: number;
}

/**
 * Shared state of several server processes. Each user is one hash `<prefix>presence:<userId>`: field `c` holds
 * the chosen status, and each live connection a field `d:<connectionId>` = `<activity>|<expiresAtMs>`. Scripts
 * keep every read-modify-write atomic; the whole key expires when nobody refreshes it.
 */
export class RedisSharedState implements SharedState {
  readonly outlivesProcess = true;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly connectionTtlMs: number;

  constructor(options: RedisSharedStateOptions) {
    this.prefix = options.prefix;
    this.connectionTtlMs = options.connectionTtlMs ?? CONNECTION_TTL_MS;
    this.redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
    this.redis.defineCommand('presenceAdd', { numberOfKeys: 1, lua: ADD });
    this.redis.defineCommand('presenceRemove', { numberOfKeys: 1, lua: REMOVE });
    this.redis.defineCommand('presenceTouch', { numberOfKeys: 1, lua: TOUCH });
    this.redis.defineCommand('presenceChoose', { numberOfKeys: 1, lua: CHOOSE });
    this.redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
  }

  async addConnection(ref: ConnectionRef, max: number, chosen: ChosenStatus): Promise<boolean> {
    const now = Date.now();
    const added = await this.redis.presenceAdd(
      this.presenceKey(ref.userId),
      deviceField(ref),
      now,
      now + this.connectionTtlMs,
      max,
      chosen,
      this.keyTtlMs(),
    );
    return added === 1;
  }

  async removeConnection(ref: ConnectionRef): Promise<void> {
    await this.redis.presenceRemove(
      this.presenceKey(ref.userId),
      deviceField(ref),
      Date.now(),
      this.keyTtlMs(),
    );
  }

  async setActivity(ref: ConnectionRef, activity: DeviceActivity): Promise<void> {
    await this.redis.presenceTouch(...this.touchArgs(ref, activity));
  }

  async setChosen(userId: string, chosen: ChosenStatus): Promise<void> {
    await this.redis.presenceChoose(this.presenceKey(userId), chosen, this.keyTtlMs());
  }

  async presenceOf(userIds: readonly string[]): Promise<Map<string, UserPresence>> {
    const result = new Map<string, UserPresence>();
    if (userIds.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) pipeline.hgetall(this.presenceKey(userId));
    const hashes = await execOrThrow(pipeline);
    const now = Date.now();
    userIds.forEach((userId, index) => {
      // HGETALL replies are turned into objects by ioredis, in pipelines too.
      const presence = parsePresence(hashes[index] as Record<string, string> | undefined, now);
      if (presence) result.set(userId, presence);
    });
    return result;
  }

  async refresh(refs: readonly ConnectionRef[]): Promise<void> {
    if (refs.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const ref of refs) pipeline.presenceTouch(...this.touchArgs(ref, ''));
    await execOrThrow(pipeline);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}claim:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async takeToken(key: string, rule: TokenBucketRule): Promise<TakeResult> {
    const fullAfterMs = Math.ceil((rule.burst / rule.refillPerSecond) * 1000);
    const [allowed, tokens] = await this.redis.takeToken(
      `${this.prefix}bucket:${key}`,
      Date.now(),
      rule.burst,
      rule.refillPerSecond,
      fullAfterMs,
    );
    if (allowed === 1) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: secondsUntilToken(Number(tokens), rule) };
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit();
  }

  private touchArgs(
    ref: ConnectionRef,
    activity: DeviceActivity | '',
  ): [string, string, DeviceActivity | '', number, number] {
    const expiresAt = Date.now() + this.connectionTtlMs;
    return [this.presenceKey(ref.userId), deviceField(ref), activity, expiresAt, this.keyTtlMs()];
  }

  private presenceKey(userId: string): string {
    return `${this.prefix}presence:${userId}`;
  }

  /** The hash outlives its last refresh long enough for every field in it to have expired. */
  private keyTtlMs(): number {
    return 2 * this.connectionTtlMs;
  }
}

function deviceField(ref: ConnectionRef): string {
  return `d:${ref.connectionId}`;
}

async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function parsePresence(hash: Record<string, string> | undefined, now: number): UserPresence | undefined {
  const devices: DeviceActivity[] = [];
  for (const [field, value] of Object.entries(hash ?? {})) {
    if (!field.startsWith('d:')) continue;
    const [activity, expiresAt] = value.split('|');
    if (Number(expiresAt) > now) devices.push(activity === 'idle' ? 'idle' : 'active');
  }
  if (devices.length === 0) return undefined;
  return { chosen: CHOSEN_STATUSES.find((status) => status === hash?.c) ?? 'online', devices };
}
