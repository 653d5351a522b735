/**
 * One run through the pipeline: stream the file, map, normalize and validate each row (in memory,
 * one chunk at a time), reconcile and write each chunk in one tenant transaction together with its
 * rejects and the run's checkpoint, so a crash loses nothing and repeats nothing: a resumed run
 * skips the rows at or below the checkpoint. A full load then deactivates what the file left out.
 * Rows whose source is what their cross-reference entry was prepared from are not prepared again
 * (unchanged-source.ts): when the source has entries, a chunk's keys are looked up before its rows
 * are prepared.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { lockChainAfter } from '../audit/index.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import type { CustomField, EntityDef } from '../model/index.ts';
import type { RecordService } from '../records/index.ts';
import { AppError, newId } from '../shared/index.ts';
import type { IngestCounts, IngestRun, MappingSpec, RunProgress, SourceRow, SourceRowProblem } from './ingest.contract.ts';
import { claimRunKeys, emptyCounts, hasXrefEntries, insertRejects, missingFromRun, upsertXref, updateRun, xrefHeadsByKeys, type RejectRow } from './ingest.repository.ts';
import { lineage } from './lineage.ts';
import { matchProfileOf, sourceOwnedOf } from './match/index.ts';
import { statisticsKeeper } from './planner-statistics.ts';
import { createRowPreparer, cut, sourceRowOf } from './prepare-row.ts';
import { deactivatedSourceValues, deactivation, matchKeysOf, reconcileChunk, StalePreparation, type ChunkTarget, type PreparedRow } from './reconcile-chunk.ts';
import { resolveReferences, type ReferenceTarget } from './resolve-references.ts';
import { readSource } from './sources/index.ts';


export interface PipelineDeps {
  readonly db: Kysely<any>;
  readonly records: RecordService;
  /** Rows per chunk (one transaction and checkpoint each). */
  readonly chunkSize: number;
  /** Source bytes after which a chunk is cut whatever its rows: memory stays bounded for wide rows too. */
  readonly chunkBytes: number;
  /** 2: a chunk may be written beside the previous one (`beside`); 1: one at a time. */
  readonly chunksInFlight: 1 | 2;
  /** False: every row is prepared, even one whose source is unchanged (unchanged-source.ts); for tests comparing both. */
  readonly skipUnchanged?: boolean;
}

export interface PipelineInput {
  readonly context: TenantContext;
  readonly run: IngestRun;
  readonly spec: MappingSpec;
  readonly entity: EntityDef;
  readonly customFields: readonly CustomField[];
  readonly onProgress?: (progress: RunProgress) => void;
  /** This execution's claim on the run (updateRun's `heldBy`): its writes commit only while it holds. */
  readonly attempt: string;
  /** The model's entities by name, for references to other entities (`reference` op). */
  readonly entityOf?: (name: string) => EntityDef | undefined;
}

/** Rows parsed or prepared in one go yield to I/O this often, so the chunk being written gets its replies. */
const yieldEvery = 50;
const yieldToIo = () => new Promise(setImmediate);
/** Rejects found after preparing (duplicates, references, refused writes) get their row's source values too: re-submission needs them. */
const withSourceRows = (rejects: readonly RejectRow[], rows: readonly PreparedRow[]): RejectRow[] => {
  if (rejects.length === 0) return [];
  const byNumber = new Map(rows.map((row) => [row.rowNumber, row]));
  return rejects.map((reject) => {
    const row = reject.sourceRow === null && reject.seq === 0 ? byNumber.get(reject.rowNumber) : undefined;
    return row ? { ...reject, sourceRow: sourceRowOf(row.source) } : reject;
  });
};

interface Chunk {
  readonly rows: PreparedRow[];
  readonly rowRejects: RejectRow[];
  /** The last row number it holds: the checkpoint its commit writes. */
  readonly upTo: number;
  readonly read: number;
  /** The keys (`keysOf`) of rows it prepared after it was cut (`preparedWhole`): not among those the chunk beside it compared. */
  readonly lateKeys: ReadonlySet<string>;
}

