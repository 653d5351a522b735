/** The custom field routes over app.inject(), and writes of ext through the generated REST routes. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from './index.ts';

let t: TestPlatform;
let http: FastifyInstance;
let tenant: Tenant;

beforeAll(async () => {
  t = await startTestPlatform();
  http = t.platform.http;
  tenant = await t.createTenant();
  const role = { name: 'fielder', permissions: [{ entity: 'fields', actions: ['manage'] }] };
  expect((await http.inject({ method: 'POST', url: '/v1/access/roles', headers: { 'x-tenant': tenant.slug }, payload: role })).statusCode).toBe(201);
});
afterAll(() => t?.close());

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST' | 'PATCH';
const call = (method: Method, url: string, options: { headers?: Record<string, string>; payload?: object; as?: Tenant } = {}) =>
  http.inject({ method, url, headers: { 'x-tenant': (options.as ?? tenant).slug, ...options.headers }, ...(options.payload ? { payload: options.payload } : {}) });

describe('admin routes of custom fields', () => {
  it('creates (201), replaces (200), reads, lists and deletes a field, with its version as ETag', async () => {
    const created = await call('PUT', '/v1/custom-fields/ktWidget/shelf', { payload: { type: 'text', labels: { en: 'Shelf', fr: 'Rayon' }, constraints: { maxLength: 10 } } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/v1/custom-fields/ktWidget/shelf');
    expect(created.headers.etag).toBe('"1"');
    expect(created.json()).toMatchObject({ entity: 'ktWidget', key: 'shelf', type: 'text', labels: { en: 'Shelf', fr: 'Rayon' }, required: false, personalData: false, constraints: { maxLength: 10 }, version: 1 });
    const replaced = await call('PUT', '/v1/custom-fields/ktWidget/shelf', { headers: { 'if-match': '"1"' }, payload: { type: 'text', labels: { en: 'Shelf' }, description: 'Where it stands', personalData: true } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers.etag).toBe('"2"');
    expect(replaced.json()).toMatchObject({ description: 'Where it stands', personalData: true, constraints: {}, version: 2 });
    const read = await call('GET', '/v1/custom-fields/ktWidget/shelf');
    expect(read.headers.etag).toBe('"2"');
    expect(read.json()).toEqual(replaced.json());
    expect((await call('GET', '/v1/custom-fields')).json().data.map((field: { key: string }) => field.key)).toContain('shelf');
    expect((await call('GET', '/v1/custom-fields?entity=ktCategory')).json()).toEqual({ data: [] });
    expect((await call('DELETE', '/v1/custom-fields/ktWidget/shelf')).statusCode).toBe(204);
    const gone = await call('GET', '/v1/custom-fields/ktWidget/shelf');
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
    expect(gone.json().code).toBe('fields.not_found');
    const events = (await call('GET', '/v1/audit-events?entity=customField')).json().data.map((event: { action: string; recordId: string }) => [event.action, event.recordId]);
    expect(events).toEqual([['custom_field.deleted', 'ktWidget.shelf'], ['custom_field.updated', 'ktWidget.shelf'], ['custom_field.created', 'ktWidget.shelf']]);
  });

  it('answers a stale If-Match with 412 and the current version, and a malformed one with 400', async () => {
    await call('PUT', '/v1/custom-fields/ktWidget/stale', { payload: { type: 'boolean', labels: { en: 'Stale' } } });
    const stale = await call('PUT', '/v1/custom-fields/ktWidget/stale', { headers: { 'if-match': '"9"' }, payload: { type: 'date', labels: { en: 'Stale' } } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'fields.version_mismatch', currentVersion: 1 });
    expect((await call('DELETE', '/v1/custom-fields/ktWidget/stale', { headers: { 'if-match': 'W/"1"' } })).statusCode).toBe(412);
    const malformed = await call('DELETE', '/v1/custom-fields/ktWidget/stale', { headers: { 'if-match': '1' } });
    expect(malformed.json()).toMatchObject({ code: 'fields.invalid_if_match', errors: [{ parameter: 'If-Match' }] });
    expect((await call('DELETE', '/v1/custom-fields/ktWidget/stale', { headers: { 'if-match': '*' } })).statusCode).toBe(204);
  });

  it('refuses bad values with fields.invalid_field and pointers, and a bad shape with http.validation_failed', async () => {
    const invalid = await call('PUT', '/v1/custom-fields/product/sku', { payload: { type: 'enum', labels: { en: 'Code' } } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'fields.invalid_field', errors: [{ parameter: 'key', detail: 'product declares a field "sku"' }, { pointer: '/constraints/values' }] });
    expect((await call('PUT', '/v1/custom-fields/ktCountry/size', { payload: { type: 'text', labels: { en: 'Size' } } })).json()).toMatchObject({ code: 'fields.invalid_field', errors: [{ parameter: 'entity' }] });
    expect((await call('PUT', '/v1/custom-fields/ktWidget/size', { payload: { type: 'text', labels: { en: 'Size' }, constraints: { width: 1 } } })).json().code).toBe('http.validation_failed');
    expect((await call('PUT', '/v1/custom-fields/ktWidget/size', { payload: { type: 'text', labels: { en: 3 } } })).json().code).toBe('http.validation_failed');
    expect((await call('GET', '/v1/custom-fields/nothing/size')).json().code).toBe('fields.not_found');
  });

  it.each(['member', 'viewer', 'manager'])('refuses %s with 403 access.denied', async (role) => {
    for (const [method, url] of [['GET', '/v1/custom-fields'], ['GET', '/v1/custom-fields/ktWidget/x'], ['PUT', '/v1/custom-fields/ktWidget/x'], ['DELETE', '/v1/custom-fields/ktWidget/x']] as const) {
      const response = await call(method, url, { headers: { 'x-dev-roles': role }, ...(method === 'PUT' ? { payload: { type: 'boolean', labels: { en: 'X' } } } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().code).toBe('access.denied');
    }
  });

  it('lets admins and tenant roles granted fields.manage manage custom fields', async () => {
    expect((await call('PUT', '/v1/custom-fields/ktWidget/byRole', { headers: { 'x-dev-roles': 'member,fielder' }, payload: { type: 'boolean', labels: { en: 'By role' } } })).statusCode).toBe(201);
    expect((await call('GET', '/v1/custom-fields/ktWidget/byRole', { headers: { 'x-dev-roles': 'admin' } })).statusCode).toBe(200);
    expect((await call('DELETE', '/v1/custom-fields/ktWidget/byRole', { headers: { 'x-dev-roles': 'fielder' } })).statusCode).toBe(204);
  });

  it('is documented in the OpenAPI document', async () => {
    const paths = (await http.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/v1/custom-fields/{entity}/{key}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(paths['/v1/custom-fields'] ?? {})).toEqual(['get']);
  });
});

describe('custom field values over REST', () => {
  it('writes ext on create and as a merge on PATCH, checked against the tenant\'s definitions', async () => {
    const own = await t.createTenant();
    await call('PUT', '/v1/custom-fields/ktCategory/aisle', { as: own, payload: { type: 'integer', labels: { en: 'Aisle' }, required: true, constraints: { min: 1, max: 40 } } });
    await call('PUT', '/v1/custom-fields/ktCategory/note', { as: own, payload: { type: 'text', labels: { en: 'Note' } } });
    const missing = await call('POST', '/v1/kt-categories', { as: own, payload: { code: 'C-1', title: 'Dairy' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/aisle', detail: 'is required' }] });
    const created = await call('POST', '/v1/kt-categories', { as: own, payload: { code: 'C-1', title: 'Dairy', ext: { aisle: 4, note: 'Cold' } } });
    expect(created.statusCode).toBe(201);
    expect(created.json().ext).toEqual({ aisle: 4, note: 'Cold' });
    const patched = await call('PATCH', `/v1/kt-categories/${created.json().id}`, { as: own, headers: { 'if-match': '"1"' }, payload: { ext: { note: null } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().ext).toEqual({ aisle: 4 });
    const tooFar = await call('PATCH', `/v1/kt-categories/${created.json().id}`, { as: own, headers: { 'if-match': '"2"' }, payload: { ext: { aisle: 41 } } });
    expect(tooFar.json()).toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/aisle', detail: 'must be <= 40' }] });
    const changes = (await call('GET', `/v1/audit-events?recordId=${created.json().id}`, { as: own })).json().data.map((event: { changes: Record<string, unknown> }) => event.changes['ext.note']);
    expect(changes).toEqual([{ before: 'Cold', after: null }, { before: null, after: 'Cold' }]);
  });
});
