import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../../test/support/redis-url.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { createLogger } from '../observability/index.ts';
import { openRedis, type RedisConnection } from '../redis/index.ts';
import { createRedisRateLimitStore } from './rate-limit-store.redis.ts';

const redisUrl = testRedisUrl('rate-limit-store.redis.test.ts');
const logger = createLogger({ level: 'silent' });

describe.skipIf(!redisUrl)('Redis rate-limit store', () => {
  // Two connections stand for two nodes; a prefix of this run keeps other files' keys apart.
  let nodeA: RedisConnection;
  let nodeB: RedisConnection;
  const prefix = `test:${randomBytes(4).toString('hex')}:rl:`;
  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([openRedis(redisUrl, { logger }), openRedis(redisUrl, { logger })]);
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
  });

  it('counts the hits of both nodes in one window, per counter and per key', async () => {
    const windowMs = 60_000;
    const windowStart = Date.now() - (Date.now() % windowMs);
    const onA = createRedisRateLimitStore(nodeA.client, { prefix }).counter('ip', windowMs);
    const onB = createRedisRateLimitStore(nodeB.client, { prefix }).counter('ip', windowMs);
    const hits = [await onA.increment('203.0.113.1', windowStart), await onB.increment('203.0.113.1', windowStart), await onA.increment('203.0.113.1', windowStart)];
    expect(hits).toEqual([1, 2, 3]);
    expect(await onB.increment('203.0.113.2', windowStart)).toBe(1);
    expect(await createRedisRateLimitStore(nodeB.client, { prefix }).counter('user', windowMs).increment('203.0.113.1', windowStart)).toBe(1);
    // Concurrent hits from both nodes are all counted (INCR is atomic).
    const burst = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? onA : onB).increment('203.0.113.3', windowStart)));
    expect([...burst].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('starts a new count in the next window and lets the old key expire after its window', async () => {
    const windowMs = 1000;
    const counter = createRedisRateLimitStore(nodeA.client, { prefix }).counter('short', windowMs);
    const first = 5_000_000;
    expect(await counter.increment('k', first)).toBe(1);
    expect(await counter.increment('k', first)).toBe(2);
    expect(await counter.increment('k', first + windowMs)).toBe(1);
    const windowStart = Date.now() - (Date.now() % windowMs);
    await counter.increment('fresh', windowStart);
    const left = Number(await nodeA.client.eval(`return redis.call('PTTL', KEYS[1])`, 1, `${prefix}short:${windowStart}:fresh`));
    expect(left).toBeGreaterThan(60_000 - 100);
    expect(left).toBeLessThanOrEqual(windowMs + 60_000);
  });

  it('loads its script again when Redis lost it (SCRIPT FLUSH, a restart)', async () => {
    const counter = createRedisRateLimitStore(nodeA.client, { prefix }).counter('flushed', 60_000);
    expect(await counter.increment('k', 0)).toBe(1);
    const admin = new Redis(redisUrl);
    try {
      await admin.script('FLUSH');
    } finally {
      admin.disconnect();
    }
    expect(await counter.increment('k', 0)).toBe(2);
  });

  it('rejects at once, and reports it, when Redis is unreachable', async () => {
    const dead = await openRedis(`redis://127.0.0.1:${await freePort()}`, { logger, startWaitMs: 1000 });
    try {
      const failures: unknown[] = [];
      const counter = createRedisRateLimitStore(dead.client, { prefix, onFailure: (error) => failures.push(error) }).counter('ip', 60_000);
      const started = performance.now();
      await expect(counter.increment('203.0.113.9', 0)).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(100);
      expect(failures).toHaveLength(1);
    } finally {
      await dead.close();
    }
  });
});
