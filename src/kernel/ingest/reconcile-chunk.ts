/**
 * Reconciliation of one chunk of prepared rows (mapped, normalized, valid) in the run's transaction:
 * duplicates within the file (run keys), the cross-reference, unchanged rows by content hash, exact
 * matching of new rows on the entity's unique fields and the spec's exact keys, fuzzy matching of the
 * rows left to create (match/: link, or a review case), field ownership
 * (source-owned fields follow the source unless a user edited them since the last load: then a
 * conflict case), deletion flags, then set-based writes through the record service (audit and the
 * sync change log follow from there; each write's audit event carries its lineage: run, source
 * system, source key, row). When a set-based write fails on one bad row, the chunk is
 * written again row by row under savepoints so only that row is rejected.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import { AppError, newId } from '../shared/index.ts';
import type { IngestCounts, MappingSpec, SourceRow } from './ingest.contract.ts';
import { lineage } from './lineage.ts';
import { matchChunk, type MatchTarget } from './match/index.ts';
import type { PendingReference } from './resolve-references.ts';
import { claimRunKeys, claimedRunKeys, insertCases, upsertXref, xrefByKeys, type CaseRow, type RejectRow, type XrefEntry } from './ingest.repository.ts';

/** A row ready to reconcile: mapped, normalized and valid. */
export interface PreparedRow {
  readonly rowNumber: number;
  readonly line: number;
  readonly sourceKey: string;
  readonly record: Record<string, unknown>;
  readonly deleted: boolean;
  readonly hash: string;
  /** The row as read, for the source values of a reject found later. */
  readonly source: SourceRow;
  /** References to other records, resolved in the chunk's transaction (resolve-references.ts). */
  readonly references?: readonly PendingReference[];
}

/** What matching needs (match/), and the exact-key fields reconciliation looks records up by. */
export interface ChunkTarget extends MatchTarget {
  /** Fields whose equal values mean the same record (unique fields, the spec's exact keys). */
  readonly matchFields: readonly string[];
}

export interface ChunkOutcome {
  counts: Partial<IngestCounts>;
  rejects: RejectRow[];
}

type Write =
  | { kind: 'create'; row: PreparedRow; id: string; input: Record<string, unknown>; operation: 'create' }
  | { kind: 'update'; row: PreparedRow; id: string; input: Record<string, unknown>; operation: 'update' | 'link' | 'deactivate' };

/**
 * `beforeWrite` is awaited with the ids of the existing records the chunk is about to write, once it
 * has read all it decides by, before it writes records or cross-references (run-pipeline.ts: a chunk
 * written beside the previous one checks there that they write no record in common). It may throw.
 */
