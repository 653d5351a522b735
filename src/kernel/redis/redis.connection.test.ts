import { createServer, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { findRedisServer, startRedisServer, type TestRedisServer } from '../../../test/support/redis-server.ts';
import { testRedisUrl } from '../../../test/support/redis-url.ts';
import { createLogger } from '../observability/index.ts';
import { describeRedisUrl, openRedis } from './redis.connection.ts';
import type { RedisConnection } from './redis.contract.ts';

const redisUrl = testRedisUrl('redis.connection.test.ts');
const logger = createLogger({ level: 'silent' });

async function metricsOf(connection: RedisConnection): Promise<string> {
  const registry = new Registry();
  connection.registerMetrics(registry);
  return registry.metrics();
}

describe('describeRedisUrl', () => {
  it('keeps scheme, host and database, never the credentials', () => {
    expect(describeRedisUrl('redis://:s3cret@cache.internal:6380/2')).toBe('redis://cache.internal:6380/2');
    expect(describeRedisUrl('rediss://user:s3cret@cache.internal')).toBe('rediss://cache.internal');
    expect(describeRedisUrl('redis://%zz:s3cret@')).not.toContain('s3cret');
  });
});

describe('a Redis that is not there', () => {
  it('opens at once when the port refuses, and its commands fail at once', async () => {
    const started = performance.now();
    const connection = await openRedis(`redis://127.0.0.1:${await freePort()}`, { logger });
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(connection.client.publish('channel', 'message')).rejects.toThrow();
    expect(await metricsOf(connection)).toMatch(/^redis_up 0$/m);
    const closing = performance.now();
    await connection.close();
    expect(performance.now() - closing).toBeLessThan(200);
  });

  describe('a server that accepts connections and never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let port = 0;
    beforeAll(async () => {
      port = await freePort();
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('waits no longer than its start bound, then fails commands at once', async () => {
      const started = performance.now();
      const connection = await openRedis(`redis://127.0.0.1:${port}`, { logger, startWaitMs: 300 });
      expect(performance.now() - started).toBeLessThan(1000);
      const asked = performance.now();
      await expect(connection.client.evalsha('0'.repeat(40), 0)).rejects.toThrow();
      expect(performance.now() - asked).toBeLessThan(600);
      await connection.close();
    });
  });
});

describe.skipIf(!redisUrl)('a Redis connection', () => {
  it('connects, publishes to subscribers of another connection and reports redis_up 1', async () => {
    const [publisher, listener] = await Promise.all([openRedis(redisUrl, { logger }), openRedis(redisUrl, { logger })]);
    try {
      const heard: string[] = [];
      const states: boolean[] = [];
      listener.subscribe('test:connection:channel', { message: (text) => heard.push(text), live: (isLive) => states.push(isLive) });
      await vi.waitFor(() => expect(states).toEqual([true]));
      await publisher.client.publish('test:connection:channel', 'hello');
      await vi.waitFor(() => expect(heard).toEqual(['hello']));
      expect(await metricsOf(publisher)).toMatch(/^redis_up 1$/m);
      publisher.countFailure('rate_limits');
    } finally {
      await publisher.close();
      await listener.close();
    }
  });
});

describe.skipIf(!redisUrl)('a Redis of its own that stalls and restarts', () => {
  let server: TestRedisServer;
  let port = 0;
  const bin = findRedisServer();
  beforeAll(async () => {
    server = await startRedisServer(bin!);
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server?.stop());

  it('times a command out instead of waiting for a Redis that stopped answering, then fails fast for a moment', async () => {
    const connection = await openRedis(server.url, { logger });
    const admin = new Redis(server.url);
    try {
      // CLIENT PAUSE holds every client's commands (a server of this file's own: the suite's is not held up).
      await admin.client('PAUSE', 800, 'ALL');
      const asked = performance.now();
      await expect(connection.client.publish('test:connection:paused', 'x')).rejects.toThrow(/timed out/i);
      expect(performance.now() - asked).toBeLessThan(1000);
      // Meanwhile calls fail at once rather than each waiting the timeout again.
      const again = performance.now();
      await expect(connection.client.evalsha('0'.repeat(40), 0)).rejects.toThrow(/not asked/);
      expect(performance.now() - again).toBeLessThan(50);
    } finally {
      admin.disconnect();
      await connection.close();
    }
  });

  it('tells subscribers they may have missed messages, then subscribes again once it is back', async () => {
    const [publisher, listener] = await Promise.all([openRedis(server.url, { logger }), openRedis(server.url, { logger })]);
    try {
      const heard: string[] = [];
      const states: boolean[] = [];
      listener.subscribe('test:restart', { message: (text) => heard.push(text), live: (isLive) => states.push(isLive) });
      await vi.waitFor(() => expect(states).toEqual([true]));
      await server.stop();
      await vi.waitFor(() => expect(states).toContain(false));
      await expect(publisher.client.publish('test:restart', 'lost')).rejects.toThrow();
      server = await startRedisServer(bin!, { port });
      await vi.waitFor(() => expect(states.at(-1)).toBe(true), { timeout: 5000 });
      await vi.waitFor(async () => {
        await publisher.client.publish('test:restart', 'again');
        expect(heard).toContain('again');
      }, { timeout: 5000, interval: 100 });
      expect(heard).not.toContain('lost');
    } finally {
      await publisher.close();
      await listener.close();
    }
  });
});
