import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

const widget = (code: string) => ({ code, name: `Widget ${code}` });

describe('tenant directory', () => {
  it('creates a tenant with defaults and finds it by slug or id', async () => {
    const tenant = await t.platform.tenants.createTenant({ slug: 'Lifecycle-Co', name: '  Lifecycle Co ' });
    expect(tenant).toMatchObject({ slug: 'lifecycle-co', name: 'Lifecycle Co', status: 'active', plan: 'free', locale: 'en', timezone: 'UTC', settings: {} });
    expect((await t.platform.tenants.getTenant(tenant.id)).slug).toBe('lifecycle-co');
    expect((await t.platform.tenants.getTenant('lifecycle-co')).id).toBe(tenant.id);
  });

  it('refuses invalid input with every problem at once, and a taken slug with 409', async () => {
    await expect(t.platform.tenants.createTenant({ slug: '-bad slug-', name: '', timezone: 'Mars/Olympus', locale: 'not a locale!' })).rejects.toMatchObject({
      code: 'tenancy.invalid_tenant',
      errors: [{ pointer: '/slug' }, { pointer: '/name' }, { pointer: '/locale' }, { pointer: '/timezone' }],
    });
    await t.platform.tenants.createTenant({ slug: 'taken', name: 'First' });
    await expect(t.platform.tenants.createTenant({ slug: 'taken', name: 'Second' })).rejects.toMatchObject({ code: 'tenancy.slug_taken' });
  });

  it('suspends and reactivates: a suspended tenant is refused, and a reactivated one served again', async () => {
    const tenant = await t.createTenant();
    const list = () => t.platform.http.inject({ method: 'GET', url: '/v1/kt-widgets', headers: { 'x-tenant': tenant.slug } });
    expect((await list()).statusCode).toBe(200);
    await t.platform.tenants.suspendTenant(tenant.slug);
    const refused = await list();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('tenancy.tenant_suspended');
    await t.platform.tenants.reactivateTenant(tenant.id);
    expect((await list()).statusCode).toBe(200);
  });

  it('deletes a tenant with all of its rows in every tenant table, and nothing of another tenant', async () => {
    const doomed = await t.createTenant();
    const kept = await t.createTenant();
    for (const tenant of [doomed, kept]) {
      const headers = { 'x-tenant': tenant.slug, 'idempotency-key': `key-${tenant.slug}` };
      const category = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-categories', headers, payload: { code: 'C1', title: 'Category' } });
      expect(category.statusCode).toBe(201);
      const created = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-widgets', headers: { 'x-tenant': tenant.slug }, payload: { ...widget('W-1'), category: category.json().id } });
      expect(created.statusCode).toBe(201);
    }
    const removed = await t.platform.tenants.deleteTenant(doomed.slug);
    expect(removed).toMatchObject({ kt_widgets: 1, kt_categories: 1, idempotency_keys: 1 });
    const owner = t.database.owner.db;
    const leftovers = await sql<{ n: number }>`
      select (select count(*) from kt_widgets where tenant_id = ${doomed.id})
           + (select count(*) from kt_categories where tenant_id = ${doomed.id})
           + (select count(*) from idempotency_keys where tenant_id = ${doomed.id})
           + (select count(*) from tenants where id = ${doomed.id}) as n`.execute(owner);
    expect(Number(leftovers.rows[0]!.n)).toBe(0);
    const survivors = await sql<{ n: number }>`select count(*)::int as n from kt_widgets where tenant_id = ${kept.id}`.execute(owner);
    expect(survivors.rows[0]!.n).toBe(1);
    await expect(t.platform.tenants.getTenant(doomed.id)).rejects.toMatchObject({ code: 'tenancy.tenant_not_found' });
    const gone = await t.platform.http.inject({ method: 'GET', url: '/v1/kt-widgets', headers: { 'x-tenant': doomed.slug } });
    expect(gone.statusCode).toBe(401);
  });
});
