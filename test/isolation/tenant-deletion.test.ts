/**
 * Deleting a tenant (tenancy's deleteTenant, behind `tenantry tenant delete`) walks every table
 * with a tenant_id and removes that tenant's rows. It must remove those and only those: under the
 * runtime role (row-level security), and on a connection RLS does not apply to, where only the
 * code's own tenant filter protects the other tenants (DESIGN.md: "Code filters by tenant too").
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantDirectory } from '../../src/kernel/tenancy/index.ts';
import { findTenantTables } from '../support/isolation-catalog-checks.ts';
import { startSeededTemplate } from '../support/isolation-setup.ts';
import { snapshotTenantRows } from '../support/isolation-world.ts';

let template: Awaited<ReturnType<typeof startSeededTemplate>>;

beforeAll(async () => {
  template = await startSeededTemplate();
});
afterAll(() => template?.close());

async function rowsOfTenant(owner: Kysely<any>, tables: readonly string[], tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ rows: number }>`select count(*)::int as rows from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(owner);
    counts[table] = result.rows[0]!.rows;
  }
  return counts;
}

describe('deleting a tenant', () => {
  it.each([
    { layer: 'as the runtime role (row-level security)', connection: 'app' as const },
    { layer: 'on a connection exempt from row-level security (the code filter alone)', connection: 'owner' as const },
  ])('removes every row of tenant B and none of tenant A\'s, $layer', async ({ connection }) => {
    const copy = await template.clone();
    try {
      const owner = copy.database.owner.db;
      const { a, b } = copy.world;
      const tables = await findTenantTables(owner);
      const before = await snapshotTenantRows(owner, a.id, tables);
      const rowsOfABefore = await rowsOfTenant(owner, tables, a.id);
      expect(Object.values(await rowsOfTenant(owner, tables, b.id)).every((rows) => rows > 0)).toBe(true);

      const tenants = createTenantDirectory(connection === 'app' ? copy.app.db : owner);
      await tenants.deleteTenant(b.id);

      expect(await rowsOfTenant(owner, tables, a.id), "tenant A's rows per table").toEqual(rowsOfABefore);
      expect(await snapshotTenantRows(owner, a.id, tables), "tenant A's rows").toEqual(before);
      expect(Object.values(await rowsOfTenant(owner, tables, b.id)).every((rows) => rows === 0)).toBe(true);
      const remaining = await sql<{ id: string }>`select id from tenants where id in (${a.id}, ${b.id})`.execute(owner);
      expect(remaining.rows.map((row) => row.id)).toEqual([a.id]);
    } finally {
      await copy.close();
    }
  });
});
