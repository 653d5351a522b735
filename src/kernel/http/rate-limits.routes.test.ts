import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';

// Limits small enough to reach: 6 per IP, 3 per user (API key), 10 per tenant, in an hour-long window
// so that no test straddles a reset (waitForFreshWindow covers the rest).
const hour = 3_600_000;
let t: TestPlatform;
let address = 0;
/** A client address of its own for each use (TEST-NET-3), so tests do not share IP counters. */
const nextAddress = () => `203.0.113.${++address}`;

beforeAll(async () => {
  t = await startTestPlatform({ RATE_LIMIT_WINDOW_SECONDS: 3600, RATE_LIMIT_IP_MAX: 6, RATE_LIMIT_USER_MAX: 3, RATE_LIMIT_TENANT_MAX: 10 });
});
afterAll(() => t?.close());

type Headers = Record<string, string>;
const get = (url: string, headers: Headers, remoteAddress: string) => t.platform.http.inject({ method: 'GET', url, headers, remoteAddress });
const list = (headers: Headers, remoteAddress: string) => get('/v1/kt-widgets', headers, remoteAddress);
const asTenant = (tenant: Tenant): Headers => ({ 'x-tenant': tenant.slug });

async function waitForFreshWindow(windowMs: number, margin: number) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 5));
}

function expectRefused(response: Awaited<ReturnType<typeof list>>, scope: string, limit: number) {
  expect(response.statusCode).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(response.headers['ratelimit-limit']).toBe(String(limit));
  expect(response.headers['ratelimit-remaining']).toBe('0');
  expect(response.headers['ratelimit-reset']).toBe(String(retryAfter));
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.json()).toEqual({
    type: 'urn:tenantry:problem:http.rate_limited',
    title: 'Too many requests',
    status: 429,
    detail: expect.stringContaining(`retry in ${retryAfter} s`),
    code: 'http.rate_limited',
    traceId: response.headers['x-request-id'],
    scope,
    retryAfter,
  });
}

describe('API rate limits', () => {
  beforeAll(() => waitForFreshWindow(hour, 60_000));

  it('limits a client IP and counts down RateLimit-Remaining, without throttling another IP', async () => {
    const tenant = await t.createTenant();
    const client = nextAddress();
    const remaining: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await list(asTenant(tenant), client);
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe('6');
      remaining.push(response.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    expectRefused(await list(asTenant(tenant), client), 'ip', 6);
    // Unknown routes count too: a scanner is limited like any client.
    expect((await get('/v1/no-such-route', {}, client)).statusCode).toBe(429);
    expect((await list(asTenant(tenant), nextAddress())).statusCode).toBe(200);
  });

  it('limits a user (an API key) without throttling another user of the same tenant', async () => {
    const tenant = await t.createTenant();
    const createKey = async (name: string) => {
      const created = await t.platform.http.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...asTenant(tenant), 'x-dev-roles': 'admin' }, payload: { name, role: 'viewer' } });
      expect(created.statusCode, created.body).toBe(201);
      return { authorization: `Bearer ${created.json().key}` };
    };
    const [first, second] = [await createKey('first'), await createKey('second')];
    const client = nextAddress();
    for (let i = 0; i < 3; i++) {
      const response = await list(first, client);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe('3');
    }
    expectRefused(await list(first, client), 'user', 3);
    const other = await list(second, client);
    expect(other.statusCode).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('1'); // the IP (6) is now the tightest: 5 hits
  });

  it("limits a tenant across client IPs without throttling another tenant's requests", async () => {
    const [busy, quiet] = [await t.createTenant(), await t.createTenant()];
    const clients = [nextAddress(), nextAddress()];
    for (let i = 0; i < 10; i++) expect((await list(asTenant(busy), clients[i % 2]!)).statusCode).toBe(200);
    expectRefused(await list(asTenant(busy), nextAddress()), 'tenant', 10);
    expect((await list(asTenant(quiet), clients[0]!)).statusCode).toBe(200);
  });

  it('never limits health, metrics, the OpenAPI document and the docs', async () => {
    const client = nextAddress();
    for (let i = 0; i < 7; i++) await get('/v1/no-such-route', {}, client);
    expect((await get('/v1/no-such-route', {}, client)).statusCode).toBe(429);
    for (const url of ['/livez', '/readyz', '/metrics', '/openapi.json', '/docs/']) {
      for (let i = 0; i < 3; i++) {
        const response = await get(url, {}, client);
        expect(response.statusCode, url).toBeLessThan(400);
        expect(response.headers['ratelimit-limit'], url).toBeUndefined();
      }
    }
  });

  it('never limits the addresses of RATE_LIMIT_EXEMPT_IPS (loopback by default)', async () => {
    const tenant = await t.createTenant();
    for (let i = 0; i < 12; i++) {
      const response = await list(asTenant(tenant), '127.0.0.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('rate-limit windows', () => {
  let short: TestPlatform;
  beforeAll(async () => {
    short = await startTestPlatform({ RATE_LIMIT_WINDOW_SECONDS: 2, RATE_LIMIT_IP_MAX: 2, AUTH_RATE_LIMIT_MAX: 1 });
  });
  afterAll(() => short?.close());
  const probe = (url: string, remoteAddress: string) => short.platform.http.inject({ method: 'GET', url, remoteAddress });

  it('admits the client again once the window resets', async () => {
    await waitForFreshWindow(2000, 1500);
    const client = nextAddress();
    expect((await probe('/v1/nothing', client)).statusCode).toBe(404);
    expect((await probe('/v1/nothing', client)).statusCode).toBe(404);
    const refused = await probe('/v1/nothing', client);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(2);
    await waitForFreshWindow(2000, 2001);
    const again = await probe('/v1/nothing', client);
    expect(again.statusCode).toBe(404);
    expect(again.headers['ratelimit-remaining']).toBe('1');
  });

  it('keeps the stricter limit of the auth routes', async () => {
    await waitForFreshWindow(2000, 1500);
    const client = nextAddress();
    const refresh = () => short.platform.http.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: 'x' }, remoteAddress: client });
    expect((await refresh()).statusCode).toBe(401);
    const limited = await refresh();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('identity.rate_limited');
  });
});
