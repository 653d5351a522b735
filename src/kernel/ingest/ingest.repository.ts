/**
 * SQL of ingestion's own tables (specs, runs, cross-reference, run keys, rejects, cases).
 * Every function takes the tenant transaction first and filters by tenant as well; bulk writes are
 * one statement per call (a JSON array unpacked by jsonb_to_recordset; the cross-reference, a line
 * per entry: `xrefLines`), never a statement per row.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { IngestCounts, IngestRun, MappingSpec, RunMode, RunOrigin, RunStatus, StoredSpec } from './ingest.contract.ts';

const json = (value: unknown) => JSON.stringify(value);

export const emptyCounts = (): IngestCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, merged: 0, queued: 0, duplicates: 0, rejected: 0, deactivated: 0, conflicts: 0, skipped: 0, durationMs: 0 });

export async function latestSpec(tx: TenantTx, tenantId: string, name: string, version?: number): Promise<StoredSpec | undefined> {
  const result = await sql<{ name: string; version: number; spec: MappingSpec; created_at: Date }>`
    select name, version, spec, created_at from ingest_specs where tenant_id = ${tenantId} and name = ${name}
    ${version === undefined ? sql`` : sql`and version = ${version}`} order by version desc limit 1`.execute(tx);
  const row = result.rows[0];
  return row && { name: row.name, version: row.version, spec: row.spec, createdAt: row.created_at.toISOString() };
}

export async function listSpecs(tx: TenantTx, tenantId: string): Promise<StoredSpec[]> {
  const result = await sql<{ name: string; version: number; spec: MappingSpec; created_at: Date }>`
    select distinct on (name) name, version, spec, created_at from ingest_specs where tenant_id = ${tenantId} order by name, version desc`.execute(tx);
  return result.rows.map((row) => ({ name: row.name, version: row.version, spec: row.spec, createdAt: row.created_at.toISOString() }));
}

export async function insertSpec(tx: TenantTx, tenantId: string, name: string, version: number, spec: MappingSpec): Promise<void> {
  await sql`insert into ingest_specs (tenant_id, name, version, entity, system, spec, created_by)
    values (${tenantId}, ${name}, ${version}, ${spec.entity}, ${spec.system}, ${json(spec)}::jsonb, tenantry_current_user())`.execute(tx);
}

interface RunRow {
  id: string;
  spec_name: string;
  spec_version: number;
  entity: string;
  mode: RunMode;
  status: RunStatus;
  file_name: string | null;
  file_path: string | null;
  file_bytes: string | null;
  file_sha256: string | null;
  encoding: string | null;
  checkpoint_row: string;
  counts: IngestCounts;
  error_code: string | null;
  error_detail: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  source_format: 'ndjson' | null;
  batch_key: string | null;
  resubmits_run_id: string | null;
}

const toRun = (row: RunRow): IngestRun => ({
  id: row.id,
  spec: { name: row.spec_name, version: row.spec_version },
  entity: row.entity,
  mode: row.mode,
  status: row.status,
  file: { name: row.file_name, path: row.file_path, bytes: row.file_bytes === null ? null : Number(row.file_bytes), sha256: row.file_sha256, encoding: row.encoding },
  checkpointRow: Number(row.checkpoint_row),
  counts: { ...emptyCounts(), ...row.counts },
  error: row.error_code === null ? null : { code: row.error_code, detail: row.error_detail ?? '' },
  createdAt: row.created_at.toISOString(),
  startedAt: row.started_at?.toISOString() ?? null,
  finishedAt: row.finished_at?.toISOString() ?? null,
  sourceFormat: row.source_format,
  batchKey: row.batch_key,
  resubmitsRunId: row.resubmits_run_id,
});

export async function insertRun(tx: TenantTx, tenantId: string, run: { id: string; spec: StoredSpec; mode: RunMode; file: { name: string; path: string; bytes: number; sha256: string }; origin?: RunOrigin }): Promise<void> {
  const origin = run.origin ?? {};
  await sql`insert into ingest_runs (tenant_id, id, spec_name, spec_version, entity, mode, status, file_name, file_path, file_bytes, file_sha256, created_by, source_format, batch_key, resubmits_run_id)
    values (${tenantId}, ${run.id}, ${run.spec.name}, ${run.spec.version}, ${run.spec.spec.entity}, ${run.mode}, 'queued', ${run.file.name}, ${run.file.path}, ${run.file.bytes}, ${run.file.sha256}, tenantry_current_user(),
      ${origin.sourceFormat ?? null}, ${origin.batchKey ?? null}, ${origin.resubmitsRunId ?? null})`.execute(tx);
}

export async function findRun(tx: TenantTx, tenantId: string, id: string, lock = false): Promise<IngestRun | undefined> {
  const result = await sql<RunRow>`select * from ingest_runs where tenant_id = ${tenantId} and id = ${id} ${lock ? sql`for update` : sql``}`.execute(tx);
  return result.rows[0] && toRun(result.rows[0]);
}

export async function listRuns(tx: TenantTx, tenantId: string, limit: number): Promise<IngestRun[]> {
  const result = await sql<RunRow>`select * from ingest_runs where tenant_id = ${tenantId} order by created_at desc, id desc limit ${limit}`.execute(tx);
  return result.rows.map(toRun);
}

/**
 * Writes the run's state; with `heldBy`, only while that execution's claim (`attempt`) is still the
 * run's (ingest_run_attempts migration). False when it no longer is: another execution took over.
 */