/** A chunk being written, as the chunk written beside it sees it. */
interface InFlight {
  /** Settles when its transaction has committed (or failed). */
  readonly done: Promise<void>;
  /** What it writes, once it has decided (nothing when it failed first). */
  readonly writes: Promise<Decided>;
  /** Set when it was decided again after it told `writes`: the chunk beside it starts again after its commit. */
  readonly redone: { value: boolean };
  /** Its source keys and match-field values (`keysOf`). */
  readonly keys: ReadonlySet<string>;
}

/** What a chunk writes, as the chunk beside it checks its own decisions against. */
interface Decided {
  /** The existing records it writes. */
  readonly records: ReadonlySet<string>;
  /** Keys of rows it prepared after it was cut (`Chunk.lateKeys`). */
  readonly keys: ReadonlySet<string>;
}
const nothing: Decided = { records: new Set(), keys: new Set() };

/** The next chunk decided by a record the previous one writes: it starts again after the previous commit. */
class StaleRead extends Error {}

/** Another execution of the run claimed it (a retried job, a resume): this one's writes rolled back, and it stops. */
export class RunSuperseded extends Error {
  constructor() {
    super('Another execution of the run took it over.');
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  /** Only the first value counts. */
  resolve(value: T): void;
  readonly settled: boolean;
}
const deferred = <T>(): Deferred<T> => {
  let resolve!: (value: T) => void;
  let settled = false;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return {
    promise,
    resolve: (value) => {
      settled = true;
      resolve(value);
    },
    get settled() {
      return settled;
    },
  };
};

/** Runs (or resumes) the pipeline; throws a domain error that fails the run, with the checkpoint kept. */
export async function runPipeline(deps: PipelineDeps, input: PipelineInput): Promise<IngestCounts> {
  const { db, records } = deps;
  const { context, run, spec, entity, customFields } = input;
  const tenantId = context.tenantId;
  const preparer = createRowPreparer(spec, entity, customFields);
  const { referencing } = preparer;
  const mapped = Object.keys(spec.fields);
  const sourceOwned = sourceOwnedOf(spec);
  const unique = Object.entries(entity.fields).filter(([field, def]) => def.unique && mapped.includes(field)).map(([field]) => field);
  const references: ReferenceTarget = { tenantId, system: spec.system, context, records, entityOf: input.entityOf ?? (() => undefined) };
  const target: ChunkTarget = { tenantId, runId: run.id, context, entity, spec, records, sourceOwned, matchFields: [...new Set([...unique, ...(spec.matching?.exact ?? [])])] };

  const counts: IngestCounts = { ...emptyCounts(), ...run.counts };
  // The lookups of a large first load stay on their indexes (planner-statistics.ts).
  const keepStatistics = statisticsKeeper([
    { table: entity.table, where: { tenant_id: tenantId } },
    { table: 'ingest_xref', where: { tenant_id: tenantId, system: spec.system, entity: entity.name } },
  ]);
  const started = Date.now();
  let bytesRead = 0;
  // Written with the first chunk's commit (the reader decides it before the first row).
  let encoding: string | undefined;
  let firstRow = true;
  let lastRow = run.checkpointRow;
  let prepared: PreparedRow[] = [];
  let rejects: RejectRow[] = [];
  /** Rows read and not yet prepared, when the run looks its keys up first (`skipUnchanged`). */
  let pending: { row: SourceRow; id: string; rawHash: string }[] = [];

  const rejectProblem = (problem: SourceRowProblem) =>
    rejects.push({ rowNumber: problem.rowNumber, line: problem.line, seq: 0, sourceKey: null, field: null, value: cut(problem.excerpt, 200), code: problem.code, reason: problem.reason, sourceRow: problem.excerpt === undefined ? null : { _raw: problem.excerpt } });

  const prepare = (row: SourceRow, id = newId(), rawHash = preparer.rawHashOf(row)) => {
    const result = preparer.prepare(row, id, rawHash, firstRow);
    firstRow = false;
    if (Array.isArray(result)) rejects.push(...result);
    else prepared.push(result);
  };

  // A run whose source has entries reads a chunk's rows, looks their keys up, and prepares only those
  // whose raw hash is not their entry's (unchanged-source.ts). A spec with `reference` transforms
  // prepares every row: its references are resolved (and may be refused) on every run. The first row
  // is always prepared: it tells a file that does not fit the mapping.
  const skipUnchanged = deps.skipUnchanged !== false && !referencing && (await withTenant(db, context, (tx) => hasXrefEntries(tx, tenantId, spec.system, entity.name)));
  const hold = (row: SourceRow) => pending.push({ row, id: newId(), rawHash: preparer.rawHashOf(row) });
  /** The held rows, in file order: those whose entry has their raw hash as unprepared rows, the others prepared. */
  const preparePending = async () => {
    if (pending.length === 0) return;
    const held = pending;
    pending = [];
    const keys = held.map(({ row }) => preparer.keyOf(row));
    const heads = await withTenant(db, context, (tx) => xrefHeadsByKeys(tx, tenantId, spec.system, entity.name, keys.filter((key) => key !== null)));
    for (let index = 0; index < held.length; index++) {
      const { row, id, rawHash } = held[index]!;
      const key = keys[index]!;
      const head = key === null ? undefined : heads.get(key);
      if (head?.rawHash === rawHash) prepared.push({ rowNumber: row.rowNumber, line: row.line, sourceKey: key!, id, record: {}, deleted: head.deletedInSource, hash: head.contentHash, rawHash, source: row, unprepared: true });
      else prepare(row, id, rawHash);
      if (index % yieldEvery === yieldEvery - 1 && inFlight.length > 0) await yieldToIo();
    }
  };
  /** The chunk with its unprepared rows prepared (their entries changed since it was cut: `StalePreparation`). */
  const preparedWhole = (chunk: Chunk): Chunk => {
    const rows: PreparedRow[] = [];
    const late: PreparedRow[] = [];
    const lateRejects: RejectRow[] = [];
    for (const row of chunk.rows) {
      if (!row.unprepared) {
        rows.push(row);
        continue;
      }
      const result = preparer.prepare(row.source, row.id, row.rawHash);
      if (Array.isArray(result)) lateRejects.push(...result);
      else {
        rows.push(result);
        late.push(result);
      }
    }
    return { ...chunk, rows, rowRejects: [...chunk.rowRejects, ...lateRejects], lateKeys: new Set([...chunk.lateKeys, ...keysOf(late, lateRejects)]) };
  };

  // A chunk is cut from what was read; its transaction runs while the next chunk is read and prepared
  // (PostgreSQL works while Node maps). Two chunks may be written at once, one's statements while
  // Node builds the other's (`beside`, `keysOf`); they still commit one after another, in file order.
  let chunkRead = 0;
  let chunkStartBytes = 0;
  const inFlight: InFlight[] = [];
  const cutChunk = (): Chunk => {
    const chunk = { rows: prepared, rowRejects: rejects, upTo: lastRow, read: chunkRead, lateKeys: new Set<string>() };
    prepared = [];
    rejects = [];
    chunkRead = 0;
    chunkStartBytes = bytesRead;
    return chunk;
  };
  // Chunks are written beside each other unless a chunk reads what the previous one writes in ways the
  // keys do not show: fuzzy candidates (any record may be one) and references to other rows.
  const beside = deps.chunksInFlight === 2 && !referencing && matchProfileOf(spec) === null;
  /**
   * What two chunks written at once must not share: source keys, and the values of the match fields
   * (unique or exact keys). An unprepared row has none: unchanged, it looks no record up by them.
   */
  const keysOf = (rows: readonly PreparedRow[], rowRejects: readonly RejectRow[]): Set<string> => {
    const keys = new Set<string>();
    if (!beside) return keys;
    for (const reject of rowRejects) if (reject.sourceKey !== null) keys.add(`key\u0000${reject.sourceKey}`);
    for (const row of rows) {
      keys.add(`key\u0000${row.sourceKey}`);
      for (const key of matchKeysOf(target.matchFields, row.record)) keys.add(key);
    }
    return keys;
  };

  /** Writes the chunk in one transaction; beside `previous` (still being written), committed after it. */
  const attempt = async (chunk: Chunk, writes: Deferred<Decided>, previous: InFlight | undefined, keys: ReadonlySet<string>) => {
    const { rows, rowRejects, upTo, read } = chunk;
    const next = await withTenant(db, context, async (tx) => {
      if (previous) lockChainAfter(tx, previous.done);
      await keepStatistics(tx, counts.created);
      const referenced = await resolveReferences(tx, references, rows);
      const result = await reconcileChunk(tx, target, referenced.rows, async ({ read, written }) => {
        // This chunk read without seeing what the previous one writes: right only when it decided by
        // none of the records the previous one writes (and by no key it writes: `keysOf`, compared at
        // hand-over, and those of rows it prepared since), else it starts again once the previous has committed.
        if (previous) {
          const before = await previous.writes;
          if ([...before.records].some((id) => read.has(id)) || [...before.keys].some((key) => keys.has(key) || chunk.lateKeys.has(key))) throw new StaleRead();
        }
        writes.resolve({ records: written, keys: chunk.lateKeys });
      });
      const allRejects = [...rowRejects, ...withSourceRows([...referenced.rejects, ...result.rejects], rows)];
      await insertRejects(tx, tenantId, run.id, allRejects);
      // A rejected row is still in the file: a full load must not take its record for missing.
      await claimRunKeys(tx, tenantId, run.id, allRejects.flatMap((reject) => (reject.seq === 0 && reject.sourceKey !== null ? [{ key: reject.sourceKey, row: reject.rowNumber }] : [])));
      // Committed after the previous chunk, never instead of it: its failure rolls this one back.
      await previous?.done;
      // It was decided again after this one compared itself with it (`redone`): start again after it.
      if (previous?.redone.value) throw new StaleRead();
      // The stored counts are those of the rows up to the checkpoint, never of rows read ahead.
      const next: IngestCounts = { ...counts, read: counts.read + read };
      for (const [key, value] of Object.entries(result.counts)) next[key as keyof IngestCounts] += value;
      // A rejected row counts once, whatever stage refused it and however many problems it has.
      next.rejected += allRejects.filter((reject) => reject.seq === 0).length;
      next.durationMs = run.counts.durationMs + (Date.now() - started);
      if (!(await updateRun(tx, tenantId, run.id, { checkpointRow: upTo, counts: next, ...(encoding ? { encoding } : {}) }, input.attempt))) throw new RunSuperseded();
      return next;
    });
    Object.assign(counts, next);
    input.onProgress?.({ run, counts: { ...counts }, bytesRead });
  };
  const commit = async (cut: Chunk, keys: ReadonlySet<string>, writes: Deferred<Decided>, before: InFlight | undefined, redone: { value: boolean }) => {
    let chunk = cut;
    let previous = before;
    try {
      if (chunk.rows.length === 0 && chunk.rowRejects.length === 0 && chunk.upTo === run.checkpointRow) return await previous?.done;
      // Written again after the previous chunk's commit when it read what that one writes, and with
      // every row prepared when one it took for unchanged was not; when it had told the chunk beside
      // it what it writes (`writes`), that one starts again too. Each happens once at most: a chunk
      // written again has no chunk beside it, and one prepared whole no unprepared row.
      for (;;) {
        try {
          return await attempt(chunk, writes, previous, keys);
        } catch (error) {
          if (!(error instanceof StaleRead || error instanceof StalePreparation)) throw error;
          if (writes.settled) redone.value = true;
          await previous?.done;
          previous = undefined;
          if (error instanceof StalePreparation) chunk = preparedWhole(chunk);
        }
      }
    } finally {
      writes.resolve(nothing);
    }
  };
  /** Starts writing the chunk cut from what was read: beside the one being written when they share nothing, else after it. */
  const handOver = async () => {
    await preparePending();
    const chunk = cutChunk();
    // Two chunks at most: the one before the previous has committed (its failure ends the run here).
    if (inFlight.length === 2) await inFlight.shift()!.done;
    let previous = inFlight.at(-1);
    const keys = keysOf(chunk.rows, chunk.rowRejects);
    if (previous && (!beside || [...keys].some((key) => previous!.keys.has(key)))) {
      await inFlight.shift()!.done;
      previous = undefined;
    }
    const writes = deferred<Decided>();
    const redone = { value: false };
    const done = commit(chunk, keys, writes, previous, redone);
    // Awaited at a later hand-over or at the end; a failure is kept until then, not reported as unhandled.
    done.catch(() => {});
    inFlight.push({ done, writes: writes.promise, keys, redone });
  };
  async function* counted(path: string): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(path, { highWaterMark: Math.min(256 * 1024, deps.chunkBytes) })) {
      bytesRead += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }

