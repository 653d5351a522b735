/**
 * Keeps the planner's picture of a large load in step with the load. Statistics taken before the
 * load (the tenant, its source system or the entity had no rows yet) make the planner take the rows
 * the load wrote for a handful, and it then looks keys up through whichever index starts with those
 * columns, reading every row the load wrote so far: each chunk slower than the last. Before a chunk,
 * once the run has created enough rows for that to cost, the planner's estimate of the rows the
 * lookups narrow to (per table: the tenant, and for the cross-reference its system and entity) is
 * compared with what the run alone put there; an estimate under half of it refreshes the table's
 * statistics (tenantry_refresh_statistics, migration 20261123T090000). The check is an EXPLAIN, made
 * again only after the run has created a quarter more rows.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

/** Below this many rows created by the run, reading them all costs less than refreshing statistics. */
export const STATISTICS_MIN_ROWS = 10_000;

/** A table the run writes a row to for each record it creates, and the equalities its lookups narrow by. */
export interface StatisticsTarget {
  readonly table: string;
  readonly where: Readonly<Record<string, string>>;
}

interface PlanNode {
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

const mostRows = (node: PlanNode): number => Math.max(node['Plan Rows'] ?? 0, ...(node.Plans ?? []).map(mostRows));

/** The planner's estimate of the table's rows with the given column values. */
export async function estimatedRows(tx: TenantTx, target: StatisticsTarget): Promise<number> {
  const conditions = Object.entries(target.where).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  const result = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`explain (format json) select 1 from ${sql.table(target.table)} where ${sql.join(conditions, sql` and `)}`.execute(tx);
  return mostRows(result.rows[0]!['QUERY PLAN'][0].Plan);
}

/**
 * A check per run: `keep(tx, created)` before each chunk, with the rows the run has created so far
 * (each has a row in every target). Returns the tables whose statistics it refreshed.
 */
export function statisticsKeeper(targets: readonly StatisticsTarget[], minRows = STATISTICS_MIN_ROWS) {
  let checkedAt = 0;
  return async (tx: TenantTx, created: number): Promise<string[]> => {
    if (created < minRows || created < checkedAt * 1.25) return [];
    checkedAt = created;
    const refreshed: string[] = [];
    for (const target of targets) {
      if ((await estimatedRows(tx, target)) >= created / 2) continue;
      await sql`select tenantry_refresh_statistics(${target.table}::regclass)`.execute(tx);
      refreshed.push(target.table);
    }
    return refreshed;
  };
}
