/**
 * Reconciliation of one chunk of prepared rows (mapped, normalized, valid) in the run's transaction:
 * duplicates within the file (run keys), the cross-reference, unchanged rows by content hash, exact
 * matching of new rows on the entity's unique fields and the spec's exact keys, fuzzy matching of the
 * rows left to create (match/: link, or a review case), field ownership
 * (source-owned fields follow the source unless a user edited them since the last load: then a
 * conflict case), deletion flags, then set-based writes through the record service (audit and the
 * sync change log follow from there; each write's audit entry, an item of the chunk's batch, carries its lineage: run, source
 * system, source key, row). When a set-based write fails on one bad row, the chunk is
 * written again row by row under savepoints to find the rows PostgreSQL refuses; those are rejected
 * and the chunk is planned and written again without them (a later row may have been planned
 * against what a refused row would have written: a link to the record it would have created).
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import { AppError, newId } from '../shared/index.ts';
import type { IngestCounts, MappingSpec, SourceRow } from './ingest.contract.ts';
import type { ApiRecord } from '../records/index.ts';
import { lineage } from './lineage.ts';
import { applyInput, matchChunk, planLink, type MatchTarget, type MergePlan } from './match/index.ts';
import type { PendingReference } from './resolve-references.ts';
import { claimRunKeys, claimedRunKeys, insertCases, recordRawHashes, upsertXref, xrefByKeys, xrefHeadsByKeys, type CaseRow, type RejectRow, type XrefEntry, type XrefHead } from './ingest.repository.ts';

/** A row ready to reconcile: mapped, normalized and valid. */
export interface PreparedRow {
  readonly rowNumber: number;
  readonly line: number;
  readonly sourceKey: string;
  /**
   * The id of the record the row creates, if it creates one: made as the file is read, so records
   * created by two chunks written at once have ids in file order, as one chunk at a time gives them.
   */
  readonly id: string;
  /** Empty for an unprepared row. */
  readonly record: Record<string, unknown>;
  readonly deleted: boolean;
  readonly hash: string;
  /** The row's values under the run's preparation (unchanged-source.ts), kept in its cross-reference entry. */
  readonly rawHash: string;
  /**
   * Not prepared: its raw hash was its entry's when the chunk was cut, so its content hash and
   * deletion flag are the entry's. Unchanged, once the chunk's transaction confirms the entry
   * (`StalePreparation` when it does not).
   */
  readonly unprepared?: boolean;
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

/**
 * An unprepared row's entry is no longer what it was when the chunk was cut (another run, a review
 * wrote it since): the chunk is rolled back, to be prepared and written again.
 */
export class StalePreparation extends Error {
  constructor() {
    super('A row was taken for unchanged by an entry written since.');
  }
}

type Write =
  | { kind: 'create'; row: PreparedRow; id: string; input: Record<string, unknown>; operation: 'create' }
  | { kind: 'update'; row: PreparedRow; id: string; input: Record<string, unknown>; operation: 'update' | 'link' | 'deactivate'; plan?: MergePlan };

/**
 * `beforeWrite` is awaited with the ids of the existing records the chunk decided by (`read`: it
 * compared a row with them, found them by a key or writes them) and of those it writes (`written`),
 * once it has read all it decides by, before it writes records or cross-references (run-pipeline.ts:
 * a chunk written beside the previous one checks there that it read none of the records the previous
 * one writes). It may throw.
 */
export async function reconcileChunk(tx: TenantTx, target: ChunkTarget, rows: readonly PreparedRow[], beforeWrite?: (records: { read: ReadonlySet<string>; written: ReadonlySet<string> }) => Promise<void>): Promise<ChunkOutcome> {
  const refused: RejectRow[] = [];
  const refusedKeys = new Set<string>();
  let remaining = rows;
  // Each pass without the rows the previous one found refused: the first refused write of a pass is
  // never one that followed another, so every pass takes at least one row out.
  for (;;) {
    await sql`savepoint ingest_chunk`.execute(tx);
    const outcome = await reconcileRows(tx, target, remaining, refusedKeys, beforeWrite);
    if (!('refused' in outcome)) {
      await sql`release savepoint ingest_chunk`.execute(tx);
      return { counts: outcome.counts, rejects: [...refused, ...outcome.rejects] };
    }
    await sql`rollback to savepoint ingest_chunk`.execute(tx);
    refused.push(...outcome.refused);
    const out = new Set(outcome.refused.map((reject) => reject.rowNumber));
    for (const reject of outcome.refused) refusedKeys.add(reject.sourceKey!);
    remaining = remaining.filter((row) => !out.has(row.rowNumber));
  }
}

/**
 * One pass over the rows: the plan and its writes; `refused` (the pass to be rolled back) when
 * PostgreSQL refused some writes: those not planned on a record an earlier refused write concerned.
 * `refusedKeys`: source keys of rows an earlier pass took out, whose later rows stay duplicates.
 */
async function reconcileRows(
  tx: TenantTx,
  target: ChunkTarget,
  rows: readonly PreparedRow[],
  refusedKeys: ReadonlySet<string>,
  beforeWrite?: (records: { read: ReadonlySet<string>; written: ReadonlySet<string> }) => Promise<void>,
): Promise<ChunkOutcome | { refused: RejectRow[] }> {
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
  for (const row of rows) if (first.has(row.sourceKey) || refusedKeys.has(row.sourceKey)) duplicate(row); else first.set(row.sourceKey, row);
  // A key an earlier chunk of the run took is a duplicate too: its cross-reference entry was written by
  // the run, or (a row that wrote none: unchanged, rejected, skipped, queued) the run claimed it. Only
  // those rows claim their key (a first load writes no run keys); the others look theirs up.
  const heads = await xrefHeadsByKeys(tx, tenantId, spec.system, entity.name, [...first.keys()]);
  // The same content as last time is unchanged without reading its record: re-running a file changes
  // nothing, not even a record someone deleted since (a changed row for it creates it again).
  const sameAsLast = (row: PreparedRow, entry: XrefHead | undefined) => entry !== undefined && entry.contentHash === row.hash && entry.deletedInSource === row.deleted;
  const writtenByRun = new Set([...first.keys()].filter((key) => heads.get(key)?.lastRunId === runId));
  const unchanged: PreparedRow[] = [];
  const toWrite = new Set<string>();
  for (const row of first.values()) {
    if (writtenByRun.has(row.sourceKey)) continue;
    const head = heads.get(row.sourceKey);
    if (row.unprepared && (head?.rawHash !== row.rawHash || !sameAsLast(row, head))) throw new StalePreparation();
    if (sameAsLast(row, head)) unchanged.push(row);
    else toWrite.add(row.sourceKey);
  }
  const claimed = await claimRunKeys(tx, tenantId, runId, unchanged.map((row) => ({ key: row.sourceKey, row: row.rowNumber })));
  // Prepared, unchanged, from a row its entry does not know: the entry learns it, and the next run skips it.
  await recordRawHashes(tx, tenantId, spec.system, entity.name, unchanged.flatMap((row) => (claimed.has(row.sourceKey) || heads.get(row.sourceKey)!.rawHash === row.rawHash ? [] : [{ sourceKey: row.sourceKey, rawHash: row.rawHash }])));
  for (const key of await claimedRunKeys(tx, tenantId, runId, [...toWrite])) claimed.add(key);
  const live = [...first.values()].filter((row) => {
    if (!writtenByRun.has(row.sourceKey) && !claimed.has(row.sourceKey)) return true;
    duplicate(row);
    return false;
  });

  // Rows are reconciled in file order against a view of the records they concern, which each row's
  // write updates: a row sees what earlier rows of its chunk did to a record (a key given or taken
  // away, a field changed), as it would with a chunk boundary between them. Where chunks are cut
  // changes nothing.
  const changed = live.filter((row) => !sameAsLast(row, heads.get(row.sourceKey)));
  // The changed rows' entries whole, source values included, read again: what they are decided by
  // from here on is one read of each entry.
  const xref = await xrefByKeys(tx, tenantId, spec.system, entity.name, changed.flatMap((row) => (heads.has(row.sourceKey) ? [row.sourceKey] : [])));
  const changedKeys = new Set(changed.map((row) => row.sourceKey));
  const view = new RecordView(target.matchFields);
  for (const record of await records.findBy(context, entity, 'id', changed.flatMap((row) => xref.get(row.sourceKey)?.recordId ?? []), tx)) view.add(record);
  // Rows without a record (a new key, or its record deleted since) look records up by their keys.
  const fresh = changed.filter((row) => !row.deleted && !view.has(xref.get(row.sourceKey)?.recordId));
  for (const record of await withKeys(target, tx, fresh)) view.add(record);
  const read = new Set(view.ids());

  const writes: Write[] = [];
  const xrefUpdates: XrefEntry[] = [];
  const cases: CaseRow[] = [];
  const update = (row: PreparedRow, id: string, input: Record<string, unknown>, operation: 'update' | 'deactivate') => {
    writes.push({ kind: 'update', row, id, input, operation });
    view.update(id, input);
  };
  for (const row of live) {
    const entry = xref.get(row.sourceKey);
    if (!changedKeys.has(row.sourceKey) || sameAsLast(row, entry)) {
      add('unchanged');
      continue;
    }
    const record = entry && view.get(entry.recordId);
    if (!entry || !record) {
      if (row.deleted) {
        add('skipped');
        continue;
      }
      // A new source key: an existing record with an equal unique or exact key is the same one
      // (linked, written per the survivorship rules; of several, the lowest id); else the row
      // creates its record.
      const keys = matchKeysOf(target.matchFields, row.record);
      const existing = keys.map((key) => view.lowestWith(key)).find((id) => id !== undefined);
      if (existing) {
        const plan = planLink(target, row.record, view.get(existing)!);
        writes.push({ kind: 'update', row, id: existing, input: plan.input, operation: 'link', plan });
        view.update(existing, plan.input);
      } else {
        const input = { ...row.record, id: row.id };
        writes.push({ kind: 'create', row, id: row.id, input, operation: 'create' });
        view.add(input);
      }
      xrefUpdates.push({ sourceKey: row.sourceKey, recordId: existing ?? row.id, contentHash: row.hash, rawHash: row.rawHash, sourceValues: sourceValuesOf(target, row.record), deletedInSource: false });
      continue;
    }
    if (row.deleted) {
      const input = deactivation(spec);
      if (input) update(row, record.id, input, 'deactivate');
      else add('unchanged');
      xrefUpdates.push({ ...entry, contentHash: row.hash, rawHash: row.rawHash, sourceValues: deactivatedSourceValues(target.sourceOwned, spec, entry.sourceValues), deletedInSource: true });
      continue;
    }
    const { set, conflicts } = ownedChanges(target, row.record, record, entry.sourceValues);
    for (const field of conflicts) cases.push({ id: newId(), kind: 'conflict', recordId: record.id, sourceKey: row.sourceKey, field, sourceValue: row.record[field], localValue: record[field] });
    add('conflicts', conflicts.length);
    if (Object.keys(set).length > 0) update(row, record.id, set, 'update');
    else add('unchanged');
    xrefUpdates.push({ ...entry, contentHash: row.hash, rawHash: row.rawHash, sourceValues: sourceValuesOf(target, row.record), deletedInSource: false });
  }
  // Fuzzy duplicates (match/): creates that look like a record or an earlier row link to it or wait
  // for review; every link writes per the spec's survivorship rules and can be reversed.
  const matching = await matchChunk(tx, target, writes, xrefUpdates);
  add('queued', matching.queued);
  const written = new Set(writes.flatMap((write) => (write.kind === 'update' ? [write.id] : [])));
  await beforeWrite?.({ read: new Set([...read, ...written]), written });

  const failed = await writeAll(tx, target, writes, () => upsertXref(tx, tenantId, spec.system, entity.name, runId, xrefUpdates));
  if (failed.size > 0) {
    // A write on a record an earlier refused write concerned may have failed (or gone through) only
    // because of it: planned again, not refused.
    const refused: RejectRow[] = [];
    const concerned = new Set<string>();
    for (const write of writes) {
      const problem = failed.get(write.row.sourceKey);
      if (!problem) continue;
      if (!concerned.has(write.id)) refused.push({ rowNumber: write.row.rowNumber, line: write.row.line, seq: 0, sourceKey: write.row.sourceKey, field: problem.field, value: null, code: problem.code, reason: problem.reason, sourceRow: null });
      concerned.add(write.id);
    }
    return { refused };
  }
  for (const write of writes) add(write.operation === 'create' ? 'created' : write.operation === 'link' ? 'merged' : write.operation === 'deactivate' ? 'deactivated' : 'updated');
  // Rows to write that wrote no entry (skipped, queued for review) claim their key.
  const marked = new Set(xrefUpdates.map((entry) => entry.sourceKey));
  await claimRunKeys(tx, tenantId, runId, live.flatMap((row) => (toWrite.has(row.sourceKey) && !marked.has(row.sourceKey) ? [{ key: row.sourceKey, row: row.rowNumber }] : [])));
  await insertCases(tx, tenantId, runId, entity.name, cases);
  await matching.finish();
  return { counts, rejects };
}

/** What a deletion flag (or a record missing from a full load) writes; null: leave the record. */
export function deactivation(spec: MappingSpec): Record<string, unknown> | null {
  const policy = spec.missing ?? { action: 'deactivate' };
  if (policy.action !== 'deactivate') return null;
  return { [policy.field ?? 'active']: policy.value ?? false };
}

/**
 * An entry's source values once its record is deactivated for the source (a deletion flag, a full
 * load that left it out): the deactivation as the value the source set, when the field is source-owned.
 * The row coming back then changes it as a source change, not as a user's edit to keep.
 */
export function deactivatedSourceValues(sourceOwned: ReadonlySet<string>, spec: MappingSpec, values: Record<string, unknown>): Record<string, unknown> {
  const input = deactivation(spec);
  if (!input) return values;
  const owned = Object.entries(input).filter(([field]) => sourceOwned.has(field));
  return owned.length === 0 ? values : { ...values, ...Object.fromEntries(owned) };
}

function sourceValuesOf(target: ChunkTarget, record: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field in record) if (target.sourceOwned.has(field)) values[field] = record[field];
  return values;
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
  // A loop, not flatMap: it runs for every row and every write of a load.
  const keys: string[] = [];
  for (const field of fields) {
    const value = record[field];
    if (value !== null && value !== undefined) keys.push(matchKeyOf(field, value));
  }
  return keys;
}

