import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../shared/index.ts';
import { createMemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.ts';
import { installRateLimits, ipv6Prefix } from './rate-limits.ts';
import type { RouteRateLimits } from './rate-limits.ts';

const settings = {
  RATE_LIMIT_ENABLED: true,
  RATE_LIMIT_WINDOW_SECONDS: 3600,
  RATE_LIMIT_IP_MAX: 100,
  RATE_LIMIT_USER_MAX: 100,
  RATE_LIMIT_TENANT_MAX: 100,
  RATE_LIMIT_EXEMPT_IPS: '127.0.0.1',
};

/** A shared store's shape: every count answers through a promise. */
const asyncStore = (inner: RateLimitStore): RateLimitStore => ({
  counter: (name, windowMs) => {
    const counter = inner.counter(name, windowMs);
    return { increment: async (key, windowStart) => counter.increment(key, windowStart) };
  },
});

const mixedStore = (inner: RateLimitStore): RateLimitStore => ({
  counter: (name, windowMs) => (name === 'tenant' ? asyncStore(inner).counter(name, windowMs) : inner.counter(name, windowMs)),
});

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

/** A bare app: the principal comes from X-User/X-Tenant headers, errors leave as { code, scope }. */
async function buildApp(store: RateLimitStore, overrides: Partial<typeof settings> = {}, trustProxy: string[] | false = false) {
  app = Fastify({ trustProxy });
  app.decorateRequest('principal', null);
  installRateLimits(app, { settings: { ...settings, ...overrides }, store, exemptPrefixes: ['/docs'] });
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.tenant) {
      const user = request.headers['x-user'];
      request.principal = { tenantId: String(request.headers['x-tenant'] ?? 'tenant-1'), tenantSlug: 't', userId: typeof user === 'string' ? user : null, roles: [], sessionId: null };
    }
    done();
  });
  app.setErrorHandler((error, _request, reply) => {
    const known = isAppError(error) ? error : undefined;
    return reply.code(known ? 429 : 500).send({ code: known?.code, scope: known?.extensions?.scope });
  });
  const route = (url: string, config: { tenant?: boolean; rateLimits?: RouteRateLimits | false }) => app!.get(url, { config }, async () => ({ ok: true }));
  route('/records', { tenant: true });
  route('/export', { tenant: true, rateLimits: { user: 2 } });
  route('/open', { tenant: true, rateLimits: { ip: false, user: false } });
  route('/livez', { rateLimits: false });
  route('/docs/page', {});
  await app.ready();
  return (url: string, user = 'user-1', remoteAddress = '198.51.100.7', forwardedFor?: string) =>
    app!.inject({ method: 'GET', url, headers: { 'x-user': user, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) }, remoteAddress });
}

