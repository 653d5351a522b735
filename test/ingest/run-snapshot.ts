/**
 * What a test sees of an ingestion run while another process executes it, read in one statement (one
 * snapshot) on the owner connection: status, checkpoint, counts, whether an ingest connection is inside
 * a writing transaction, and the source row of the newest record the run created. That row can never
 * be above the checkpoint in any committed state: the records of a chunk and the checkpoint past them
 * commit together. A checkpoint written in a transaction of its own shows here as a newer record
 * beyond the checkpoint, between the two commits.
 */
import { sql, type Kysely } from 'kysely';

export interface RunSnapshot {
  readonly at: number;
  readonly runId: string;
  readonly status: 'queued' | 'running' | 'succeeded' | 'failed';
  readonly checkpointRow: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Source row (of this run) of the newest outlet of the tenant; null when the run created none yet. */
  readonly newestRecordRow: number | null;
  /** An ingest connection of the CLI holds a transaction that has written (has an xid). */
  readonly writing: boolean;
}

/** The run `runId`, or when not given the newest run of the tenant not in `exclude`; undefined before it exists. */
export async function snapshotRun(owner: Kysely<any>, tenantId: string, run: { runId?: string; exclude?: readonly string[] }): Promise<RunSnapshot | undefined> {
  const exclude = run.exclude ?? [];
  const result = await sql<{ id: string; status: RunSnapshot['status']; checkpoint_row: string; counts: Record<string, number>; newest_row: string | null; writing: boolean }>`
    with target as (
      select r.tenant_id, r.id, r.status, r.checkpoint_row, r.counts from ingest_runs r
      where r.tenant_id = ${tenantId} and (${run.runId ?? null}::uuid is null or r.id = ${run.runId ?? null}::uuid)
        and not (r.id::text = any(${exclude}::text[]))
      order by r.created_at desc limit 1
    ), newest as (
      select o.id from outlets o where o.tenant_id = ${tenantId} order by o.id desc limit 1
    ), activity as (
      select count(*) filter (where a.backend_xid is not null) > 0 as writing
      from pg_stat_activity a where a.datname = current_database() and a.application_name = 'tenantry-ingest'
    )
    select t.id, t.status, t.checkpoint_row, t.counts, activity.writing,
      (select k.row_number from ingest_xref x
         join ingest_run_keys k on k.tenant_id = x.tenant_id and k.run_id = t.id and k.source_key = x.source_key
       where x.tenant_id = t.tenant_id and x.entity = 'outlet' and x.record_id = (select id from newest) limit 1) as newest_row
    from target t, activity`.execute(owner);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    at: Date.now(),
    runId: row.id,
    status: row.status,
    checkpointRow: Number(row.checkpoint_row),
    counts: row.counts,
    newestRecordRow: row.newest_row === null ? null : Number(row.newest_row),
    writing: row.writing,
  };
}

/** Connections of the CLI's ingest pool still open on the server (a killed client's backend ends a moment later). */
export async function ingestConnections(owner: Kysely<any>): Promise<number> {
  const result = await sql<{ count: number }>`select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'tenantry-ingest'`.execute(owner);
  return result.rows[0]!.count;
}

/** A breach of the checkpoint invariant in a snapshot, described; undefined when it holds. */
export function checkpointBreach(snapshot: RunSnapshot): string | undefined {
  if (snapshot.newestRecordRow === null || snapshot.newestRecordRow <= snapshot.checkpointRow) return undefined;
  return `a record of source row ${snapshot.newestRecordRow} is committed while the checkpoint is at row ${snapshot.checkpointRow}`;
}