export async function reconcileChunk(tx: TenantTx, target: ChunkTarget, rows: readonly PreparedRow[], beforeWrite?: (recordIds: ReadonlySet<string>) => Promise<void>): Promise<ChunkOutcome> {
  const { tenantId, runId, spec, entity, records, context } = target;
  const counts: Partial<IngestCounts> = {};
  const add = (key: keyof IngestCounts, by = 1) => void (counts[key] = (counts[key] ?? 0) + by);
  const rejects: RejectRow[] = [];

  // A source key twice in the file: the first row counts, later ones are duplicates.
  const first = new Map<string, PreparedRow>();
  const duplicate = (row: PreparedRow) => {
    add('duplicates');
    rejects.push({ rowNumber: row.rowNumber, line: row.line, seq: 0, sourceKey: row.sourceKey, field: '$key', value: row.sourceKey, code: 'ingest.duplicate_key', reason: 'An earlier row of this file has the same source key; this row was not loaded.', sourceRow: null });
  };
  for (const row of rows) if (first.has(row.sourceKey)) duplicate(row); else first.set(row.sourceKey, row);
  // A key an earlier chunk of the run took is a duplicate too: its cross-reference entry was written by
  // the run, or (a row that wrote none: unchanged, rejected, skipped, queued) the run claimed it. Only
  // those rows claim their key (a first load writes no run keys); the others look theirs up.
  const xref = await xrefByKeys(tx, tenantId, spec.system, entity.name, [...first.keys()]);
  // The same content as last time is unchanged without reading its record: re-running a file changes
  // nothing, not even a record someone deleted since (a changed row for it creates it again).
  const sameAsLast = (row: PreparedRow, entry: XrefEntry | undefined) => entry !== undefined && entry.contentHash === row.hash && entry.deletedInSource === row.deleted;
  const writtenByRun = new Set([...first.keys()].filter((key) => xref.get(key)?.lastRunId === runId));
  const unchanged: PreparedRow[] = [];
  const toWrite = new Set<string>();
  for (const row of first.values()) {
    if (writtenByRun.has(row.sourceKey)) continue;
    if (sameAsLast(row, xref.get(row.sourceKey))) unchanged.push(row);
    else toWrite.add(row.sourceKey);
  }
  const claimed = await claimRunKeys(tx, tenantId, runId, unchanged.map((row) => ({ key: row.sourceKey, row: row.rowNumber })));
  for (const key of await claimedRunKeys(tx, tenantId, runId, [...toWrite])) claimed.add(key);
  const live = [...first.values()].filter((row) => {
    if (!writtenByRun.has(row.sourceKey) && !claimed.has(row.sourceKey)) return true;
    duplicate(row);
    return false;
  });

  const known = live.filter((row) => xref.has(row.sourceKey) && !sameAsLast(row, xref.get(row.sourceKey)));
  const current = new Map((await records.findBy(context, entity, 'id', known.map((row) => xref.get(row.sourceKey)!.recordId), tx)).map((record) => [record.id, record]));

  const writes: Write[] = [];
  const xrefUpdates: XrefEntry[] = [];
  const cases: CaseRow[] = [];
  const fresh: PreparedRow[] = [];
  for (const row of live) {
    const entry = xref.get(row.sourceKey);
    if (sameAsLast(row, entry)) {
      add('unchanged');
      continue;
    }
    const record = entry && current.get(entry.recordId);
    if (!entry || !record) {
      if (row.deleted) add('skipped');
      else fresh.push(row);
      continue;
    }
    if (row.deleted) {
      const input = deactivation(spec);
      if (input) writes.push({ kind: 'update', row, id: record.id, input, operation: 'deactivate' });
      xrefUpdates.push({ ...entry, contentHash: row.hash, deletedInSource: true });
      if (!input) add('unchanged');
      continue;
    }
    const { set, conflicts } = ownedChanges(target, row.record, record, entry.sourceValues);
    for (const field of conflicts) cases.push({ id: newId(), kind: 'conflict', recordId: record.id, sourceKey: row.sourceKey, field, sourceValue: row.record[field], localValue: record[field] });
    add('conflicts', conflicts.length);
    if (Object.keys(set).length > 0) writes.push({ kind: 'update', row, id: record.id, input: set, operation: 'update' });
    else add('unchanged');
    xrefUpdates.push({ ...entry, contentHash: row.hash, sourceValues: sourceValuesOf(target, row.record), deletedInSource: false });
  }

  // New source keys: an existing record with an equal unique or exact key is the same one (linked);
  // within the chunk the first row with a key creates the record and later ones link to it.
  const matches = await matchExisting(target, tx, fresh);
  const createdByKey = new Map<string, string>();
  for (const row of fresh) {
    const keys = matchKeysOf(target.matchFields, row.record);
    const existing = keys.map((key) => matches.get(key) ?? createdByKey.get(key)).find((id) => id !== undefined);
    if (existing) {
      const input = Object.fromEntries(Object.entries(row.record).filter(([field]) => target.sourceOwned.has(field)));
      writes.push({ kind: 'update', row, id: existing, input, operation: 'link' });
      xrefUpdates.push({ sourceKey: row.sourceKey, recordId: existing, contentHash: row.hash, sourceValues: sourceValuesOf(target, row.record), deletedInSource: false });
      continue;
    }
    const id = newId();
    for (const key of keys) createdByKey.set(key, id);
    writes.push({ kind: 'create', row, id, input: { ...row.record, id }, operation: 'create' });
    xrefUpdates.push({ sourceKey: row.sourceKey, recordId: id, contentHash: row.hash, sourceValues: sourceValuesOf(target, row.record), deletedInSource: false });
  }
  // Fuzzy duplicates (match/): creates that look like a record or an earlier row link to it or wait
  // for review; every link writes per the spec's survivorship rules and can be reversed.
  const matching = await matchChunk(tx, target, writes, xrefUpdates);
  add('queued', matching.queued);
  await beforeWrite?.(new Set(writes.flatMap((write) => (write.kind === 'update' ? [write.id] : []))));

  const failed = await writeAll(tx, target, writes, (failedRows) => upsertXref(tx, tenantId, spec.system, entity.name, runId, xrefUpdates.filter((entry) => !failedRows.has(entry.sourceKey))));
  const written = writes.filter((write) => !failed.has(write.row.sourceKey));
  for (const write of writes) {
    const problem = failed.get(write.row.sourceKey);
    if (problem) rejects.push({ rowNumber: write.row.rowNumber, line: write.row.line, seq: 0, sourceKey: write.row.sourceKey, field: problem.field, value: null, code: problem.code, reason: problem.reason, sourceRow: null });
  }
  for (const write of written) add(write.operation === 'create' ? 'created' : write.operation === 'link' ? 'merged' : write.operation === 'deactivate' ? 'deactivated' : 'updated');
  const xrefWritten = xrefUpdates.filter((entry) => !failed.has(entry.sourceKey));
  // Rows to write that wrote no entry (skipped, queued for review) claim their key; failed ones are rejects, which the pipeline claims.
  const marked = new Set(xrefWritten.map((entry) => entry.sourceKey));
  await claimRunKeys(tx, tenantId, runId, live.flatMap((row) => (toWrite.has(row.sourceKey) && !marked.has(row.sourceKey) && !failed.has(row.sourceKey) ? [{ key: row.sourceKey, row: row.rowNumber }] : [])));
  await insertCases(tx, tenantId, runId, entity.name, cases);
  await matching.finish(new Set(failed.keys()));
  return { counts, rejects };
}

