import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenant: string;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant('acme')).slug;
});
afterAll(() => t.close());

const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...options.headers }, ...(options.body === undefined ? {} : { payload: options.body as object }) });

describe('generated REST routes', () => {
  it('creates, reads, updates with If-Match and soft-deletes a record', async () => {
    const created = await request('POST', '/v1/kt-widgets', { body: { code: 'W-1', name: 'First', price: { amount: 1250, currency: 'EUR' }, weight: '1.250' } });
    expect(created.statusCode).toBe(201);
    const record = created.json();
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/v1/kt-widgets/${record.id}`);
    expect(record).toMatchObject({ code: 'W-1', name: 'First', version: 1, enabled: true, status: 'draft', price: { amount: 1250, currency: 'EUR' }, weight: '1.250' });

    const read = await request('GET', `/v1/kt-widgets/${record.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(record);

    const missingIfMatch = await request('PATCH', `/v1/kt-widgets/${record.id}`, { body: { name: 'Second' } });
    expect(missingIfMatch.statusCode).toBe(428);
    expect(missingIfMatch.json().code).toBe('records.version_required');

    const updated = await request('PATCH', `/v1/kt-widgets/${record.id}`, { body: { name: 'Second' }, headers: { 'if-match': '"1"' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Second', version: 2 });

    const stale = await request('PATCH', `/v1/kt-widgets/${record.id}`, { body: { name: 'Third' }, headers: { 'if-match': '"1"' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'records.version_mismatch', currentVersion: 2 });

    const removed = await request('DELETE', `/v1/kt-widgets/${record.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await request('GET', `/v1/kt-widgets/${record.id}`)).statusCode).toBe(404);
  });

  it('refuses unknown and server-owned properties with a pointer, writing nothing', async () => {
    for (const body of [{ code: 'W-2', name: 'x', tenantId: '00000000-0000-0000-0000-000000000000' }, { code: 'W-2', name: 'x', version: 5 }, { code: 'W-2', name: 'x', bogus: 1 }]) {
      const response = await request('POST', '/v1/kt-widgets', { body });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const problem = response.json();
      expect(problem.code).toBe('http.validation_failed');
      expect(problem.errors[0].pointer).toBe(`/${Object.keys(body)[2]}`);
    }
    const list = await request('GET', '/v1/kt-widgets?code=W-2');
    expect(list.json().data).toEqual([]);
  });

  it('changes only the fields a PATCH names (defaults are not re-applied)', async () => {
    const created = (await request('POST', '/v1/kt-widgets', { body: { code: 'W-3', name: 'Patch me', enabled: false, status: 'active' } })).json();
    const updated = await request('PATCH', `/v1/kt-widgets/${created.id}`, { body: { name: 'Patched' }, headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Patched', enabled: false, status: 'active' });
  });
});