  const gone = () => new AppError('unprocessable', 'ingest.no_file', 'The run has no file', { detail: `The file${run.file.name ? ` ${run.file.name}` : ''} of this run is no longer kept (files are removed INGEST_FILE_RETENTION_DAYS after their run ended): start a new run with it.` });
  if (!run.file.path) throw gone();
  await access(run.file.path).catch((error: NodeJS.ErrnoException) => Promise.reject(error.code === 'ENOENT' ? gone() : error));
  const items = readSource(counted(run.file.path), spec.source, { onEncoding: (detected) => void (encoding = detected) });
  try {
    for await (const item of items) {
      const rowNumber = item.kind === 'row' ? item.row.rowNumber : item.problem.rowNumber;
      if (rowNumber <= run.checkpointRow) {
        if (item.kind === 'row') firstRow = false;
        chunkStartBytes = bytesRead;
        continue;
      }
      chunkRead += 1;
      // Rows parsed from a buffered block come as microtasks, which starve I/O: let the writing chunk's replies in.
      if (inFlight.length > 0 && chunkRead % yieldEvery === 0) await yieldToIo();
      if (item.kind === 'problem') rejectProblem(item.problem);
      else if (skipUnchanged && !firstRow) hold(item.row);
      else prepare(item.row);
      lastRow = rowNumber;
      if (prepared.length + pending.length + rejects.length >= deps.chunkSize || bytesRead - chunkStartBytes >= deps.chunkBytes) await handOver();
    }
    await handOver();
  } catch (error) {
    // Chunks in flight finish (or fail) before the run reports the error: their commit is the checkpoint.
    await Promise.allSettled(inFlight.map((chunk) => chunk.done));
    throw error;
  }
  while (inFlight.length > 0) await inFlight.shift()!.done;
  if (run.mode === 'full') await deactivateMissing(deps, input, counts);
  counts.durationMs = run.counts.durationMs + (Date.now() - started);
  return counts;
}

