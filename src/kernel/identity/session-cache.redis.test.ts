import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testRedisUrl } from '../../../test/support/redis-url.ts';
import { createLogger } from '../observability/index.ts';
import { openRedis, type ChannelListener, type RedisConnection } from '../redis/index.ts';
import { createSessionCache, type SessionCache } from './session-cache.ts';
import { shareSessionCache, type EvictionBus } from './session-cache.redis.ts';

const redisUrl = testRedisUrl('session-cache.redis.test.ts');
const logger = createLogger({ level: 'silent' });
const minute = 60_000;
const ada = { userId: 'user-ada', roles: ['owner'] };
const bob = { userId: 'user-bob', roles: ['viewer'] };

/** Resolves once `predicate` holds (pub/sub delivery takes a moment), failing after a second. */
const eventually = (predicate: () => boolean) => vi.waitFor(() => expect(predicate()).toBe(true), { timeout: 1000, interval: 5 });

describe.skipIf(!redisUrl)('session cache evictions shared through Redis', () => {
  let nodeA: RedisConnection;
  let nodeB: RedisConnection;
  let onA: SessionCache;
  let onB: SessionCache;
  // A channel of this file: other test files' nodes publish on the default one.
  const channel = `test:${randomBytes(4).toString('hex')}:sessions`;
  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([openRedis(redisUrl, { logger }), openRedis(redisUrl, { logger })]);
    onA = shareSessionCache(createSessionCache(minute), nodeA, { channel });
    onB = shareSessionCache(createSessionCache(minute), nodeB, { channel });
    // Subscribed: an eviction published by A reaches B (published again until it does).
    onB.set('probe', 'probe', ada);
    await eventually(() => {
      if (onB.get('probe', 'probe') === undefined) return true;
      onA.forget('probe', 'probe');
      return false;
    });
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
  });

  it('evicts a session on node B when node A forgets it, and only that session', async () => {
    onB.set('tenant-1', 'session-1', ada);
    onB.set('tenant-1', 'session-2', ada);
    onA.forget('tenant-1', 'session-1');
    expect(onA.get('tenant-1', 'session-1')).toBeUndefined();
    await eventually(() => onB.get('tenant-1', 'session-1') === undefined);
    expect(onB.get('tenant-1', 'session-2')).toEqual(ada);
  });

  it("evicts a user's sessions in one tenant, or in every tenant, on the other node", async () => {
    onB.set('tenant-1', 'a1', ada);
    onB.set('tenant-2', 'a2', ada);
    onB.set('tenant-1', 'b1', bob);
    onA.forgetUserIn('tenant-1', ada.userId);
    await eventually(() => onB.get('tenant-1', 'a1') === undefined);
    expect(onB.get('tenant-2', 'a2')).toEqual(ada);
    expect(onB.get('tenant-1', 'b1')).toEqual(bob);
    onA.forgetUser(ada.userId);
    await eventually(() => onB.get('tenant-2', 'a2') === undefined);
    expect(onB.get('tenant-1', 'b1')).toEqual(bob);
  });

  it('does not cache a session check that raced an eviction heard from another node', async () => {
    const since = onB.version();
    onA.forget('tenant-1', 'racing');
    await eventually(() => onB.version() !== since);
    onB.set('tenant-1', 'racing', ada, since);
    expect(onB.get('tenant-1', 'racing')).toBeUndefined();
  });
});

describe('session cache evictions (bus behaviour, no Redis)', () => {
  function fakeBus() {
    const listeners: ChannelListener[] = [];
    const published: string[] = [];
    const bus: EvictionBus = {
      client: { publish: async (_channel, message) => (published.push(message), listeners.length) },
      subscribe: (_channel, listener) => void listeners.push(listener),
    };
    return { bus, published, deliver: (text: string) => listeners.forEach((listener) => listener.message(text)), live: (isLive: boolean) => listeners.forEach((listener) => listener.live(isLive)) };
  }

  it('ignores messages that are not evictions', () => {
    const { bus, deliver } = fakeBus();
    const cache = shareSessionCache(createSessionCache(minute), bus);
    cache.set('tenant-1', 'session-1', ada);
    for (const noise of ['', 'not json', 'null', '42', '{"forget":["tenant-1"]}', '{"forget":[1,2]}', '{"drop":"all"}']) deliver(noise);
    expect(cache.get('tenant-1', 'session-1')).toEqual(ada);
    deliver(JSON.stringify({ forget: ['tenant-1', 'session-1'] }));
    expect(cache.get('tenant-1', 'session-1')).toBeUndefined();
  });

  it('empties the cache when the subscription drops or comes back (evictions may have been missed)', () => {
    const { bus, live } = fakeBus();
    const cache = shareSessionCache(createSessionCache(minute), bus);
    cache.set('tenant-1', 'session-1', ada);
    live(false);
    expect(cache.get('tenant-1', 'session-1')).toBeUndefined();
    cache.set('tenant-1', 'session-1', ada);
    live(true);
    expect(cache.get('tenant-1', 'session-1')).toBeUndefined();
  });

  it('keeps the eviction local when publishing fails, and reports it', async () => {
    const failures: unknown[] = [];
    const bus: EvictionBus = { client: { publish: () => Promise.reject(new Error('redis down')) }, subscribe: () => undefined };
    const cache = shareSessionCache(createSessionCache(minute), bus, { onPublishFailure: (error) => failures.push(error) });
    cache.set('tenant-1', 'session-1', ada);
    cache.forget('tenant-1', 'session-1');
    expect(cache.get('tenant-1', 'session-1')).toBeUndefined();
    await vi.waitFor(() => expect(failures).toHaveLength(1));
  });
});
