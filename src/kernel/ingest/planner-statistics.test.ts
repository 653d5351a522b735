/** The planner's statistics during a large load: the estimate check, the refresh, and who may refresh what. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { withTenant, type TenantTx } from '../db/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import { estimatedRows, statisticsKeeper, type StatisticsTarget } from './planner-statistics.ts';

let t: TestPlatform;
let tenant: Tenant;

/** Cross-reference entries (ingest_xref: a tenant table without foreign keys to records). */
const entries = (tx: TenantTx, count: number, system: string) =>
  sql`insert into ingest_xref (tenant_id, system, entity, source_key, record_id, content_hash, source_values, last_run_id)
    select ${tenant.id}, ${system}, 'outlet', n::text, gen_random_uuid(), 'h', '{}'::jsonb, gen_random_uuid() from generate_series(1, ${count}) n`.execute(tx);
const refresh = (table: string) => sql`select tenantry_refresh_statistics(${table}::regclass)`;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant();
  // Statistics taken when the tenant's entries were all of another source system.
  await withTenant(t.platform.database.db, { tenantId: tenant.id }, async (tx) => {
    await entries(tx, 20_000, 'OLD-ERP');
    await refresh('ingest_xref').execute(tx);
  });
});
afterAll(() => t?.close());

describe('planner statistics during a load', () => {
  it('refreshes a table whose statistics take the rows the run created for much fewer, once', async () => {
    const target: StatisticsTarget = { table: 'ingest_xref', where: { tenant_id: tenant.id, system: 'NEW-ERP', entity: 'outlet' } };
    // Rolled back at the end: the run's rows are not committed while it checks, as in a chunk.
    const rollback = new Error('rollback');
    await withTenant(t.platform.database.db, { tenantId: tenant.id }, async (tx) => {
      await entries(tx, 3_000, 'NEW-ERP');
      expect(await estimatedRows(tx, target)).toBeLessThan(1_500);
      // The runtime role owns no table: its own ANALYZE is skipped (a warning) and changes nothing.
      await sql`analyze ingest_xref`.execute(tx);
      expect(await estimatedRows(tx, target)).toBeLessThan(1_500);
      const keep = statisticsKeeper([target], 1_000);
      expect(await keep(tx, 900)).toEqual([]);
      expect(await keep(tx, 3_000)).toEqual(['ingest_xref']);
      expect(await estimatedRows(tx, target)).toBeGreaterThan(1_500);
      // Not checked again before a quarter more rows; once checked, fresh statistics are kept.
      expect(await keep(tx, 3_500)).toEqual([]);
      expect(await statisticsKeeper([target], 1_000)(tx, 3_000)).toEqual([]);
      throw rollback;
    }).catch((error: unknown) => (error === rollback ? undefined : Promise.reject(error)));
  });

  it('refreshes only tenant tables, only with a tenant context', async () => {
    await expect(refresh('ingest_xref').execute(t.platform.database.db)).rejects.toMatchObject({ code: '42501' });
    await expect(withTenant(t.platform.database.db, { tenantId: tenant.id }, (tx) => refresh('tenants').execute(tx))).rejects.toMatchObject({ code: '42501' });
    await expect(withTenant(t.platform.database.db, { tenantId: tenant.id }, (tx) => refresh('outlets').execute(tx))).resolves.toBeDefined();
  });
});
