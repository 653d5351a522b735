/**
 * Custom field definitions stay in their tenant: a field tenant A defines never validates a write of
 * tenant B (B's value for it is refused as unknown), never appears in B's metadata or admin lists,
 * and B can neither read, change nor delete it, while B may define its own field of the same key.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/kernel/tenancy/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let http: FastifyInstance;
let a: Tenant;
let b: Tenant;

const as = (tenant: Tenant, method: 'GET' | 'PUT' | 'DELETE' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) =>
  http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...headers }, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await startTestPlatform();
  http = t.platform.http;
  a = await t.createTenant('cf-iso-a');
  b = await t.createTenant('cf-iso-b');
  const definition = { type: 'enum', labels: { en: 'Only in A' }, required: true, constraints: { values: ['x', 'y'] } };
  expect((await as(a, 'PUT', '/v1/custom-fields/ktWidget/onlyInA', definition)).statusCode).toBe(201);
});
afterAll(() => t?.close());

describe('custom fields across tenants', () => {
  it("refuses A's field as unknown in B's writes, and does not require it there", async () => {
    const refused = await as(b, 'POST', '/v1/kt-widgets', { code: 'B-1', name: 'B', ext: { onlyInA: 'x' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/onlyInA', detail: 'is not a custom field of this entity' }] });
    const created = await as(b, 'POST', '/v1/kt-widgets', { code: 'B-1', name: 'B' });
    expect(created.statusCode).toBe(201);
    const patched = await as(b, 'PATCH', `/v1/kt-widgets/${created.json().id}`, { ext: { onlyInA: 'y' } }, { 'if-match': '"1"' });
    expect(patched.json().code).toBe('records.invalid_custom_field');
    // In A the same write is checked against A's definition.
    expect((await as(a, 'POST', '/v1/kt-widgets', { code: 'A-1', name: 'A' })).json()).toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/onlyInA', detail: 'is required' }] });
  });

  it("never shows A's field in B's metadata or admin routes, nor lets B change or delete it", async () => {
    const names = async (tenant: Tenant) => ((await as(tenant, 'GET', '/v1/metadata/ktWidget')).json().entity.fields as { name: string }[]).map((field) => field.name);
    expect(await names(a)).toContain('onlyInA');
    expect(await names(b)).not.toContain('onlyInA');
    expect((await as(b, 'GET', '/v1/custom-fields')).json()).toEqual({ data: [] });
    expect((await as(b, 'GET', '/v1/custom-fields/ktWidget/onlyInA')).statusCode).toBe(404);
    expect((await as(b, 'DELETE', '/v1/custom-fields/ktWidget/onlyInA')).statusCode).toBe(404);
    expect((await as(b, 'PUT', '/v1/custom-fields/ktWidget/onlyInA', { type: 'text', labels: { en: 'Mine' } }, { 'if-match': '"1"' })).json()).toMatchObject({ code: 'fields.version_mismatch', currentVersion: null });
    const own = await as(b, 'PUT', '/v1/custom-fields/ktWidget/onlyInA', { type: 'text', labels: { en: 'Mine' } });
    expect(own.statusCode).toBe(201);
    expect((await as(a, 'GET', '/v1/custom-fields/ktWidget/onlyInA')).json()).toMatchObject({ type: 'enum', required: true, version: 1, labels: { en: 'Only in A' } });
    expect((await as(b, 'POST', '/v1/kt-widgets', { code: 'B-2', name: 'B', ext: { onlyInA: 'free text' } })).statusCode).toBe(201);
  });
});
