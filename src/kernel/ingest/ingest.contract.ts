/**
 * Canonical data ingestion (kernel/ingest): files and feeds from ERP systems become records of a model
 * entity through one pipeline: source -> mapping -> normalization -> validation -> matching ->
 * reconciliation -> set-based persistence -> run report.
 * Glossary: source row = one record as read from the file (field name -> raw value); source key = the
 * record's id in the source system; mapping spec = the declarative, versioned recipe from source fields
 * to canonical fields; canonical record = the entity's API shape (plus `ext` custom fields); reject = a
 * row that could not be ingested, with row number, source key, field, value and reason; cross-reference
 * (xref) = (source system, entity, source key) -> record id; run = one ingestion of one file or batch.
 */

// ---------------------------------------------------------------------------------------------------
// Sources (sources/): bytes -> source rows, streaming, bounded memory.

export type SourceFormat = 'csv' | 'ndjson' | 'json';
export type SourceEncoding = 'auto' | 'utf-8' | 'windows-1252' | 'iso-8859-1';
export type CsvDelimiter = 'auto' | ',' | ';' | '\t' | '|';

export interface SourceFormatOptions {
  readonly format: SourceFormat;
  /** `auto`: a BOM decides; else UTF-8 if the first 64 KiB are valid UTF-8, else Windows-1252. */
  readonly encoding?: SourceEncoding;
  /** CSV only; `auto` picks the one of `,` `;` tab `|` that splits the header line most evenly. */
  readonly delimiter?: CsvDelimiter;
  /** CSV only: true (default) = the first record names the columns; a list = the column names. */
  readonly header?: boolean | readonly string[];
  /**
   * JSON only: a JSON Pointer (RFC 6901) to the array of records inside the document, for feeds that
   * wrap it: `/d/results` (SAP OData v2), `/value` (OData v4). Default: the document is the array.
   */
  readonly records?: string;
  /**
   * JSON and NDJSON: `pointers` (default) reads a column that begins with `/` as a JSON Pointer into
   * the record; `names` reads every column as a member name of a flat record (member names that begin
   * with `/`, such as SAP BW's `/BIC/...`; a pushed batch of a CSV spec runs this way).
   */
  readonly columns?: 'pointers' | 'names';
  /** A field longer than this (in characters) rejects its row; default 65,536. */
  readonly maxFieldLength?: number;
  /** A record longer than this (in characters) rejects its row; default 1,048,576. */
  readonly maxRecordLength?: number;
}

