/**
 * Opens a node's two Redis connections with options that keep a dead or slow Redis from holding up
 * requests: no offline queue (a command while disconnected fails at once), a command timeout, a
 * bounded connect, and reconnection in the background for as long as the node runs.
 */
import { Redis, type RedisOptions } from 'ioredis';
import prometheus from 'prom-client';
import type { Logger } from '../observability/index.ts';
import type { ChannelListener, RedisConnection, RedisUse } from './redis.contract.ts';

/** A healthy Redis answers in well under a millisecond; a request waits no longer than this for it. */
const commandTimeoutMs = 500;
const connectTimeoutMs = 2000;
/** After a timeout (a Redis that is connected but stalled), calls fail at once for this long. */
const stalledPauseMs = 1000;

export interface OpenRedisOptions {
  logger: Logger;
  /** How long opening waits for the first connection before going on without it (default: the connect timeout). */
  startWaitMs?: number;
}

/** Connects (waiting at most `startWaitMs`); an unreachable Redis does not stop the node: its users fail open. */
export async function openRedis(url: string, options: OpenRedisOptions): Promise<RedisConnection> {
  const { logger } = options;
  const where = describeRedisUrl(url);
  const common: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Commands in flight when the connection drops fail instead of waiting for a reconnect.
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
  };
  const commands = new Redis(url, { ...common, connectionName: 'tenantry' });
  const subscriber = new Redis(url, { ...common, connectionName: 'tenantry-subscriber', autoResubscribe: false });
  for (const [connection, role] of [[commands, 'commands'], [subscriber, 'subscriber']] as const) watchConnection(connection, { logger, where, role });

  const listeners = new Map<string, ChannelListener[]>();
  const announce = (channels: readonly string[], isLive: boolean) => {
    for (const channel of channels) for (const listener of listeners.get(channel) ?? []) listener.live(isLive);
  };
  const subscribeTo = (channels: string[]) => {
    if (channels.length === 0) return;
    subscriber.subscribe(...channels).then(
      () => announce(channels, true),
      (error: unknown) => logger.warn({ err: error, redis: where, channels }, 'redis subscribe failed; retried on the next reconnect'),
    );
  };
  subscriber.on('message', (channel: string, text: string) => {
    for (const listener of listeners.get(channel) ?? []) listener.message(text);
  });
  // Subscriptions are made anew on every (re)connect, so `live(true)` means "subscribed from now on".
  subscriber.on('ready', () => subscribeTo([...listeners.keys()]));
  subscriber.on('close', () => announce([...listeners.keys()], false));

  const failures = new prometheus.Counter({ name: 'redis_failures_total', help: 'Redis calls that failed, by the feature that then failed open', labelNames: ['use'] as const, registers: [] });
  const up = new prometheus.Gauge({
    name: 'redis_up',
    help: '1 while both Redis connections of this node (commands, subscriber) are ready',
    registers: [],
    collect() {
      this.set(commands.status === 'ready' && subscriber.status === 'ready' ? 1 : 0);
    },
  });

  const startWaitMs = options.startWaitMs ?? connectTimeoutMs;
  await Promise.all([firstOutcome(commands, startWaitMs), firstOutcome(subscriber, startWaitMs)]);
  if (commands.status === 'ready' && subscriber.status === 'ready') logger.info({ redis: where }, 'redis connected');
  else logger.warn({ redis: where, status: commands.status }, 'redis not ready at start; shared limits, throttle and revocations fail open until it is');

  const client = failFastWhenStalled(commands);
  return {
    client,
    subscribe(channel, listener) {
      const known = listeners.get(channel);
      listeners.set(channel, [...(known ?? []), listener]);
      if (!known && subscriber.status === 'ready') subscribeTo([channel]);
      else if (known && subscriber.status === 'ready') listener.live(true);
    },
    countFailure: (use: RedisUse) => failures.inc({ use }),
    registerMetrics(registry) {
      registry.registerMetric(up);
      registry.registerMetric(failures);
    },
    async close() {
      // QUIT lets replies in flight arrive; a connection that is not ready is dropped at once.
      const quit = (connection: Redis) => (connection.status === 'ready' ? connection.quit().then(() => undefined, () => connection.disconnect()) : connection.disconnect());
      await Promise.all([quit(commands), quit(subscriber)]);
    },
  };
}

/**
 * The commands features use, failing at once for a moment after one timed out: while Redis stalls,
 * each request would otherwise wait the whole command timeout (a disconnected Redis fails at once anyway).
 */
function failFastWhenStalled(commands: Redis): RedisConnection['client'] {
  let pausedUntil = 0;
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    if (Date.now() < pausedUntil) return Promise.reject(new Error(`Redis timed out less than ${stalledPauseMs} ms ago; not asked`));
    return call().catch((error: unknown) => {
      if (error instanceof Error && error.message === 'Command timed out') pausedUntil = Date.now() + stalledPauseMs;
      throw error;
    });
  };
  return {
    evalsha: (sha, numKeys, ...keysAndArgs) => guard(() => commands.evalsha(sha, numKeys, ...keysAndArgs)),
    eval: (script, numKeys, ...keysAndArgs) => guard(() => commands.eval(script, numKeys, ...keysAndArgs)),
    publish: (channel, message) => guard(() => commands.publish(channel, message)),
  };
}

/** One warning per outage (ioredis reports every failed reconnect), one line when it is over. */
function watchConnection(connection: Redis, context: { logger: Logger; where: string; role: string }): void {
  const { logger, where, role } = context;
  let failing = false;
  connection.on('error', (error: Error) => {
    if (!failing) logger.warn({ err: error, redis: where, role }, 'redis connection failed; reconnecting (its users fail open meanwhile)');
    failing = true;
  });
  connection.on('ready', () => {
    if (failing) logger.info({ redis: where, role }, 'redis connection restored');
    failing = false;
  });
}

/** Resolves on the connection's first `ready` or `error`, or after `ms`. */
function firstOutcome(connection: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      connection.off('ready', finish);
      connection.off('error', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    connection.once('ready', finish);
    connection.once('error', finish);
  });
}

/** The URL without its credentials, for log lines: `redis://host:6379/0`. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis (REDIS_URL not parseable)';
  }
}
