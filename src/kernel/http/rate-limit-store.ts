/**
 * Where rate-limit hits are counted. Glossary: counter = the hits of one limit (ip, user, tenant or a
 * route's own) per key; window = a fixed interval aligned to the clock (`windowStart` is a multiple of
 * its length), so every node and a shared store agree on when it resets.
 */

export interface RateLimitCounter {
  /**
   * Adds one hit of `key` in the window starting at `windowStart` (ms) and returns the hits so far in it.
   * The memory store answers synchronously; a shared store (Redis) may return a promise.
   */
  increment(key: string, windowStart: number): number | Promise<number>;
}

export interface RateLimitStore {
  /** The counter of one limit; `name` is unique per limit, `windowMs` its window length. */
  counter(name: string, windowMs: number): RateLimitCounter;
}

/** Keys one counter tracks per window at most (about 100 bytes each); beyond it new keys go uncounted. */
const defaultMaxKeys = 100_000;

/**
 * Counts in this process: one Map per counter, replaced when its window ends (so memory holds one
 * window of keys). Limits are per node: behind N nodes a client may get up to N times the limit.
 */
export function createMemoryRateLimitStore(options: { maxKeys?: number } = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? defaultMaxKeys;
  return {
    counter() {
      let currentStart = Number.NaN;
      let hits = new Map<string, number>();
      return {
        increment(key, windowStart) {
          if (windowStart !== currentStart) {
            currentStart = windowStart;
            hits = new Map();
          }
          const count = (hits.get(key) ?? 0) + 1;
          // Fail open for new keys when full (a flood of distinct addresses) rather than forget everyone.
          if (count === 1 && hits.size >= maxKeys) return 1;
          hits.set(key, count);
          return count;
        },
      };
    },
  };
}
