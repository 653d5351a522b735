/**
 * Redis, when REDIS_URL is set: the state several nodes share (rate-limit counters, the login
 * throttle, session invalidations). Glossary: connection = one command client plus one subscriber
 * of its own (a subscribed Redis connection can run nothing else); fail open = a feature whose Redis
 * call fails acts as if Redis were not there, logs a warning and counts `redis_failures_total{use}`.
 */
import type { Registry } from 'prom-client';

/** What a Lua script needs of a client (ioredis's `Redis` has it); modules depend on this, not on ioredis. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

export interface PublishClient {
  publish(channel: string, message: string): Promise<number>;
}

/** A subscriber's callbacks: `live(false)` when messages may be missed from now on, `live(true)` once subscribed again. */
export interface ChannelListener {
  message(text: string): void;
  live(isLive: boolean): void;
}

/** What features may fail open on: the label of `redis_failures_total`. */
export type RedisUse = 'rate_limits' | 'login_throttle' | 'session_invalidation';

export interface RedisConnection {
  /** Commands fail fast (no offline queue, a command timeout): callers fail open on a rejection. */
  readonly client: ScriptClient & PublishClient;
  /** Listens to a channel on the subscriber connection, re-subscribing after every reconnect. */
  subscribe(channel: string, listener: ChannelListener): void;
  /** Counts one failed call of a feature (the feature logs it). */
  countFailure(use: RedisUse): void;
  /** Adds `redis_up` and `redis_failures_total` to a metrics registry. */
  registerMetrics(registry: Registry): void;
  /** Closes both connections (QUIT, or a hard disconnect when Redis does not answer). */
  close(): Promise<void>;
}
