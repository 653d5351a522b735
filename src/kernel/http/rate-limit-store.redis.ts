/**
 * Rate-limit counts shared by every node through Redis: one key per counter, window and client,
 * `<prefix><name>:<windowStart>:<key>`, incremented with one EVALSHA (INCR, and PEXPIRE on the first
 * hit) so that all nodes count the same window. A failed call rejects: the limits then admit the
 * request (rate-limits.ts), so a Redis outage never takes the API down.
 */
import { defineScript, type ScriptClient } from '../redis/index.ts';
import type { RateLimitStore } from './rate-limit-store.ts';

/** Keys outlive their window by this much: a node whose clock runs behind still finds its count. */
const expiryMarginMs = 60_000;

const incrementScript = defineScript(`
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return hits
`);

export interface RedisRateLimitOptions {
  /** Key prefix (default `tenantry:rl:`). */
  prefix?: string;
  /** Called on each failed count (a metric); the request is admitted and logged by the limits. */
  onFailure?: (error: unknown) => void;
  now?: () => number;
}

/** Counts in Redis, so that behind N nodes a client gets the limit once, not N times. */
export function createRedisRateLimitStore(client: ScriptClient, options: RedisRateLimitOptions = {}): RateLimitStore {
  const prefix = options.prefix ?? 'tenantry:rl:';
  const now = options.now ?? Date.now;
  return {
    counter(name, windowMs) {
      return {
        increment(key, windowStart) {
          // Relative expiry (PEXPIRE, not PEXPIREAT): Redis's clock need not agree with this node's.
          const ttlMs = Math.max(1, windowStart + windowMs - now()) + expiryMarginMs;
          return incrementScript.run(client, [`${prefix}${name}:${windowStart}:${key}`], [ttlMs]).then(Number, (error: unknown) => {
            options.onFailure?.(error);
            throw error;
          });
        },
      };
    },
  };
}
