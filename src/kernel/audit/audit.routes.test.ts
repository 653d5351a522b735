import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';

let t: TestPlatform;
let a: Tenant;
let b: Tenant;
const widgetIds: string[] = [];

const get = (tenant: Tenant, url: string) => t.platform.http.inject({ method: 'GET', url, headers: { 'x-tenant': tenant.slug } });

beforeAll(async () => {
  t = await startTestPlatform();
  a = await t.createTenant();
  b = await t.createTenant();
  for (const tenant of [a, b]) {
    for (let index = 0; index < 5; index++) {
      const response = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-categories', headers: { 'x-tenant': tenant.slug }, payload: { code: `AC-${index}`, title: `Audited ${index}` } });
      expect(response.statusCode).toBe(201);
      if (tenant === a) widgetIds.push(response.json().id);
    }
  }
  const patched = await t.platform.http.inject({
    method: 'PATCH',
    url: `/v1/kt-categories/${widgetIds[0]}`,
    headers: { 'x-tenant': a.slug, 'if-match': '"1"', 'x-request-id': 'req-audit-patch' },
    payload: { title: 'Renamed' },
  });
  expect(patched.statusCode).toBe(200);
  expect((await t.platform.http.inject({ method: 'DELETE', url: `/v1/kt-categories/${widgetIds[1]}`, headers: { 'x-tenant': a.slug } })).statusCode).toBe(204);
});
afterAll(() => t?.close());

describe('GET /v1/audit-events', () => {
  it('lists the tenant\'s events newest first, and only its own', async () => {
    const response = await get(a, '/v1/audit-events');
    expect(response.statusCode).toBe(200);
    const { data, nextCursor } = response.json();
    expect(data.map((event: { seq: number }) => event.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(nextCursor).toBeNull();
    expect(data.every((event: { recordId: string }) => widgetIds.includes(event.recordId))).toBe(true);
    expect(data[1]).toMatchObject({ action: 'update', entity: 'ktCategory', requestId: 'req-audit-patch', changes: { title: { before: 'Audited 0', after: 'Renamed' } } });
    const other = (await get(b, '/v1/audit-events')).json().data;
    expect(other).toHaveLength(5);
    expect(other.some((event: { recordId: string }) => widgetIds.includes(event.recordId))).toBe(false);
  });

  it('filters by record, action, entity, actor and time', async () => {
    const byRecord = (await get(a, `/v1/audit-events?recordId=${widgetIds[0]}`)).json().data;
    expect(byRecord.map((event: { action: string }) => event.action)).toEqual(['update', 'create']);
    expect((await get(a, '/v1/audit-events?action=delete')).json().data.map((event: { recordId: string }) => event.recordId)).toEqual([widgetIds[1]]);
    expect((await get(a, '/v1/audit-events?entity=ktWidget')).json().data).toEqual([]);
    expect((await get(a, '/v1/audit-events?actorId=0190f5a4-1111-7000-8000-000000000001')).json().data).toEqual([]);
    const all = (await get(a, '/v1/audit-events')).json().data as { seq: number; occurredAt: string }[];
    const pivot = all.find((event) => event.seq === 4)!.occurredAt;
    const since = (await get(a, `/v1/audit-events?from=${encodeURIComponent(pivot)}`)).json().data as { seq: number; occurredAt: string }[];
    expect(since.every((event) => event.occurredAt >= pivot)).toBe(true);
    expect(since.map((event) => event.seq)).toContain(4);
    const before = (await get(a, `/v1/audit-events?to=${encodeURIComponent(pivot)}`)).json().data as { occurredAt: string }[];
    expect(before.every((event) => event.occurredAt < pivot)).toBe(true);
    expect(since.length + before.length).toBe(7);
  });

  it('pages with a keyset cursor without skipping or repeating, while new events arrive', async () => {
    const seen: number[] = [];
    let url = '/v1/audit-events?limit=3';
    for (let page = 0; page < 5; page++) {
      const body = (await get(a, url)).json();
      seen.push(...body.data.map((event: { seq: number }) => event.seq));
      if (page === 0) await t.platform.http.inject({ method: 'POST', url: '/v1/kt-categories', headers: { 'x-tenant': a.slug }, payload: { code: 'AC-NEW', title: 'Arrives while paging' } });
      if (!body.nextCursor) break;
      url = `/v1/audit-events?limit=3&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('answers problems with audit codes: a bad cursor, a limit over the cap, an unknown parameter', async () => {
    const badCursor = await get(a, '/v1/audit-events?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().code).toBe('audit.invalid_cursor');
    expect(badCursor.headers['content-type']).toContain('application/problem+json');
    expect((await get(a, '/v1/audit-events?limit=100000')).json().code).toBe('http.validation_failed');
    expect((await get(a, '/v1/audit-events?tenantId=x')).statusCode).toBe(400);
    expect((await t.platform.http.inject({ method: 'GET', url: '/v1/audit-events' })).json().code).toBe('tenancy.tenant_required');
  });
});

describe('GET /v1/audit-events/{seq}', () => {
  it('returns one event of the tenant, and 404 for a seq only another tenant has', async () => {
    const one = await get(a, '/v1/audit-events/1');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ seq: 1, action: 'create', recordId: widgetIds[0], prevHash: '0'.repeat(64) });
    const ownLast = (await get(b, '/v1/audit-events')).json().data[0].seq as number;
    const missing = await get(b, `/v1/audit-events/${ownLast + 1}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('audit.event_not_found');
    expect((await get(a, '/v1/audit-events/abc')).statusCode).toBe(400);
  });
});