/** The existing records that have a match-field value of one of the rows, one query per match field. */
async function withKeys(target: ChunkTarget, tx: TenantTx, rows: readonly PreparedRow[]): Promise<ApiRecord[]> {
  const found: ApiRecord[] = [];
  for (const field of target.matchFields) {
    const values = [...new Set(rows.flatMap((row) => (row.record[field] === null || row.record[field] === undefined ? [] : [row.record[field]])))];
    if (values.length > 0) found.push(...(await target.records.findBy(target.context, target.entity, field, values, tx)));
  }
  return found;
}

/**
 * The records a chunk concerns, as its rows' writes leave them, indexed by match key. Of several
 * records with a key (e.g. a load gave a record a tax id another one has), `lowestWith` names the
 * lowest id, whatever order PostgreSQL returned them in, so a load decides the same each time (ids
 * the platform makes are UUIDv7: the first created; a chunk's new records have theirs in file order).
 */
class RecordView {
  readonly #records = new Map<string, ApiRecord>();
  readonly #byKey = new Map<string, string[]>();
  constructor(readonly fields: readonly string[]) {}

  has(id: string | undefined): boolean {
    return id !== undefined && this.#records.has(id);
  }
  get(id: string): ApiRecord | undefined {
    return this.#records.get(id);
  }
  ids(): IterableIterator<string> {
    return this.#records.keys();
  }
  add(record: ApiRecord): void {
    const { id } = record;
    if (this.#records.has(id)) return;
    this.#records.set(id, record);
    this.#index(id, record, 'add');
  }
  /** A write to the record: its values change, and with them the keys it is found by. */
  update(id: string, input: Record<string, unknown>): void {
    const record = this.#records.get(id);
    if (!record) return;
    this.#index(id, record, 'delete');
    const next = applyInput(record, input);
    this.#records.set(id, next);
    this.#index(id, next, 'add');
  }
  lowestWith(key: string): string | undefined {
    let lowest: string | undefined;
    for (const id of this.#byKey.get(key) ?? []) if (lowest === undefined || id < lowest) lowest = id;
    return lowest;
  }
  #index(id: string, record: Record<string, unknown>, how: 'add' | 'delete'): void {
    for (const key of matchKeysOf(this.fields, record)) {
      const ids = this.#byKey.get(key);
      if (how === 'add') {
        if (ids) ids.push(id);
        else this.#byKey.set(key, [id]);
      } else if (ids) {
        const at = ids.indexOf(id);
        if (at >= 0) ids.splice(at, 1);
      }
    }
  }
}

interface WriteProblem {
  field: string | null;
  code: string;
  reason: string;
}

/**
 * Set-based writes, with what goes with them (`alongside`: the cross-reference entries); on a refused
 * batch, each write again in its own savepoint, to find the refused ones: by source key. `alongside`
 * is written when none is refused (else the caller rolls the pass back).
 */
async function writeAll(tx: TenantTx, target: ChunkTarget, writes: readonly Write[], alongside: () => Promise<void>): Promise<Map<string, WriteProblem>> {
  const failed = new Map<string, WriteProblem>();
  if (writes.length === 0) {
    await alongside();
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
    const [beside, wrote] = await Promise.allSettled([alongside(), writeBatch()]);
    for (const outcome of [wrote, beside]) if (outcome.status === 'rejected') throw outcome.reason;
  };
  if ((await inSavepoint(tx, batch)) === undefined) return failed;
  for (const write of writes) {
    const error = await inSavepoint(tx, () => (write.kind === 'create' ? records.createMany(context, entity, [write.input], tx, [detailsOf(write)]) : records.updateMany(context, entity, [update(write)], tx)));
    if (error) failed.set(write.row.sourceKey, problemOf(error));
  }
  if (failed.size === 0) await alongside();
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
