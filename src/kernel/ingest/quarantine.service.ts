/**
 * Runs that are not a plain upload: batches of records pushed over HTTP (one run per batch key, a
 * retry gets the same run) and re-submissions of a run's rejected rows (corrected in place, or fixed
 * in a file). Both become an NDJSON file in the ingest files directory, so they are hashed, resumable
 * and listed like any upload; the run says its file is NDJSON (`sourceFormat`) whatever the spec's
 * source options, while mapping, normalization and validation are the spec's.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../db/index.ts';
import { newId } from '../shared/index.ts';
import { hashFile, writeLines } from './batch-files.ts';
import type { IngestRun, MappingSpec, RunMode, RunOrigin, SourceFormatOptions, StoredSpec } from './ingest.contract.ts';
import { ingestErrors } from './ingest.errors.ts';
import { findRunByBatchKey, listRejectedSourceRows, rejectedRowNumbers, rejectedSourceFields, type RejectedSourceRow } from './quarantine.repository.ts';
import { ownColumns, unescapeFormulaCell, type RejectedRowsSource } from './rejected-rows-file.ts';
import { readSource, sourceProblemCodes } from './sources/index.ts';

/** Per rejected row (its number in the run, as text): source field -> the value to use instead. */
export type Corrections = Readonly<Record<string, Readonly<Record<string, string | number | boolean | null>>>>;

export interface Resubmission {
  readonly run: IngestRun;
  /** Rows written to the new run's file. */
  readonly rows: number;
  /** Rows left out: duplicates of an earlier row and records the reader could not read (unless corrected), values cut in the quarantine, blank rows of a fixed file. */
  readonly skipped: { duplicates: number; unreadable: number; truncated: number; blank: number };
}

export type RejectedRows = RejectedRowsSource & { readonly run: IngestRun };

/** A fixed file of rejected rows; `format` as sent (else the download's for the spec: CSV for CSV specs, NDJSON for JSON ones). */
export interface FixedFile {
  readonly path: string;
  readonly name: string;
  readonly format?: 'csv' | 'ndjson';
}

export interface QuarantineService {
  /** A run over a pushed batch (an NDJSON file in the files directory); a batch key seen before returns that run. */
  createBatchRun(context: TenantContext, request: { spec: string; specVersion?: number; mode: RunMode; file: { path: string; name: string }; batchKey?: string }): Promise<{ run: IngestRun; replayed: boolean }>;
  /** A delta run over the run's rejected rows, corrections applied, or over a fixed file of them; its NDJSON file goes to `dir`. */
  resubmitRun(context: TenantContext, runId: string, request: { dir: string; corrections?: Corrections; file?: FixedFile; specVersion?: number }): Promise<Resubmission>;
  /** The run's rejected rows in the source's shape (the download of rejected-rows-file.ts). */
  rejectedRows(context: TenantContext, runId: string): Promise<RejectedRows>;
}

/** What the quarantine uses of the ingest service (passed lazily: the service is built around it). */
export interface QuarantineRuns {
  getRun(context: TenantContext, runId: string): Promise<IngestRun>;
  getSpec(context: TenantContext, name: string, version?: number): Promise<StoredSpec>;
  createRun(context: TenantContext, request: { spec: string; specVersion?: number; mode: RunMode; file: { path: string; name: string }; origin?: RunOrigin }): Promise<IngestRun>;
}

const batchKeyPattern = /^[\x21-\x7e]{1,255}$/;
const sourceCodes: ReadonlySet<string> = new Set(Object.values(sourceProblemCodes));
/** A value the quarantine cut to 1,000 characters (run-pipeline.ts): re-submitting it would store the cut text. */
const isCut = (value: unknown) => typeof value === 'string' && value.length === 1001 && value.endsWith('…');

/**
 * The spec a run reads its file with: a platform-written NDJSON file whatever the spec's source says.
 * Its records are flat for a CSV spec (member names are the CSV's column names, which may begin with
 * `/` and hold any character): columns read as names.
 */
export function specForRun(spec: MappingSpec, run: Pick<IngestRun, 'sourceFormat'>): MappingSpec {
  if (run.sourceFormat === null) return spec;
  const { maxFieldLength, maxRecordLength, columns } = spec.source;
  const names = spec.source.format === 'csv' ? 'names' : columns;
  return { ...spec, source: { format: run.sourceFormat, encoding: 'utf-8', ...(names ? { columns: names } : {}), ...(maxFieldLength ? { maxFieldLength } : {}), ...(maxRecordLength ? { maxRecordLength } : {}) } };
}

