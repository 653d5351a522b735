import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { testRedisUrl } from '../../../test/support/redis-url.ts';
import { createLogger } from '../observability/index.ts';
import { openRedis, type RedisConnection } from '../redis/index.ts';
import { isAppError } from '../shared/index.ts';
import { createLoginThrottle, type ThrottleOptions } from './login-throttle.ts';
import { createRedisThrottleStore } from './login-throttle.redis.ts';

const redisUrl = testRedisUrl('login-throttle.redis.test.ts');
const logger = createLogger({ level: 'silent' });
const options: ThrottleOptions = { freeAttempts: 2, lockoutAfter: 4, lockoutSeconds: 900, maxDelaySeconds: 300, ipFailuresPerWindow: 6, ipWindowSeconds: 900 };

async function waitOf(check: Promise<void>): Promise<number> {
  try {
    await check;
    return 0;
  } catch (error) {
    if (!isAppError(error) || error.code !== 'identity.too_many_attempts') throw error;
    return Number(error.extensions?.retryAfter);
  }
}

describe.skipIf(!redisUrl)('login throttle on Redis (several nodes)', () => {
  let nodeA: RedisConnection;
  let nodeB: RedisConnection;
  const prefix = `test:${randomBytes(4).toString('hex')}:lt:`;
  const unique = () => randomBytes(4).toString('hex');
  const throttleOn = (node: RedisConnection, now?: () => number) => createLoginThrottle({ ...options, store: createRedisThrottleStore(node.client, { prefix }), ...(now ? { now } : {}) });
  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([openRedis(redisUrl, { logger }), openRedis(redisUrl, { logger })]);
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
  });

  it('locks an account on node B after failures counted on node A and B, and a success on B clears it for A', async () => {
    const [onA, onB] = [throttleOn(nodeA), throttleOn(nodeB)];
    const account = `ada-${unique()}@example.com`;
    await onA.recordFailure(account, '198.51.100.10');
    expect(await waitOf(onB.check(account, '198.51.100.11'))).toBe(0);
    await onB.recordFailure(account, '198.51.100.11');
    expect(await waitOf(onA.check(account, '198.51.100.10'))).toBe(1);
    await onA.recordFailure(account, '198.51.100.10');
    expect(await onB.recordFailure(account, '198.51.100.11')).toEqual({ lockedSeconds: 900 });
    expect(await waitOf(onA.check(account, '198.51.100.12'))).toBe(900);
    expect(await waitOf(onB.check(account, '198.51.100.12'))).toBe(900);
    await onB.recordSuccess(account);
    expect(await waitOf(onA.check(account, '198.51.100.12'))).toBe(0);
  });

  it('counts concurrent failures of both nodes exactly once each (atomic scripts)', async () => {
    const [onA, onB] = [throttleOn(nodeA), throttleOn(nodeB)];
    const account = `burst-${unique()}@example.com`;
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 ? onA : onB).recordFailure(account, `198.51.100.${20 + index}`)));
    // Failures 4 to 10 are each at or beyond the lockout: 7 answers say it started one.
    expect(outcomes.filter((outcome) => outcome.lockedSeconds === 900)).toHaveLength(7);
  });

  it('refuses an address on one node after failures on both, for the rest of its window', async () => {
    let time = 10_000_000;
    const now = () => time;
    const [onA, onB] = [throttleOn(nodeA, now), throttleOn(nodeB, now)];
    const ip = `198.51.100.${100 + Math.floor(Math.random() * 100)}-${unique()}`;
    for (let failure = 0; failure < 6; failure++) await (failure % 2 ? onA : onB).recordFailure(`user-${unique()}@example.com`, ip);
    expect(await waitOf(onA.check(`other-${unique()}@example.com`, ip))).toBe(900);
    time += 900_000;
    expect(await waitOf(onB.check(`other-${unique()}@example.com`, ip))).toBe(0);
  });

  it('keeps no e-mail address or IP in clear in Redis keys', async () => {
    const account = `private-${unique()}@example.com`;
    await throttleOn(nodeA).recordFailure(account, '198.51.100.77');
    const admin = new Redis(redisUrl);
    try {
      const keys = await admin.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toMatch(/example\.com|198\.51\.100/);
    } finally {
      admin.disconnect();
    }
  });

  it('admits attempts at once, and reports the failures, when Redis is unreachable', async () => {
    const dead = await openRedis(`redis://127.0.0.1:${await freePort()}`, { logger, startWaitMs: 1000 });
    try {
      const failures: unknown[] = [];
      const throttle = createLoginThrottle({ ...options, store: createRedisThrottleStore(dead.client, { prefix }), onStoreFailure: (error) => failures.push(error) });
      const started = performance.now();
      for (let attempt = 0; attempt < 6; attempt++) {
        await throttle.check('ada@example.com', '198.51.100.99');
        await throttle.recordFailure('ada@example.com', '198.51.100.99');
      }
      expect(performance.now() - started).toBeLessThan(500);
      expect(failures).toHaveLength(12);
    } finally {
      await dead.close();
    }
  });
});
