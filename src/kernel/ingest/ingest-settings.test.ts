/** The tenant's ingestion settings over HTTP: read, change (checked against the specs, audited), clear; the runs that follow use them. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import { fuzzyLoads } from './match/fuzzy-loads.fixture.ts';

let t: TestPlatform;
let loads: ReturnType<typeof fuzzyLoads>;

beforeAll(async () => {
  t = await startTestPlatform();
  loads = fuzzyLoads(t);
});
afterAll(() => t?.close());

const slugOf = async (context: TenantContext) => (await t.platform.tenants.getTenant(context.tenantId)).slug;
const call = async (context: TenantContext, method: 'GET' | 'PUT', body?: unknown, roles?: string) =>
  t.platform.http.inject({
    method,
    url: '/v1/ingest/settings',
    headers: { 'x-tenant': await slugOf(context), ...(roles ? { 'x-dev-roles': roles } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
const settingEvents = (context: TenantContext) =>
  withTenant(t.platform.database.db, context, async (tx) => (await sql<{ action: string; record_id: string; details: Record<string, unknown> }>`select action, record_id, details from audit_events where entity = 'ingestSettings' order by seq`.execute(tx)).rows);

describe('ingestion settings', () => {
  it('are none until set; a change is stored, audited, and used by the next run', async () => {
    const context = await loads.tenant();
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: null });

    const put = await call(context, 'PUT', { fuzzy: { high: 0.99, low: 0.95 } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ fuzzy: { high: 0.99, low: 0.95 } });
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: { high: 0.99, low: 0.95 } });
    expect(await settingEvents(context)).toEqual([{ action: 'ingest.settings_updated', record_id: context.tenantId, details: { before: { fuzzy: null }, after: { fuzzy: { high: 0.99, low: 0.95 } } } }]);

    // The spec's own thresholds (0.85 / 0.6) would link this typo to the existing outlet; the tenant's do not.
    await loads.local(context, { code: 'L-1', name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12', postalCode: '70173' });
    expect((await loads.load(context, '700001;Müller Getränkmarkt;Hauptstr. 12;70173;Stuttgart;;;')).counts).toMatchObject({ created: 1, merged: 0, queued: 0 });

    const cleared = await call(context, 'PUT', { fuzzy: null });
    expect(cleared.json()).toEqual({ fuzzy: null });
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: null });
    expect((await t.platform.tenants.getTenant(context.tenantId)).settings).not.toHaveProperty('ingest');
    // With the spec's thresholds again the same typo is not created: linked, or (two candidates now) held for review.
    const again = (await loads.load(context, '700002;Müller Getränkmarkt;Hauptstr. 12;70173;Stuttgart;;;')).counts;
    expect(again).toMatchObject({ created: 0, rejected: 0 });
    expect(again.merged + again.queued).toBe(1);
    expect((await settingEvents(context)).map((event) => event.details.after)).toEqual([{ fuzzy: { high: 0.99, low: 0.95 } }, { fuzzy: null }]);
  });

  it('audit each change with what it replaced, changes made at once included', async () => {
    const context = await loads.tenant();
    const values = [0.91, 0.92, 0.93, 0.94, 0.95, 0.96].map((high) => ({ fuzzy: { high, low: 0.5 } }));
    const answers = await Promise.all(values.map((value) => call(context, 'PUT', value)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(values.map(() => 200));
    // In the order written, each change's `before` is the one before it's `after`: none read a value another had replaced.
    const events = (await settingEvents(context)).map((event) => event.details as { before: unknown; after: unknown });
    expect(events).toHaveLength(values.length);
    expect(events[0]!.before).toEqual({ fuzzy: null });
    events.slice(1).forEach((event, index) => expect(event.before).toEqual(events[index]!.after));
    expect((await call(context, 'GET')).json()).toEqual(events.at(-1)!.after);
  });

  it('are the calling tenant\'s own: another tenant\'s change and read never reach them', async () => {
    const own = await loads.tenant();
    const other = await loads.tenant();
    await call(own, 'PUT', { fuzzy: { high: 0.97 } });
    expect((await call(other, 'GET')).json()).toEqual({ fuzzy: null });
    await call(other, 'PUT', { fuzzy: { low: 0.5 } });
    expect((await call(own, 'GET')).json()).toEqual({ fuzzy: { high: 0.97 } });
    expect((await settingEvents(own)).map((event) => event.details.after)).toEqual([{ fuzzy: { high: 0.97 } }]);
  });

  it('keeps one threshold when the other is left out, the spec giving it', async () => {
    const context = await loads.tenant();
    expect((await call(context, 'PUT', { fuzzy: { high: 0.9 } })).json()).toEqual({ fuzzy: { high: 0.9 } });
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: { high: 0.9 } });
  });

  it.each([
    [[], 'http.validation_failed', '/'],
    [{}, 'http.validation_failed', '/fuzzy'],
    [{ fuzzy: 'high' }, 'http.validation_failed', '/fuzzy'],
    [{ fuzzy: { high: 1.5 } }, 'http.validation_failed', '/fuzzy/high'],
    [{ fuzzy: { low: 0 } }, 'http.validation_failed', '/fuzzy/low'],
    [{ fuzzy: { low: '0.7' } }, 'http.validation_failed', '/fuzzy/low'],
    [{ fuzzy: { medium: 0.5 } }, 'http.validation_failed', '/fuzzy/medium'],
    [{ fuzzy: null, thresholds: 1 }, 'http.validation_failed', '/thresholds'],
    [{ fuzzy: { high: 0.7, low: 0.8 } }, 'ingest.invalid_settings', '/fuzzy/low'],
  ])('refuses %j with %s at %s, changing nothing', async (body, code, pointer) => {
    const context = await loads.tenant();
    const response = await call(context, 'PUT', body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code, errors: expect.arrayContaining([expect.objectContaining({ pointer })]) });
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: null });
    expect(await settingEvents(context)).toEqual([]);
  });

  it('checks settings given to the service without HTTP the same way', async () => {
    const context = await loads.tenant();
    for (const [input, pointer] of [[[], '/'], [{}, '/fuzzy'], [{ fuzzy: { low: '0.7' } }, '/fuzzy/low'], [{ fuzzy: { medium: 0.5 } }, '/fuzzy/medium'], [{ fuzzy: null, thresholds: 1 }, '/thresholds']] as const) {
      await expect(t.platform.ingest.putSettings(context, input)).rejects.toMatchObject({ code: 'ingest.invalid_settings', errors: expect.arrayContaining([expect.objectContaining({ pointer })]) });
    }
  });

  it('refuses a threshold that, with a stored spec\'s other one, no run could use, naming the spec', async () => {
    const context = await loads.tenant();
    // The spec's high is 0.85: a low of 0.9 alone would fail every run of it.
    const response = await call(context, 'PUT', { fuzzy: { low: 0.9 } });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errors[0].detail).toContain('kna1-fuzzy');
    expect((await call(context, 'GET')).json()).toEqual({ fuzzy: null });
  });

  it('are for those who manage ingestion', async () => {
    const context = await loads.tenant();
    for (const method of ['GET', 'PUT'] as const) {
      const response = await call(context, method, method === 'PUT' ? { fuzzy: null } : undefined, 'member');
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('access.denied');
    }
  });

  it('are documented in the OpenAPI document', async () => {
    const paths = (await t.platform.http.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/v1/ingest/settings'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});
