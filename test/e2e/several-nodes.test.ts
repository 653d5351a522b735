/**
 * Two nodes of one deployment (two composed platforms on one database and one Redis): rate limits,
 * the login throttle and session revocations hold across them; a Redis outage admits (fail open).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { findRedisServer, startRedisServer, type TestRedisServer } from '../support/redis-server.ts';
import { testRedisUrl } from '../support/redis-url.ts';

const redisUrl = testRedisUrl('several-nodes.test.ts');
const password = 'violet-otter-marmalade-71';
const unique = () => randomBytes(5).toString('hex');
/** A client address of its own per test (TEST-NET-2): loopback is exempt from the limits. */
const clientAddress = () => `198.51.100.${1 + Math.floor(Math.random() * 254)}`;

type Node = TestPlatform;
const inject = (node: Node, options: { method?: 'GET' | 'POST'; url: string; payload?: object; headers?: Record<string, string>; remoteAddress?: string }) =>
  node.platform.http.inject({ method: options.method ?? 'GET', url: options.url, ...(options.payload ? { payload: options.payload } : {}), headers: options.headers ?? {}, ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}) });
const signUp = (node: Node, email: string) => inject(node, { method: 'POST', url: '/v1/auth/sign-up', payload: { email, password, name: 'Ada', tenant: { slug: `acme-${unique()}`, name: 'Acme' } } });
const login = (node: Node, email: string, secret = password) => inject(node, { method: 'POST', url: '/v1/auth/login', payload: { email, password: secret } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function waitForFreshWindow(windowMs: number, margin: number) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 5));
}

describe.skipIf(!redisUrl)('two nodes sharing one Redis', () => {
  let nodeA: Node;
  let nodeB: Node;
  beforeAll(async () => {
    const settings = {
      REDIS_URL: redisUrl,
      RATE_LIMIT_WINDOW_SECONDS: 3600,
      RATE_LIMIT_IP_MAX: 4,
      AUTH_RATE_LIMIT_MAX: 1000,
      IDENTITY_LOGIN_FREE_ATTEMPTS: 5,
      IDENTITY_LOCKOUT_AFTER: 3,
      // The longest a node may trust a session: without shared evictions, node B would for 10 s.
      IDENTITY_SESSION_CACHE_MS: 10_000,
    };
    nodeA = await startTestPlatform(settings);
    nodeB = await startTestPlatform(settings, { database: nodeA.database });
  });
  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it('counts a client on both nodes against one limit: 429 http.rate_limited with Retry-After beyond it', async () => {
    await waitForFreshWindow(3_600_000, 5000);
    const client = clientAddress();
    const remaining: string[] = [];
    for (const node of [nodeA, nodeB, nodeA, nodeB]) {
      const response = await inject(node, { url: '/v1/nothing-here', remoteAddress: client });
      expect(response.statusCode).toBe(404);
      remaining.push(response.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const node of [nodeB, nodeA]) {
      const refused = await inject(node, { url: '/v1/nothing-here', remoteAddress: client });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json()).toMatchObject({ status: 429, code: 'http.rate_limited', scope: 'ip', retryAfter: Number(refused.headers['retry-after']) });
    }
  });

  it('locks an account on node B after failed logins spread over node A and node B', async () => {
    const email = `brute-${unique()}@example.com`;
    expect((await signUp(nodeA, email)).statusCode).toBe(202);
    const codes = [];
    for (const node of [nodeA, nodeB, nodeA]) codes.push((await login(node, email, 'wrong-password-but-long')).json().code);
    expect(codes).toEqual(['identity.invalid_credentials', 'identity.invalid_credentials', 'identity.invalid_credentials']);
    for (const node of [nodeB, nodeA]) {
      const locked = await login(node, email);
      expect(locked.statusCode).toBe(429);
      expect(locked.json().code).toBe('identity.too_many_attempts');
      expect(locked.json().retryAfter).toBeGreaterThan(800);
    }
  });

  it('refuses on node B, at once, a session revoked on node A, although node B had it cached', async () => {
    const email = `revoked-${unique()}@example.com`;
    expect((await signUp(nodeA, email)).statusCode).toBe(202);
    const pair = (await login(nodeA, email)).json();
    for (let request = 0; request < 2; request++) expect((await inject(nodeB, { url: '/v1/products', headers: bearer(pair.accessToken) })).statusCode).toBe(200);
    expect((await inject(nodeA, { method: 'POST', url: '/v1/auth/logout', payload: {}, headers: bearer(pair.accessToken) })).statusCode).toBe(204);
    // The eviction travels by pub/sub: allowed a moment, far below the 10 s node B would otherwise trust its cache.
    const started = performance.now();
    await vi.waitFor(async () => expect((await inject(nodeB, { url: '/v1/products', headers: bearer(pair.accessToken) })).statusCode).toBe(401), { timeout: 1000, interval: 10 });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe.skipIf(!redisUrl)('a Redis outage (fail open)', () => {
  const outageSettings = { RATE_LIMIT_WINDOW_SECONDS: 3600, RATE_LIMIT_IP_MAX: 2, AUTH_RATE_LIMIT_MAX: 1000 };

  /** Five requests of one client, each answered (not 429) within a bound: the limits admit on store failures. */
  async function expectAdmittedQuickly(node: Node) {
    const client = clientAddress();
    for (let request = 0; request < 5; request++) {
      const started = performance.now();
      const response = await inject(node, { url: '/v1/nothing-here', remoteAddress: client });
      expect(response.statusCode).toBe(404);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  }

  it('starts and serves with REDIS_URL pointing nowhere: requests admitted, logins unthrottled, failures counted', async () => {
    const node = await startTestPlatform({ ...outageSettings, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      await expectAdmittedQuickly(node);
      const email = `outage-${unique()}@example.com`;
      expect((await signUp(node, email)).statusCode).toBe(202);
      const pair = (await login(node, email)).json();
      expect(pair.accessToken).toEqual(expect.any(String));
      expect((await inject(node, { method: 'POST', url: '/v1/auth/logout', payload: {}, headers: bearer(pair.accessToken) })).statusCode).toBe(204);
      expect((await inject(node, { url: '/v1/products', headers: bearer(pair.accessToken) })).statusCode).toBe(401); // the eviction still applies on this node
      const metrics = (await inject(node, { url: '/metrics' })).body;
      expect(metrics).toMatch(/^redis_up 0$/m);
      expect(metrics).toMatch(/^redis_failures_total\{use="rate_limits"\} [1-9]/m);
      expect(metrics).toMatch(/^redis_failures_total\{use="login_throttle"\} [1-9]/m);
      expect(metrics).toMatch(/^redis_failures_total\{use="session_invalidation"\} [1-9]/m);
    } finally {
      await node.close();
    }
  });

  describe('a Redis that stops mid-run', () => {
    let server: TestRedisServer;
    beforeAll(async () => {
      server = await startRedisServer(findRedisServer()!);
    });
    afterAll(() => server?.stop());

    it('limits while Redis runs, admits at once when it has stopped', async () => {
      const node = await startTestPlatform({ ...outageSettings, REDIS_URL: server.url });
      try {
        const client = clientAddress();
        const statuses = [];
        for (let request = 0; request < 3; request++) statuses.push((await inject(node, { url: '/v1/nothing-here', remoteAddress: client })).statusCode);
        expect(statuses).toEqual([404, 404, 429]);
        await server.stop();
        await expectAdmittedQuickly(node);
      } finally {
        await node.close();
      }
    });
  });
});
