import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { awaitSyncFence } from '../../../test/support/sync-fence.ts';
import { createSyncRetention } from './index.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

describe('retention of the sync change log', () => {
  it("removes one tenant's change rows older than the retention, leaves the rest, and old cursors refetch", async () => {
    const [a, b] = [await t.createTenant(), await t.createTenant()];
    const user = { 'x-tenant': a.slug, 'x-dev-roles': 'owner', 'x-dev-user': randomUUID() };
    // A device syncs, then goes offline while changes are made and age past the retention.
    const first = (await t.platform.http.inject({ method: 'POST', url: '/v1/sync/pull', headers: user, payload: {} })).json();
    for (const tenant of [a, b]) {
      const created = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-tickets', headers: { 'x-tenant': tenant.slug }, payload: { subject: 'Old news' } });
      expect(created.statusCode).toBe(201);
    }
    // Age every change row of both tenants by 40 days, then add a fresh one to A.
    await sql`update sync_changes set changed_at = changed_at - interval '40 days' where tenant_id in (${a.id}, ${b.id})`.execute(t.database.owner.db);
    await t.platform.http.inject({ method: 'POST', url: '/v1/kt-tickets', headers: { 'x-tenant': a.slug }, payload: { subject: 'Fresh' } });
    const retention = createSyncRetention({ db: t.platform.database.db, tenants: t.platform.tenants, retentionDays: 30 });
    expect(await retention.purgeTenant(a.id, new Date())).toBeGreaterThan(0);
    const left = await sql<{ tenant_id: string; n: number }>`select tenant_id, count(*)::int as n from sync_changes where tenant_id in (${a.id}, ${b.id}) group by tenant_id`.execute(t.database.owner.db);
    expect(Object.fromEntries(left.rows.map((row) => [row.tenant_id, row.n]))).toEqual({ [a.id]: 1, [b.id]: 1 });
    await awaitSyncFence(t.database.owner.db, a.id);
    const stale = await t.platform.http.inject({ method: 'POST', url: '/v1/sync/pull', headers: user, payload: { cursor: first.cursor } });
    expect(stale.statusCode).toBe(410);
    expect(stale.json().code).toBe('sync.must_refetch');
  });

  it('registers a daily fan-out job and a per-tenant job with the queue', () => {
    const names: string[] = [];
    const retention = createSyncRetention({ db: t.platform.database.db, tenants: t.platform.tenants, retentionDays: 30 });
    retention.register({ register: (name: string) => void names.push(name) } as never);
    expect(names).toEqual(['sync.retention', 'sync.retention-tenant']);
  });
});