export function createQuarantine(deps: { db: Kysely<any>; runs: () => QuarantineRuns }): QuarantineService {
  const { db } = deps;

  /** The source's columns: the first row of the run's file (its order), then any other field of the rejects. */
  const sourceColumns = async (context: TenantContext, run: IngestRun, spec: MappingSpec): Promise<string[]> => {
    const fromFile = run.file.path ? await firstRowFields(run.file.path, specForRun(spec, run).source) : [];
    const fromRejects = await withTenant(db, context, (tx) => rejectedSourceFields(tx, context.tenantId, run.id));
    return [...new Set([...fromFile, ...fromRejects])].filter((name) => !ownColumns.has(name));
  };

  async function* rejectedPages(context: TenantContext, runId: string): AsyncGenerator<RejectedSourceRow> {
    for (let after = 0; ; ) {
      const page = await withTenant(db, context, (tx) => listRejectedSourceRows(tx, context.tenantId, runId, after, 1000));
      yield* page;
      if (page.length < 1000) return;
      after = page.at(-1)!.rowNumber;
    }
  }

  const writeCorrected = async (context: TenantContext, parent: IngestRun, corrections: Corrections, path: string) => {
    const asked = Object.keys(corrections);
    const numbers = asked.filter((row) => /^[1-9][0-9]{0,14}$/.test(row)).map(Number);
    const known = await withTenant(db, context, (tx) => rejectedRowNumbers(tx, context.tenantId, parent.id, numbers));
    const unknown = asked.filter((row) => !/^[1-9][0-9]{0,14}$/.test(row) || !known.has(Number(row)));
    if (unknown.length > 0) throw ingestErrors.unknownRejectRows(unknown);
    const spec = await deps.runs().getSpec(context, parent.spec.name, parent.spec.version);
    const columns = await sourceColumns(context, parent, spec.spec);
    const skipped = { duplicates: 0, unreadable: 0, truncated: 0, blank: 0 };
    const lines = async function* () {
      for await (const row of rejectedPages(context, parent.id)) {
        const record = resubmittedRecord(row, Object.hasOwn(corrections, String(row.rowNumber)) ? corrections[String(row.rowNumber)] : undefined);
        if (typeof record === 'string') skipped[record] += 1;
        else yield JSON.stringify(inColumnOrder(record, columns));
      }
    };
    return { rows: await writeLines(path, lines()), skipped };
  };

  return {
    async createBatchRun(context, request) {
      const key = request.batchKey;
      if (key !== undefined && !batchKeyPattern.test(key)) throw ingestErrors.invalidBatchKey();
      const run = { spec: request.spec, mode: request.mode, file: request.file, ...(request.specVersion === undefined ? {} : { specVersion: request.specVersion }) };
      if (key === undefined) return { run: await deps.runs().createRun(context, { ...run, origin: { sourceFormat: 'ndjson' } }), replayed: false };
      const sha256 = await hashFile(request.file.path);
      const replay = async () => {
        const existing = await withTenant(db, context, (tx) => findRunByBatchKey(tx, context.tenantId, key));
        if (existing && (existing.file.sha256 !== sha256 || existing.spec.name !== request.spec || existing.mode !== request.mode)) throw ingestErrors.batchKeyReused(existing.id);
        return existing;
      };
      const existing = await replay();
      if (existing) return { run: existing, replayed: true };
      try {
        return { run: await deps.runs().createRun(context, { ...run, origin: { sourceFormat: 'ndjson', batchKey: key } }), replayed: false };
      } catch (error) {
        // The same batch pushed twice at once: the second insert meets the first one's key.
        const racing = isBatchKeyTaken(error) ? await replay() : undefined;
        if (racing) return { run: racing, replayed: true };
        throw error;
      }
    },

    async resubmitRun(context, runId, request) {
      const runs = deps.runs();
      const parent = await runs.getRun(context, runId);
      if (parent.status === 'queued' || parent.status === 'running') throw ingestErrors.runInProgress(parent.id);
      const spec = await runs.getSpec(context, parent.spec.name, request.specVersion);
      await mkdir(request.dir, { recursive: true });
      const path = join(request.dir, `${newId()}.ndjson`);
      try {
        const written = request.file ? await writeFixedFile(request.file, spec.spec, path) : await writeCorrected(context, parent, request.corrections ?? {}, path);
        if (written.rows === 0) throw ingestErrors.nothingToResubmit(written.skipped);
        const name = request.file ? request.file.name : `resubmit-${parent.id}.ndjson`;
        const run = await runs.createRun(context, { spec: spec.name, specVersion: spec.version, mode: 'delta', file: { path, name }, origin: { sourceFormat: 'ndjson', resubmitsRunId: parent.id } });
        return { run, rows: written.rows, skipped: written.skipped };
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
    },

    async rejectedRows(context, runId) {
      const runs = deps.runs();
      const run = await runs.getRun(context, runId);
      const spec = (await runs.getSpec(context, run.spec.name, run.spec.version)).spec;
      const columns = await sourceColumns(context, run, spec);
      return { run, spec, columns, rows: () => rejectedPages(context, run.id) };
    },
  };
}

/**
 * The record a rejected row is re-submitted as, or why it is left out: a duplicate of an earlier row
 * of the file, a record the reader could not read, or a value the quarantine cut, unless corrected.
 * A correction of an unreadable record is the whole record.
 */
function resubmittedRecord(row: RejectedSourceRow, correction: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | 'duplicates' | 'unreadable' | 'truncated' {
  const unreadable = row.sourceRow === null || row.problems.some((problem) => sourceCodes.has(problem.code));
  if (!correction && unreadable) return 'unreadable';
  if (!correction && row.problems.every((problem) => problem.code === 'ingest.duplicate_key')) return 'duplicates';
  const base = unreadable ? {} : Object.fromEntries(Object.entries(row.sourceRow!).filter(([name]) => !ownColumns.has(name)));
  const record = { ...base, ...Object.fromEntries(Object.entries(correction ?? {})) };
  return Object.values(record).some(isCut) ? 'truncated' : record;
}

/** The record's fields in the source's column order (NDJSON keeps it; jsonb did not), the others after. */
function inColumnOrder(record: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const ordered = columns.filter((column) => Object.hasOwn(record, column));
  const rest = Object.keys(record).filter((name) => !columns.includes(name));
  return Object.fromEntries([...ordered, ...rest].map((name) => [name, record[name]]));
}

/**
 * A fixed file of rejected rows (the download, edited) -> the run's NDJSON file. Read as the download
 * was written, whatever the spec says of delimiter, header and encoding: a header line, the delimiter
 * detected (a spreadsheet may save `;` for `,`), the encoding detected (one may save Windows-1252).
 * `_row` and `_reason` are dropped, formula escapes taken off, blank rows skipped; a row that cannot be
 * read refuses the file, since a person is there to fix it.
 */
async function writeFixedFile(fixed: FixedFile, spec: MappingSpec, path: string) {
  const csv = (fixed.format ?? (spec.source.format === 'csv' ? 'csv' : 'ndjson')) === 'csv';
  const limits = { ...(spec.source.maxFieldLength ? { maxFieldLength: spec.source.maxFieldLength } : {}), ...(spec.source.maxRecordLength ? { maxRecordLength: spec.source.maxRecordLength } : {}) };
  const options: SourceFormatOptions = csv ? { format: 'csv', encoding: 'auto', delimiter: 'auto', header: true, ...limits } : { format: 'ndjson', encoding: 'auto', ...limits };
  const skipped = { duplicates: 0, unreadable: 0, truncated: 0, blank: 0 };
  const problems: { parameter: string; detail: string }[] = [];
  const lines = async function* () {
    for await (const item of readSource(createReadStream(fixed.path), options)) {
      if (item.kind === 'problem') {
        problems.push({ parameter: 'file', detail: `row ${item.problem.rowNumber} (line ${item.problem.line}): ${item.problem.reason} [${item.problem.code}]` });
        continue;
      }
      const values = Object.entries(item.row.values).filter(([name]) => !ownColumns.has(name)).map(([name, value]) => [name, csv && typeof value === 'string' ? unescapeFormulaCell(value) : value] as const);
      if (values.every(([, value]) => value === '' || value === null)) skipped.blank += 1;
      else yield JSON.stringify(Object.fromEntries(values));
    }
  };
  const rows = await writeLines(path, lines());
  if (problems.length > 0) throw ingestErrors.fixedFileProblems(problems);
  return { rows, skipped };
}

/** The field names of the first row of a run's file; none when the file is gone or unreadable. */
async function firstRowFields(path: string, options: SourceFormatOptions): Promise<string[]> {
  let items = 0;
  try {
    for await (const item of readSource(createReadStream(path), options)) {
      if (item.kind === 'row') return Object.keys(item.row.values);
      if (++items >= 100) break;
    }
  } catch {
    // Gone (files are not kept for ever) or unreadable: the rejects' fields, in name order.
  }
  return [];
}

const isBatchKeyTaken = (error: unknown) => (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'ingest_runs_batch_key';
