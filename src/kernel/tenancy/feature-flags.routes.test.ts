/** The feature flag routes over app.inject(), on the composed test platform. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from './index.ts';

let t: TestPlatform;
let http: FastifyInstance;
let tenant: Tenant;
const userId = '0190a5f2-0000-7000-8000-0000000000d1';

beforeAll(async () => {
  t = await startTestPlatform();
  http = t.platform.http;
  tenant = await t.createTenant();
  const role = { name: 'flagger', permissions: [{ entity: 'flags', actions: ['manage'] }] };
  expect((await t.platform.http.inject({ method: 'POST', url: '/v1/access/roles', headers: { 'x-tenant': tenant.slug }, payload: role })).statusCode).toBe(201);
});
afterAll(() => t?.close());

type Method = 'GET' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, options: { headers?: Record<string, string>; payload?: object; as?: Tenant } = {}) =>
  http.inject({ method, url, headers: { 'x-tenant': (options.as ?? tenant).slug, ...options.headers }, ...(options.payload ? { payload: options.payload } : {}) });

describe('admin routes of feature flags', () => {
  it('creates (201), replaces (200), reads, lists and deletes a flag, with its version as ETag', async () => {
    const created = await call('PUT', '/v1/feature-flags/search.v2', { payload: { description: 'New search', enabled: true, rules: { roles: ['sales'] } } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/v1/feature-flags/search.v2');
    expect(created.headers.etag).toBe('"1"');
    expect(created.json()).toMatchObject({ key: 'search.v2', description: 'New search', enabled: true, rules: { roles: ['sales'] }, version: 1 });
    const replaced = await call('PUT', '/v1/feature-flags/search.v2', { headers: { 'if-match': '"1"' }, payload: { enabled: true, rules: { percentage: 25, attributes: { region: ['north', 3, true] } } } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers.etag).toBe('"2"');
    expect(replaced.json()).toMatchObject({ description: null, rules: { percentage: 25, attributes: { region: ['north', 3, true] } }, version: 2 });
    const read = await call('GET', '/v1/feature-flags/search.v2');
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"2"');
    expect(read.json()).toEqual(replaced.json());
    expect((await call('GET', '/v1/feature-flags')).json().data.map((flag: { key: string }) => flag.key)).toContain('search.v2');
    expect((await call('DELETE', '/v1/feature-flags/search.v2')).statusCode).toBe(204);
    const gone = await call('GET', '/v1/feature-flags/search.v2');
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
    expect(gone.json().code).toBe('flags.not_found');
    const actions = (await t.platform.http.inject({ method: 'GET', url: '/v1/audit-events?entity=featureFlag', headers: { 'x-tenant': tenant.slug } })).json().data.map((event: { action: string }) => event.action);
    expect(actions).toEqual(['flag.deleted', 'flag.updated', 'flag.created']);
  });

  it('answers a stale If-Match with 412 and the current version, and a malformed one with 400', async () => {
    await call('PUT', '/v1/feature-flags/stale', { payload: { enabled: true } });
    const stale = await call('PUT', '/v1/feature-flags/stale', { headers: { 'if-match': '"9"' }, payload: { enabled: false } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'flags.version_mismatch', currentVersion: 1 });
    expect((await call('DELETE', '/v1/feature-flags/stale', { headers: { 'if-match': 'W/"1"' } })).statusCode).toBe(412);
    const malformed = await call('DELETE', '/v1/feature-flags/stale', { headers: { 'if-match': '1' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'flags.invalid_if_match', errors: [{ parameter: 'If-Match' }] });
    expect((await call('PUT', '/v1/feature-flags/missing', { headers: { 'if-match': '*' }, payload: { enabled: true } })).statusCode).toBe(412);
    expect((await call('DELETE', '/v1/feature-flags/stale', { headers: { 'if-match': '*' } })).statusCode).toBe(204);
  });

  it('refuses bad values with flags.invalid_flag and pointers, and a bad shape with http.validation_failed', async () => {
    const invalid = await call('PUT', '/v1/feature-flags/Bad.Key', { payload: { enabled: true, rules: { percentage: 150, users: ['nobody'], roles: ['Sales Team'] } } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('flags.invalid_flag');
    expect(invalid.json().errors).toEqual([
      { parameter: 'key', detail: expect.any(String) },
      { pointer: '/rules/roles/0', detail: 'a role name' },
      { pointer: '/rules/users/0', detail: 'a user id (UUID)' },
      { pointer: '/rules/percentage', detail: 'a number from 0 to 100 with at most two decimals' },
    ]);
    const unknown = await call('PUT', '/v1/feature-flags/shape', { payload: { enabled: true, rules: { everyone: true } } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('http.validation_failed');
    expect((await call('PUT', '/v1/feature-flags/shape', { payload: { enabled: 'true' } })).json().code).toBe('http.validation_failed');
    expect((await call('GET', '/v1/feature-flags/shape')).json().code).toBe('flags.not_found');
  });

  it.each(['member', 'viewer', 'manager'])('refuses %s with 403 access.denied', async (role) => {
    for (const [method, url] of [['GET', '/v1/feature-flags'], ['GET', '/v1/feature-flags/x'], ['PUT', '/v1/feature-flags/x'], ['DELETE', '/v1/feature-flags/x']] as const) {
      const response = await call(method, url, { headers: { 'x-dev-roles': role }, ...(method === 'PUT' ? { payload: { enabled: true } } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().code).toBe('access.denied');
    }
  });

  it('lets admins and tenant roles granted flags.manage manage flags', async () => {
    expect((await call('PUT', '/v1/feature-flags/by-role', { headers: { 'x-dev-roles': 'member,flagger' }, payload: { enabled: true } })).statusCode).toBe(201);
    expect((await call('GET', '/v1/feature-flags/by-role', { headers: { 'x-dev-roles': 'admin' } })).statusCode).toBe(200);
    expect((await call('DELETE', '/v1/feature-flags/by-role', { headers: { 'x-dev-roles': 'flagger' } })).statusCode).toBe(204);
  });
});

describe('GET /v1/feature-flags/evaluated', () => {
  it('is documented in the OpenAPI document with the admin routes', async () => {
    const paths = (await http.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/v1/feature-flags/{key}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(paths['/v1/feature-flags/evaluated'] ?? {})).toEqual(['get']);
  });


  it('answers every principal of the tenant with its own flags, and only its tenant\'s', async () => {
    const own = await t.createTenant();
    const other = await t.createTenant();
    for (const [key, definition] of [
      ['everyone', { enabled: true }],
      ['off', { enabled: false }],
      ['for-me', { enabled: true, rules: { users: [userId] } }],
      ['for-sales', { enabled: true, rules: { roles: ['sales'] } }],
      ['in-region', { enabled: true, rules: { attributes: { regions: ['north'] } } }],
    ] as const) {
      expect((await call('PUT', `/v1/feature-flags/${key}`, { as: own, payload: definition })).statusCode).toBe(201);
    }
    await call('PUT', '/v1/feature-flags/elsewhere', { as: other, payload: { enabled: true } });
    const evaluated = (headers: Record<string, string>) => call('GET', '/v1/feature-flags/evaluated', { as: own, headers });
    const viewer = await evaluated({ 'x-dev-roles': 'viewer' });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.headers['cache-control']).toBe('private, no-store');
    expect(viewer.json()).toEqual({ flags: { everyone: true, 'for-me': false, 'for-sales': false, 'in-region': false, off: false } });
    const me = await evaluated({ 'x-dev-roles': 'member,sales', 'x-dev-user': userId, 'x-dev-attributes': '{"regions":["south","north"]}' });
    expect(me.json()).toEqual({ flags: { everyone: true, 'for-me': true, 'for-sales': true, 'in-region': true, off: false } });
    const unknownTenant = await http.inject({ method: 'GET', url: '/v1/feature-flags/evaluated' });
    expect(unknownTenant.statusCode).toBe(401);
    expect(unknownTenant.json().code).toBe('tenancy.tenant_required');
  });
});