/** A full load: records of this source the file no longer has are deactivated (or left, per the spec). */
async function deactivateMissing(deps: PipelineDeps, input: PipelineInput, counts: IngestCounts): Promise<void> {
  const { context, run, spec, entity } = input;
  const set = deactivation(spec);
  const sourceOwned = sourceOwnedOf(spec);
  let after: string | null = null;
  for (;;) {
    const done = await withTenant(deps.db, context, async (tx) => {
      const missing = await missingFromRun(tx, context.tenantId, spec.system, entity.name, run.id, after, 1000);
      if (missing.length === 0) return true;
      after = missing[missing.length - 1]!.sourceKey;
      const gone = new Set<string>();
      if (set) {
        const updates = missing.map((entry) => ({ id: entry.recordId, input: set, details: lineage(run.id, spec.system, entry.sourceKey, null, 'deactivate') }));
        for (const id of (await deps.records.updateMany(context, entity, updates, tx)).missing) gone.add(id);
      } else if (spec.missing?.action === 'softDelete') {
        // Row by row: soft deletes of a source's vanished records are few, and each is audited as a delete.
        for (const entry of missing) {
          await deps.records
            .remove(context, entity, entry.recordId, undefined, tx, lineage(run.id, spec.system, entry.sourceKey, null, 'delete'))
            .catch((error: unknown) => (error instanceof AppError && error.kind === 'not_found' ? gone.add(entry.recordId) : Promise.reject(error)));
        }
      }
      if (set || spec.missing?.action === 'softDelete') counts.deactivated += missing.filter((entry) => !gone.has(entry.recordId)).length;
      await upsertXref(tx, context.tenantId, spec.system, entity.name, run.id, missing.map((entry) => ({ ...entry, sourceValues: deactivatedSourceValues(sourceOwned, spec, entry.sourceValues), deletedInSource: true })));
      if (!(await updateRun(tx, context.tenantId, run.id, { counts }, input.attempt))) throw new RunSuperseded();
      return missing.length < 1000;
    });
    if (done) return;
  }
}