/** One record as read. `rowNumber` counts data records from 1 (the header is not counted). */
export interface SourceRow {
  readonly rowNumber: number;
  /** The physical line where the record starts (1-based, header included), for CSV; else = rowNumber. */
  readonly line: number;
  /** CSV: strings exactly as in the file (no trimming, formula-looking text kept as is); JSON: values. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** A record the reader could not turn into a row; the rows after it are still read. */
export interface SourceRowProblem {
  readonly rowNumber: number;
  readonly line: number;
  /** `ingest.malformed_row`, `ingest.column_count`, `ingest.field_too_long`, `ingest.record_too_long`, `ingest.not_an_object`, `ingest.truncated_record`. */
  readonly code: string;
  readonly reason: string;
  /** The start of the offending text (at most 200 characters), for the reject list. */
  readonly excerpt?: string;
}

export type SourceItem = { readonly kind: 'row'; readonly row: SourceRow } | { readonly kind: 'problem'; readonly problem: SourceRowProblem };

// ---------------------------------------------------------------------------------------------------
// Mapping (mapping/): a source row -> a canonical record, per a stored, versioned spec.

/** A condition on the source row (for `when` and `deletion`). */
export type MappingCondition =
  | { readonly field: string; readonly equals: string | number | boolean | null }
  | { readonly field: string; readonly in: readonly (string | number | boolean | null)[] }
  | { readonly field: string; readonly empty: boolean }
  | { readonly all: readonly MappingCondition[] }
  | { readonly any: readonly MappingCondition[] }
  | { readonly not: MappingCondition };

/** One step of a field's transform chain; `op` names it (the mapping reference in docs/ingestion.md lists them). */
export interface Transform {
  readonly op: string;
  readonly [option: string]: unknown;
}

export interface FieldMapping {
  /** Source field(s); several are passed as a list to the first transform (e.g. `join`). */
  readonly from?: string | readonly string[];
  /** A fixed value instead of a source field. */
  readonly constant?: unknown;
  readonly transforms?: readonly Transform[];
  /** Used when the value is empty after the transforms. */
  readonly default?: unknown;
  /** The field is mapped only when this holds. */
  readonly when?: MappingCondition;
}

/** How a canonical field is normalized after mapping (normalize/). */
export type NormalizeRule =
  | 'text'
  | 'name'
  | 'address'
  | 'email'
  | 'upper'
  | 'lower'
  | 'gtin'
  | { readonly kind: 'phone'; readonly countryField?: string; readonly defaultCountry?: string }
  | { readonly kind: 'taxId'; readonly countryField?: string; readonly defaultCountry?: string };

export interface MappingSpec {
  /** The format version of this document (1). */
  readonly specVersion: 1;
  readonly name: string;
  readonly description?: string;
  /** The canonical entity the rows become. */
  readonly entity: string;
  /** The source system, as the cross-reference names it (`SAP-ECC-PRD`). */
  readonly system: string;
  readonly source: SourceFormatOptions;
  /** How the source key of a row is built; rows without one are rejected. */
  readonly key: FieldMapping;
  /** Canonical field (or `ext.<custom field key>`) -> how it is filled. */
  readonly fields: Readonly<Record<string, FieldMapping>>;
  readonly normalize?: Readonly<Record<string, NormalizeRule>>;
  /** A row that marks its record deleted in the source (SAP `LOEVM = 'X'`). */
  readonly deletion?: MappingCondition;
  readonly matching?: {
    /** Canonical fields whose normalized values identify a record (tax id, e-mail, GTIN). */
    readonly exact?: readonly string[];
    /**
     * Fuzzy candidates by pg_trgm similarity of these fields' match keys (the first one, the name,
     * counts double), blocked by `blockBy`: score >= high links, low <= score < high opens a review
     * case. The tenant setting `ingest.fuzzy` ({ high, low }) overrides the thresholds (match/).
     */
    readonly fuzzy?: { readonly fields: readonly string[]; readonly blockBy?: readonly string[]; readonly high: number; readonly low: number };
    /** Per field, which side wins when a source key is linked to an existing record; default `source` for source-owned fields, `local` for the others. */
    readonly survivorship?: Readonly<Record<string, SurvivorshipRule>>;
  };
  /** Fields the source owns (overwritten on each load); default: every mapped field. The rest are local. */
  readonly sourceOwned?: readonly string[];
  /** What a full load does to records of this source missing from the file. */
  readonly missing?: { readonly action: 'deactivate' | 'softDelete' | 'ignore'; readonly field?: string; readonly value?: unknown };
}

/**
 * Which value a field keeps when a source row is merged into an existing record: `source` the row's,
 * `local` the record's, `nonEmpty` the row's unless it is empty (then the record's), `fillEmpty` the
 * record's unless it is empty (then the row's: the source only fills gaps).
 */
export type SurvivorshipRule = 'source' | 'local' | 'nonEmpty' | 'fillEmpty';

/** One field-level problem of a mapped row. */
export interface FieldProblem {
  /** The canonical field (`name`, `ext.region`), or `$key` for the source key. */
  readonly field: string;
  /** The source field(s) the value came from, when there is one. */
  readonly sourceField?: string;
  readonly value?: unknown;
  /** `ingest.invalid_value`, `ingest.unknown_code`, `ingest.invalid_date`, `ingest.invalid_number`, `ingest.missing_key`, ... */
  readonly code: string;
  readonly reason: string;
}

export interface MappedRow {
  readonly rowNumber: number;
  readonly sourceKey: string | null;
  /** The canonical fields that were mapped (unmapped fields are absent, not null). */
  readonly record: Record<string, unknown>;
  readonly deleted: boolean;
  readonly problems: readonly FieldProblem[];
}

/** A problem in a mapping spec, found when it is saved. */
export interface SpecProblem {
  /** JSON pointer into the spec (`/fields/name/transforms/1/op`). */
  readonly pointer: string;
  readonly detail: string;
}

// ---------------------------------------------------------------------------------------------------
// Runs (ingest.service.ts): one file or batch through the pipeline, resumable from its checkpoint.

export type RunMode = 'full' | 'delta';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** A saved version of a mapping spec. */
export interface StoredSpec {
  readonly name: string;
  readonly version: number;
  readonly spec: MappingSpec;
  readonly createdAt: string;
}

/** A spec's latest version in a list, with what its checks find in it now (none: runs of it are made). */
export interface ListedSpec extends StoredSpec {
  /** Problems the version has against the entity and the tenant's custom fields as they are now (a field deleted since, a rule added since). */
  readonly problems: readonly SpecProblem[];
}

/** What a run did, row by row outcome; live while it runs. */
export interface IngestCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows linked to an existing record (no cross-reference before): by an exact key, or a fuzzy score >= high. */
  merged: number;
  /** Rows held for review as likely duplicates (low <= fuzzy score < high): not written until a person decides. */
  queued: number;
  /** Rows whose source key an earlier row of the same file had. */
  duplicates: number;
  rejected: number;
  /** Records deactivated or soft-deleted: deletion flags, and records missing from a full load. */
  deactivated: number;
  /** Source changes to fields a user edited since the last load, left for a person to decide. */
  conflicts: number;
  /** Rows flagged deleted in the source for records never loaded: nothing to do. */
  skipped: number;
  /** Milliseconds spent running (over resumptions). */
  durationMs: number;
}

export interface IngestRun {
  readonly id: string;
  readonly spec: { readonly name: string; readonly version: number };
  readonly entity: string;
  readonly mode: RunMode;
  readonly status: RunStatus;
  readonly file: { readonly name: string | null; readonly path: string | null; readonly bytes: number | null; readonly sha256: string | null; readonly encoding: string | null };
  /** Source rows whose outcome is committed; a resumed run starts after it. */
  readonly checkpointRow: number;
  readonly counts: IngestCounts;
  readonly error: { readonly code: string; readonly detail: string } | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** `ndjson` for pushed batches and re-submissions: the file is NDJSON whatever the spec's source says. */
  readonly sourceFormat: 'ndjson' | null;
  /** A pushed batch's Idempotency-Key (or batchId). */
  readonly batchKey: string | null;
  /** The run whose rejected rows this run re-submits. */
  readonly resubmitsRunId: string | null;
}

/** Where a run that is not a plain upload comes from (quarantine.service.ts). */
export interface RunOrigin {
  readonly sourceFormat?: 'ndjson';
  readonly batchKey?: string;
  readonly resubmitsRunId?: string;
}

export interface RunProgress {
  readonly run: IngestRun;
  readonly counts: IngestCounts;
  readonly bytesRead: number;
}
