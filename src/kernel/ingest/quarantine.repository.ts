/**
 * SQL of the quarantine: a run's rejects grouped by source row (the row as read, every problem it
 * had), the source fields they hold, and runs by batch key. Tenant transaction first, as everywhere.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { IngestRun } from './ingest.contract.ts';
import { findRun } from './ingest.repository.ts';

/** One rejected source row: the row as read (null when none was stored) and its problems in order. */
export interface RejectedSourceRow {
  rowNumber: number;
  line: number | null;
  sourceKey: string | null;
  sourceRow: Record<string, unknown> | null;
  problems: { field: string | null; value: string | null; code: string; reason: string }[];
}

export async function listRejectedSourceRows(tx: TenantTx, tenantId: string, runId: string, afterRow: number, limit: number): Promise<RejectedSourceRow[]> {
  const result = await sql<{ row_number: string; line: string | null; source_key: string | null; source_row: Record<string, unknown> | null; problems: RejectedSourceRow['problems'] }>`
    select row_number, min(line) as line, min(source_key) as source_key,
      (array_agg(source_row order by seq) filter (where source_row is not null))[1] as source_row,
      jsonb_agg(jsonb_build_object('field', field, 'value', value, 'code', code, 'reason', reason) order by seq) as problems
    from ingest_rejects where tenant_id = ${tenantId} and run_id = ${runId} and row_number > ${afterRow}
    group by row_number order by row_number limit ${limit}`.execute(tx);
  return result.rows.map((row) => ({ rowNumber: Number(row.row_number), line: row.line === null ? null : Number(row.line), sourceKey: row.source_key, sourceRow: row.source_row, problems: row.problems }));
}

/** The source fields the run's rejected rows hold, in name order (jsonb keeps no column order). */
export async function rejectedSourceFields(tx: TenantTx, tenantId: string, runId: string): Promise<string[]> {
  const result = await sql<{ key: string }>`
    select distinct jsonb_object_keys(source_row) as key from ingest_rejects
    where tenant_id = ${tenantId} and run_id = ${runId} and jsonb_typeof(source_row) = 'object' order by key`.execute(tx);
  return result.rows.map((row) => row.key);
}

/** Which of these row numbers have rejects in the run. */
export async function rejectedRowNumbers(tx: TenantTx, tenantId: string, runId: string, rows: readonly number[]): Promise<Set<number>> {
  if (rows.length === 0) return new Set();
  const result = await sql<{ row_number: string }>`
    select distinct row_number from ingest_rejects where tenant_id = ${tenantId} and run_id = ${runId} and row_number = any(${rows.map(String)}::bigint[])`.execute(tx);
  return new Set(result.rows.map((row) => Number(row.row_number)));
}

export async function findRunByBatchKey(tx: TenantTx, tenantId: string, batchKey: string): Promise<IngestRun | undefined> {
  const result = await sql<{ id: string }>`select id from ingest_runs where tenant_id = ${tenantId} and batch_key = ${batchKey}`.execute(tx);
  return result.rows[0] && findRun(tx, tenantId, result.rows[0].id);
}