describe('installRateLimits', () => {
  const stores = [
    ['memory', () => createMemoryRateLimitStore()],
    ['asynchronous (shared-store shape)', () => asyncStore(createMemoryRateLimitStore())],
    ['mixed: asynchronous tenant counter only', () => mixedStore(createMemoryRateLimitStore())],
  ] as const;
  for (const [name, makeStore] of stores) {
    it(`applies a route's own limit in a counter of its own (${name} store)`, async () => {
      const call = await buildApp(makeStore());
      expect((await call('/export')).statusCode).toBe(200);
      expect((await call('/export')).statusCode).toBe(200);
      const refused = await call('/export');
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({ code: 'http.rate_limited', scope: 'user' });
      expect(refused.headers['ratelimit-limit']).toBe('2');
      expect((await call('/records')).headers['ratelimit-remaining']).toBe('96'); // ip: 3 export + 1 records hits
      expect((await call('/export', 'user-2')).statusCode).toBe(200);
    });
  }

  it('lifts the limits a route sets to false and never limits exempt routes', async () => {
    const call = await buildApp(createMemoryRateLimitStore(), { RATE_LIMIT_IP_MAX: 1, RATE_LIMIT_USER_MAX: 1 });
    expect((await call('/records')).statusCode).toBe(200);
    expect((await call('/records')).statusCode).toBe(429);
    for (let i = 0; i < 3; i++) {
      expect((await call('/open')).statusCode).toBe(200);
      expect((await call('/livez')).statusCode).toBe(200);
      expect((await call('/docs/page')).statusCode).toBe(200);
    }
    expect((await call('/open')).headers['ratelimit-limit']).toBe('100'); // only the tenant limit is left there
  });

  it('groups IPv6 clients by /64', async () => {
    const call = await buildApp(createMemoryRateLimitStore(), { RATE_LIMIT_IP_MAX: 1 });
    expect((await call('/livez', 'u', '2001:db8:1:2::1')).statusCode).toBe(200);
    expect((await call('/records', 'u', '2001:db8:1:2::1')).statusCode).toBe(200);
    expect((await call('/records', 'v', '2001:db8:1:2:ffff::9')).statusCode).toBe(429);
    expect((await call('/records', 'w', '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('keys by X-Forwarded-For only behind a trusted proxy', async () => {
    const direct = await buildApp(createMemoryRateLimitStore(), { RATE_LIMIT_IP_MAX: 1, RATE_LIMIT_USER_MAX: 0 });
    expect((await direct('/records', 'u', '198.51.100.7', '192.0.2.1')).statusCode).toBe(200);
    expect((await direct('/records', 'u', '198.51.100.7', '192.0.2.2')).statusCode).toBe(429); // a spoofed header changes nothing
    await app!.close();
    const proxied = await buildApp(createMemoryRateLimitStore(), { RATE_LIMIT_IP_MAX: 1, RATE_LIMIT_USER_MAX: 0 }, ['198.51.100.7']);
    expect((await proxied('/records', 'u', '198.51.100.7', '192.0.2.1')).statusCode).toBe(200);
    expect((await proxied('/records', 'u', '198.51.100.7', '192.0.2.2')).statusCode).toBe(200);
    expect((await proxied('/records', 'u', '198.51.100.7', '192.0.2.1')).statusCode).toBe(429);
  });

  it('admits requests when the store fails', async () => {
    const failing: RateLimitStore = { counter: () => ({ increment: () => Promise.reject(new Error('store down')) }) };
    const call = await buildApp(failing, { RATE_LIMIT_IP_MAX: 1, RATE_LIMIT_USER_MAX: 1 });
    for (let i = 0; i < 3; i++) expect((await call('/records')).statusCode).toBe(200);
  });

  it('does nothing when RATE_LIMIT_ENABLED is false', async () => {
    const call = await buildApp(createMemoryRateLimitStore(), { RATE_LIMIT_ENABLED: false, RATE_LIMIT_IP_MAX: 1 });
    for (let i = 0; i < 3; i++) expect((await call('/records')).headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('ipv6Prefix', () => {
  it('keys an IPv6 address by its /64 whatever its spelling, and an IPv4-mapped one by the IPv4', () => {
    const forms = ['2001:db8:0:1::5', '2001:DB8:0000:0001:0:0:0:9', '2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:db8:0:1::1%eth0'];
    expect(new Set(forms.map(ipv6Prefix))).toEqual(new Set(['2001:db8:0:1::/64']));
    expect(ipv6Prefix('::1')).toBe('0:0:0:0::/64');
    expect(ipv6Prefix('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
    expect(ipv6Prefix('1:2:3::4:5:6:7')).toBe('1:2:3:0::/64');
    expect(ipv6Prefix('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(ipv6Prefix('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64');
  });
});

describe('createMemoryRateLimitStore', () => {
  it('counts per key and starts over in a new window', () => {
    const counter = createMemoryRateLimitStore().counter('ip', 1000);
    expect([counter.increment('a', 0), counter.increment('a', 0), counter.increment('b', 0)]).toEqual([1, 2, 1]);
    expect(counter.increment('a', 1000)).toBe(1);
    expect(counter.increment('b', 1000)).toBe(1);
  });

  it('stops tracking new keys when full instead of forgetting the known ones', () => {
    const counter = createMemoryRateLimitStore({ maxKeys: 2 }).counter('ip', 1000);
    counter.increment('a', 0);
    counter.increment('b', 0);
    expect(counter.increment('c', 0)).toBe(1);
    expect(counter.increment('c', 0)).toBe(1);
    expect(counter.increment('a', 0)).toBe(2);
  });
});