/** What a deletion flag (or a record missing from a full load) writes; null: leave the record. */
export function deactivation(spec: MappingSpec): Record<string, unknown> | null {
  const policy = spec.missing ?? { action: 'deactivate' };
  if (policy.action !== 'deactivate') return null;
  return { [policy.field ?? 'active']: policy.value ?? false };
}

function sourceValuesOf(target: ChunkTarget, record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([field]) => target.sourceOwned.has(field)));
}

/**
 * The source-owned fields to write: those the source changed, unless a user changed the record's
 * value since the last load (it differs from what the source last set): then a conflict when the
 * source changed it too, else the local value stays.
 */
function ownedChanges(target: ChunkTarget, incoming: Record<string, unknown>, record: Record<string, unknown>, lastSource: Record<string, unknown>) {
  const set: Record<string, unknown> = {};
  const conflicts: string[] = [];
  for (const [field, value] of Object.entries(incoming)) {
    if (!target.sourceOwned.has(field) || isDeepStrictEqual(value ?? null, record[field] ?? null)) continue;
    const editedLocally = Object.hasOwn(lastSource, field) && !isDeepStrictEqual(record[field] ?? null, lastSource[field] ?? null);
    if (!editedLocally) set[field] = value;
    else if (!isDeepStrictEqual(value ?? null, lastSource[field] ?? null)) conflicts.push(field);
  }
  return { set, conflicts };
}

/** A match field's value as a key: `field NUL json(value)`. */
const matchKeyOf = (field: string, value: unknown) => `${field}\u0000${JSON.stringify(value)}`;

