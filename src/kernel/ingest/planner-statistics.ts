/**
 * Keeps the planner's picture of a tenant's rows in step with a large load. A tenant's first load into
 * a table shared with other tenants leaves the statistics saying the tenant has about one row, and
 * the planner then looks keys up through whichever tenant_id index is smallest, reading every row the
 * tenant has so far: each chunk slower than the last. Before a chunk, once the run has created enough
 * rows for that to cost, the planner's estimate of the tenant's rows in each table is compared with
 * what the run alone put there; an estimate under half of it refreshes the table's statistics
 * (tenantry_refresh_statistics, migration 20261123T090000). The check is an EXPLAIN, made again only
 * after the run has created a quarter more rows.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

/** Below this many rows created by the run, a tenant-wide scan costs less than refreshing statistics. */
export const STATISTICS_MIN_ROWS = 10_000;

interface PlanNode {
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

const mostRows = (node: PlanNode): number => Math.max(node['Plan Rows'] ?? 0, ...(node.Plans ?? []).map(mostRows));

/** The planner's estimate of the tenant's rows in a table. */
export async function estimatedTenantRows(tx: TenantTx, table: string, tenantId: string): Promise<number> {
  const result = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`explain (format json) select 1 from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(tx);
  return mostRows(result.rows[0]!['QUERY PLAN'][0].Plan);
}

/**
 * A check per run: `refresh(tx, created)` before each chunk, with the rows the run has created so far
 * (each has a row in every table given). Returns the tables whose statistics it refreshed.
 */
export function statisticsKeeper(tenantId: string, tables: readonly string[], minRows = STATISTICS_MIN_ROWS) {
  let checkedAt = 0;
  return async (tx: TenantTx, created: number): Promise<string[]> => {
    if (created < minRows || created < checkedAt * 1.25) return [];
    checkedAt = created;
    const refreshed: string[] = [];
    for (const table of tables) {
      if ((await estimatedTenantRows(tx, table, tenantId)) >= created / 2) continue;
      await sql`select tenantry_refresh_statistics(${table}::regclass)`.execute(tx);
      refreshed.push(table);
    }
    return refreshed;
  };
}