export async function updateRun(
  tx: TenantTx,
  tenantId: string,
  id: string,
  change: { status?: RunStatus; checkpointRow?: number; counts?: IngestCounts; encoding?: string; error?: { code: string; detail: string } | null; started?: boolean; finished?: boolean; attempt?: string },
  heldBy?: string,
): Promise<boolean> {
  const sets = [
    change.attempt === undefined ? null : sql`attempt_id = ${change.attempt}`,
    change.status === undefined ? null : sql`status = ${change.status}`,
    change.checkpointRow === undefined ? null : sql`checkpoint_row = ${change.checkpointRow}`,
    change.counts === undefined ? null : sql`counts = ${json(change.counts)}::jsonb`,
    change.encoding === undefined ? null : sql`encoding = ${change.encoding}`,
    change.error === undefined ? null : sql`error_code = ${change.error?.code ?? null}, error_detail = ${change.error?.detail ?? null}`,
    change.started ? sql`started_at = coalesce(started_at, now())` : null,
    change.finished ? sql`finished_at = now()` : null,
  ].filter((part) => part !== null);
  if (sets.length === 0) return true;
  const held = heldBy === undefined ? sql`` : sql` and attempt_id = ${heldBy}`;
  const result = await sql`update ingest_runs set ${sql.join(sets)} where tenant_id = ${tenantId} and id = ${id}${held}`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * Marks keys as seen by the run (rows that write no cross-reference entry: unchanged, rejected,
 * skipped, queued for review); returns those another row of the run took before (duplicates in the file).
 */
export async function claimRunKeys(tx: TenantTx, tenantId: string, runId: string, keys: readonly { key: string; row: number }[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const result = await sql<{ source_key: string }>`
    insert into ingest_run_keys (tenant_id, run_id, source_key, row_number)
    select ${tenantId}, ${runId}, k.key, k.row from jsonb_to_recordset(${json(keys)}::jsonb) as k(key text, row bigint)
    on conflict do nothing returning source_key`.execute(tx);
  const taken = new Set(result.rows.map((row) => row.source_key));
  return new Set(keys.filter((entry) => !taken.has(entry.key)).map((entry) => entry.key));
}

/** Of these keys, those the run has claimed (claimRunKeys). */
export async function claimedRunKeys(tx: TenantTx, tenantId: string, runId: string, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const result = await sql<{ source_key: string }>`
    select source_key from ingest_run_keys where tenant_id = ${tenantId} and run_id = ${runId} and source_key = any(${keys})`.execute(tx);
  return new Set(result.rows.map((row) => row.source_key));
}

export interface XrefEntry {
  sourceKey: string;
  recordId: string;
  contentHash: string;
  sourceValues: Record<string, unknown>;
  deletedInSource: boolean;
  /**
   * The raw hash of the source row the entry was prepared from (unchanged-source.ts); null or absent
   * when it was not written from a row as read (a full load's missing record, a review's link): the
   * key's next row is prepared again.
   */
  rawHash?: string | null;
  /** The run that last wrote the entry (read only: a write sets the writing run). */
  lastRunId?: string;
}

/** An entry without its source values: enough to tell whether a row is the same as last time. */
export type XrefHead = Omit<XrefEntry, 'sourceValues'>;

export const xrefByKeys = (tx: TenantTx, tenantId: string, system: string, entity: string, keys: readonly string[]) =>
  xrefRows(tx, tenantId, system, entity, keys, true) as Promise<Map<string, XrefEntry>>;

/**
 * The entries of the keys without their source values, which only a changed row needs: a re-run of
 * a file reads every key of it (200,000 unchanged rows: 7.4-8.0 s, 9.0-10.1 s reading and parsing
 * every entry's values; Node's CPU 7.6-8.2 against 9.5-10.6 s).
 */
export const xrefHeadsByKeys = (tx: TenantTx, tenantId: string, system: string, entity: string, keys: readonly string[]) =>
  xrefRows(tx, tenantId, system, entity, keys, false) as Promise<Map<string, XrefHead>>;

async function xrefRows(tx: TenantTx, tenantId: string, system: string, entity: string, keys: readonly string[], withValues: boolean): Promise<Map<string, XrefHead & { sourceValues?: Record<string, unknown> }>> {
  if (keys.length === 0) return new Map();
  const result = await sql<{ source_key: string; record_id: string; content_hash: string; raw_hash: string | null; source_values?: Record<string, unknown>; deleted_in_source: boolean; last_run_id: string }>`
    select source_key, record_id, content_hash, raw_hash, ${withValues ? sql`source_values, ` : sql``}deleted_in_source, last_run_id from ingest_xref
    where tenant_id = ${tenantId} and system = ${system} and entity = ${entity} and source_key = any(${keys})`.execute(tx);
  return new Map(
    result.rows.map((row) => {
      const head: XrefHead = { sourceKey: row.source_key, recordId: row.record_id, contentHash: row.content_hash, rawHash: row.raw_hash, deletedInSource: row.deleted_in_source, lastRunId: row.last_run_id };
      return [row.source_key, withValues ? { ...head, sourceValues: row.source_values! } : head];
    }),
  );
}

/**
 * The entries as one text, a line each: the source key as a JSON string, the record id, the content
 * hash, the raw hash (empty for none), t/f for deleted in source and the source values as JSON,
 * tab-separated. JSON escapes tabs and newlines, the id is a UUID and the hashes base64url, so none
 * holds a separator (one that did would
 * fail its cast, not shift a value). The values are stored as the JSON text sent (a json column:
 * PostgreSQL checks it, builds no binary copy); a jsonb array of all the entries first built a binary
 * copy of the whole array (2 us an entry more).
 */
const xrefLines = (entries: readonly XrefEntry[]): string =>
  entries.map((entry) => `${json(entry.sourceKey)}\t${entry.recordId}\t${entry.contentHash}\t${entry.rawHash ?? ''}\t${entry.deletedInSource ? 't' : 'f'}\t${json(entry.sourceValues)}`).join('\n');

export async function upsertXref(tx: TenantTx, tenantId: string, system: string, entity: string, runId: string, entries: readonly XrefEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    insert into ingest_xref (tenant_id, system, entity, source_key, record_id, content_hash, raw_hash, source_values, deleted_in_source, last_run_id)
    select ${tenantId}, ${system}, ${entity}, e.source_key, e.record_id, e.content_hash, nullif(e.raw_hash, ''), e.source_values, e.deleted_in_source, ${runId}
    from (
      select split_part(line, E'\t', 1)::json #>> '{}' as source_key, split_part(line, E'\t', 2)::uuid as record_id, split_part(line, E'\t', 3) as content_hash,
        split_part(line, E'\t', 4) as raw_hash, split_part(line, E'\t', 5)::boolean as deleted_in_source, split_part(line, E'\t', 6)::json as source_values
      from string_to_table(${xrefLines(entries)}::text, E'\n') as line offset 0
    ) as e
    on conflict (tenant_id, system, entity, source_key) do update set record_id = excluded.record_id, content_hash = excluded.content_hash, raw_hash = excluded.raw_hash,
      source_values = excluded.source_values, deleted_in_source = excluded.deleted_in_source, last_run_id = excluded.last_run_id, updated_at = now()`.execute(tx);
}

/**
 * Records the raw hash of rows that prepared to their entry's content (unchanged, but read from a
 * row the entry does not know: a new spec version, an export formatted differently, an entry from
 * before raw hashes), so the next run skips preparing them; the entry is otherwise left as it is
 * (not written by the run: `last_run_id` stays).
 */
export async function recordRawHashes(tx: TenantTx, tenantId: string, system: string, entity: string, entries: readonly { sourceKey: string; rawHash: string }[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    update ingest_xref x set raw_hash = e.raw_hash
    from unnest(${entries.map((entry) => entry.sourceKey)}::text[], ${entries.map((entry) => entry.rawHash)}::text[]) as e(source_key, raw_hash)
    where x.tenant_id = ${tenantId} and x.system = ${system} and x.entity = ${entity} and x.source_key = e.source_key`.execute(tx);
}

/** Whether the source has written any entry of the entity: a run into none has no row to skip preparing. */
export async function hasXrefEntries(tx: TenantTx, tenantId: string, system: string, entity: string): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    select exists (select 1 from ingest_xref where tenant_id = ${tenantId} and system = ${system} and entity = ${entity}) as found`.execute(tx);
  return result.rows[0]!.found;
}

/**
 * Cross-reference entries of the source not seen by the run (neither written by it nor among its
 * claimed keys) and not yet marked deleted (a full load's missing records), in key order after
 * `after`. The run's keys are probed one by one through a lateral subquery: as an anti-join,
 * row-level security keeps the key condition out of the index scan and the planner, whose
 * statistics have not yet seen the run's keys, scans them whole for each entry.
 */
export async function missingFromRun(tx: TenantTx, tenantId: string, system: string, entity: string, runId: string, after: string | null, limit: number): Promise<XrefEntry[]> {
  const result = await sql<{ source_key: string; record_id: string; content_hash: string; source_values: Record<string, unknown> }>`
    select x.source_key, x.record_id, x.content_hash, x.source_values from ingest_xref x
    left join lateral (select true as seen from ingest_run_keys k where k.tenant_id = ${tenantId} and k.run_id = ${runId} and k.source_key = x.source_key limit 1) k on true
    where x.tenant_id = ${tenantId} and x.system = ${system} and x.entity = ${entity} and not x.deleted_in_source and x.last_run_id <> ${runId} and k.seen is null
      ${after === null ? sql`` : sql`and x.source_key > ${after}`}
    order by x.source_key limit ${limit}`.execute(tx);
  return result.rows.map((row) => ({ sourceKey: row.source_key, recordId: row.record_id, contentHash: row.content_hash, sourceValues: row.source_values, deletedInSource: false }));
}

export interface RejectRow {
  rowNumber: number;
  line: number | null;
  seq: number;
  sourceKey: string | null;
  field: string | null;
  value: string | null;
  code: string;
  reason: string;
  sourceRow: Record<string, unknown> | null;
}

export async function insertRejects(tx: TenantTx, tenantId: string, runId: string, rejects: readonly RejectRow[]): Promise<void> {
  if (rejects.length === 0) return;
  await sql`
    insert into ingest_rejects (tenant_id, run_id, row_number, seq, line, source_key, field, value, code, reason, source_row)
    select ${tenantId}, ${runId}, r."rowNumber", r.seq, r.line, r."sourceKey", r.field, r.value, r.code, r.reason, r."sourceRow"
    from jsonb_to_recordset(${json(rejects)}::jsonb) as r("rowNumber" bigint, seq int, line bigint, "sourceKey" text, field text, value text, code text, reason text, "sourceRow" jsonb)`.execute(tx);
}

export async function listRejects(tx: TenantTx, tenantId: string, runId: string, after: { row: number; seq: number }, limit: number): Promise<RejectRow[]> {
  const result = await sql<{ row_number: string; line: string | null; seq: number; source_key: string | null; field: string | null; value: string | null; code: string; reason: string; source_row: Record<string, unknown> | null }>`
    select row_number, line, seq, source_key, field, value, code, reason, source_row from ingest_rejects
    where tenant_id = ${tenantId} and run_id = ${runId} and (row_number, seq) > (${after.row}, ${after.seq}) order by row_number, seq limit ${limit}`.execute(tx);
  return result.rows.map((row) => ({ rowNumber: Number(row.row_number), line: row.line === null ? null : Number(row.line), seq: row.seq, sourceKey: row.source_key, field: row.field, value: row.value, code: row.code, reason: row.reason, sourceRow: row.source_row }));
}

export interface CaseRow {
  id: string;
  kind: 'conflict' | 'review';
  recordId: string;
  sourceKey: string | null;
  field: string | null;
  sourceValue: unknown;
  localValue: unknown;
}

export async function insertCases(tx: TenantTx, tenantId: string, runId: string, entity: string, cases: readonly CaseRow[]): Promise<void> {
  if (cases.length === 0) return;
  await sql`
    insert into ingest_cases (tenant_id, id, kind, run_id, entity, record_id, source_key, field, source_value, local_value)
    select ${tenantId}, c.id, c.kind, ${runId}, ${entity}, c."recordId", c."sourceKey", c.field, c."sourceValue", c."localValue"
    from jsonb_to_recordset(${json(cases.map((entry) => ({ ...entry, sourceValue: entry.sourceValue ?? null, localValue: entry.localValue ?? null })))}::jsonb)
      as c(id uuid, kind text, "recordId" uuid, "sourceKey" text, field text, "sourceValue" jsonb, "localValue" jsonb)`.execute(tx);
}

/** An open case; a review's `candidateId` and `score` name the likely duplicate (match/). */
export type OpenCase = CaseRow & { runId: string; entity: string; candidateId: string | null; score: number | null; createdAt: string };

export async function listOpenCases(tx: TenantTx, tenantId: string, limit: number): Promise<OpenCase[]> {
  const result = await sql<{ id: string; kind: 'conflict' | 'review'; run_id: string; entity: string; record_id: string; source_key: string | null; field: string | null; source_value: unknown; local_value: unknown; candidate_id: string | null; score: number | null; created_at: Date }>`
    select id, kind, run_id, entity, record_id, source_key, field, source_value, local_value, candidate_id, score, created_at from ingest_cases
    where tenant_id = ${tenantId} and status = 'open' order by created_at, id limit ${limit}`.execute(tx);
  return result.rows.map((row) => ({ id: row.id, kind: row.kind, runId: row.run_id, entity: row.entity, recordId: row.record_id, sourceKey: row.source_key, field: row.field, sourceValue: row.source_value, localValue: row.local_value, candidateId: row.candidate_id, score: row.score, createdAt: row.created_at.toISOString() }));
}

/** The runs whose file is one of `paths` (file retention): their status and when they ended. */
export async function runsOfFiles(tx: TenantTx, tenantId: string, paths: readonly string[]): Promise<{ path: string; status: RunStatus; finishedAt: Date | null }[]> {
  if (paths.length === 0) return [];
  const result = await sql<{ file_path: string; status: RunStatus; finished_at: Date | null }>`
    select file_path, status, finished_at from ingest_runs where tenant_id = ${tenantId} and file_path = any(${paths})`.execute(tx);
  return result.rows.map((row) => ({ path: row.file_path, status: row.status, finishedAt: row.finished_at }));
}

/** The runs of removed files keep their name, size and hash, not the path: they can no longer resume. */
export async function forgetRunFiles(tx: TenantTx, tenantId: string, paths: readonly string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const result = await sql`update ingest_runs set file_path = null where tenant_id = ${tenantId} and file_path = any(${paths})`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}