/** The record's match keys: one per match field it has a value of. */
export function matchKeysOf(fields: readonly string[], record: Readonly<Record<string, unknown>>): string[] {
  return fields.flatMap((field) => (record[field] === null || record[field] === undefined ? [] : [matchKeyOf(field, record[field])]));
}

/** Existing records by match key (`matchKeyOf`), one query per match field. */
async function matchExisting(target: ChunkTarget, tx: TenantTx, rows: readonly PreparedRow[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const field of target.matchFields) {
    const values = [...new Set(rows.flatMap((row) => (row.record[field] === null || row.record[field] === undefined ? [] : [row.record[field]])))];
    if (values.length === 0) continue;
    for (const record of await target.records.findBy(target.context, target.entity, field, values, tx)) found.set(matchKeyOf(field, record[field]), record.id);
  }
  return found;
}

interface WriteProblem {
  field: string | null;
  code: string;
  reason: string;
}

/**
 * Set-based writes, with what goes with them (`alongside`, the cross-reference entries of the rows
 * that did not fail); on a refused batch, each write again in its own savepoint. Failed rows by
 * source key.
 */
async function writeAll(tx: TenantTx, target: ChunkTarget, writes: readonly Write[], alongside: (failed: ReadonlyMap<string, WriteProblem>) => Promise<void>): Promise<Map<string, WriteProblem>> {
  const failed = new Map<string, WriteProblem>();
  if (writes.length === 0) {
    await alongside(failed);
    return failed;
  }
  const { records, context, entity } = target;
  const creates = writes.filter((write) => write.kind === 'create');
  const updates = writes.filter((write) => write.kind === 'update');
  const detailsOf = (write: Write) => lineage(target.runId, target.spec.system, write.row.sourceKey, write.row.rowNumber, write.operation);
  const update = (write: Write) => ({ id: write.id, input: write.input, details: detailsOf(write) });
  // A record two rows of the chunk write (two source keys linked to it) takes both, in file order.
  const writeBatch = async () => {
    if (creates.length > 0) await records.createMany(context, entity, creates.map((write) => write.input), tx, creates.map(detailsOf));
    if (updates.length > 0) await records.updateMany(context, entity, updates.map(update), tx);
  };
  // `alongside` goes out first and PostgreSQL runs it while Node builds the writes' statements (the
  // transaction's connection runs them in order); a refused write rolls both back.
  const batch = async () => {
    const [beside, wrote] = await Promise.allSettled([alongside(failed), writeBatch()]);
    for (const outcome of [wrote, beside]) if (outcome.status === 'rejected') throw outcome.reason;
  };
  if ((await inSavepoint(tx, batch)) === undefined) return failed;
  for (const write of writes) {
    const error = await inSavepoint(tx, () => (write.kind === 'create' ? records.createMany(context, entity, [write.input], tx, [detailsOf(write)]) : records.updateMany(context, entity, [update(write)], tx)));
    if (error) failed.set(write.row.sourceKey, problemOf(error));
  }
  await alongside(failed);
  return failed;
}

/** Runs work in a savepoint: rolled back and returned when it throws a domain error; other errors propagate. */
async function inSavepoint(tx: TenantTx, work: () => Promise<unknown>): Promise<AppError | undefined> {
  await sql`savepoint ingest_write`.execute(tx);
  try {
    await work();
    await sql`release savepoint ingest_write`.execute(tx);
    return undefined;
  } catch (error) {
    await sql`rollback to savepoint ingest_write`.execute(tx);
    if (error instanceof AppError) return error;
    throw error;
  }
}

function problemOf(error: AppError): WriteProblem {
  const first = error.errors?.[0];
  const field = first?.pointer ? first.pointer.slice(1).replaceAll('/', '.') : null;
  return { field, code: error.code, reason: first ? `${error.message} (${first.pointer ?? ''} ${first.detail})` : error.message };
}
