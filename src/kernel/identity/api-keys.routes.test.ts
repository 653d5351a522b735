import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';

let t: TestPlatform;
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  t = await startTestPlatform({ AUTH_RATE_LIMIT_MAX: 1000 });
  tenant = await t.createTenant();
  other = await t.createTenant();
});
afterAll(() => t?.close());

type Options = { payload?: object; headers?: Record<string, string> };
const call = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, options: Options = {}) =>
  t.platform.http.inject({ method, url, headers: options.headers ?? {}, ...(options.payload ? { payload: options.payload } : {}) });
const asRole = (role: string, of: Tenant = tenant) => ({ 'x-tenant': of.slug, 'x-dev-roles': role });
const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(role: string, headers = asRole('admin'), extra: object = {}) {
  const response = await call('POST', '/v1/api-keys', { headers, payload: { name: `${role} integration`, role, ...extra } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; key: string; prefix: string; role: string };
}

describe('API keys', () => {
  it('shows the key once, stores only its hash, and authenticates with the key\'s role', async () => {
    const created = await createKey('viewer');
    expect(created.key).toMatch(/^tnt_[0-9a-f]{32}_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    const stored = await sql<{ secret_hash: Buffer }>`select secret_hash from identity_api_keys where id = ${created.id}`.execute(t.database.owner.db);
    expect(stored.rows[0]!.secret_hash).toHaveLength(32);
    // The secret is what follows the prefix (it may itself hold a `_`: base64url).
    const secret = created.key.slice(created.prefix.length + 1);
    expect(secret).toHaveLength(43);
    expect(stored.rows[0]!.secret_hash.includes(Buffer.from(secret))).toBe(false);

    expect((await call('GET', '/v1/products', { headers: withKey(created.key) })).statusCode).toBe(200);
    const denied = await call('POST', '/v1/kt-categories', { headers: withKey(created.key), payload: { code: 'K-1', title: 'Viewer write' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('access.denied');

    const listed = (await call('GET', '/v1/api-keys', { headers: asRole('owner') })).json().items;
    const entry = listed.find((item: { id: string }) => item.id === created.id);
    expect(entry).toMatchObject({ role: 'viewer', prefix: created.prefix, revokedAt: null });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(entry).not.toHaveProperty('key');
  });

  it('writes audit rows with the API key as the actor, and audits creation and revocation', async () => {
    const created = await createKey('manager');
    const write = await call('POST', '/v1/kt-categories', { headers: withKey(created.key), payload: { code: 'K-2', title: 'Key write' } });
    expect(write.statusCode, write.body).toBe(201);
    const events = (await call('GET', `/v1/audit-events?recordId=${write.json().id}`, { headers: asRole('owner') })).json().data;
    expect(events[0]).toMatchObject({ action: 'create', actor: { kind: 'api_key', id: created.id } });
    expect((await call('DELETE', `/v1/api-keys/${created.id}`, { headers: asRole('admin') })).statusCode).toBe(204);
    const security = (await call('GET', `/v1/audit-events?recordId=${created.id}`, { headers: asRole('owner') })).json().data;
    expect(security.map((event: { action: string }) => event.action)).toEqual(['apikey.revoked', 'apikey.created']);
    expect(security[1].details).toMatchObject({ role: 'manager' });
  });

  it('refuses a revoked key at once, an expired key, and a tampered or misdirected one', async () => {
    const created = await createKey('viewer');
    expect((await call('GET', '/v1/products', { headers: withKey(created.key) })).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/api-keys/${created.id}`, { headers: asRole('admin') })).statusCode).toBe(204);
    const revoked = await call('GET', '/v1/products', { headers: withKey(created.key) });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('identity.invalid_token');
    expect((await call('DELETE', `/v1/api-keys/${created.id}`, { headers: asRole('admin') })).json().code).toBe('identity.api_key_not_found');

    const expiring = await createKey('viewer', asRole('admin'), { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await sql`update identity_api_keys set expires_at = now() - interval '1 second' where id = ${expiring.id}`.execute(t.database.owner.db);
    expect((await call('GET', '/v1/products', { headers: withKey(expiring.key) })).statusCode).toBe(401);

    const live = await createKey('viewer');
    const secret = live.key.slice(-43);
    const tampered = `${live.prefix}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    expect((await call('GET', '/v1/products', { headers: withKey(tampered) })).statusCode).toBe(401);
    const otherPrefix = live.key.replace(tenant.id.replaceAll('-', ''), other.id.replaceAll('-', ''));
    expect((await call('GET', '/v1/products', { headers: withKey(otherPrefix) })).statusCode).toBe(401);
    expect((await call('GET', '/v1/products', { headers: withKey('tnt_not_a_key') })).statusCode).toBe(401);
  });

  it('is managed by owners and admins only, never by an API key, and gives only roles the tenant has', async () => {
    for (const role of ['member', 'manager', 'viewer']) {
      const response = await call('GET', '/v1/api-keys', { headers: asRole(role) });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('access.denied');
    }
    expect((await call('POST', '/v1/api-keys', { headers: asRole('member'), payload: { name: 'x', role: 'viewer' } })).json().code).toBe('access.denied');
    expect((await call('POST', '/v1/api-keys', { headers: asRole('admin'), payload: { name: 'x', role: 'owner' } })).json().code).toBe('access.denied');
    await createKey('owner', asRole('owner'));
    const unknown = await call('POST', '/v1/api-keys', { headers: asRole('admin'), payload: { name: 'x', role: 'nobody' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('identity.invalid_role');
    const past = await call('POST', '/v1/api-keys', { headers: asRole('admin'), payload: { name: 'x', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' } });
    expect(past.json().code).toBe('identity.invalid_api_key');

    const role = await call('POST', '/v1/access/roles', { headers: asRole('admin'), payload: { name: 'exporter', permissions: [{ entity: 'product', actions: ['read'] }] } });
    expect(role.statusCode).toBe(201);
    const exporter = await createKey('exporter');
    expect((await call('GET', '/v1/products', { headers: withKey(exporter.key) })).statusCode).toBe(200);
    expect((await call('GET', '/v1/kt-categories', { headers: withKey(exporter.key) })).statusCode).toBe(403);

    const adminKey = await createKey('admin');
    const byKey = await call('GET', '/v1/api-keys', { headers: withKey(adminKey.key) });
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json().code).toBe('access.denied');
    expect((await call('GET', '/v1/api-keys', { headers: asRole('admin', other) })).json().items).toEqual([]);
  });
});
