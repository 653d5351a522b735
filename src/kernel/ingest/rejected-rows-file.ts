/**
 * A run's rejected rows in the source's own shape, to fix in a spreadsheet and re-submit: the source's
 * columns, then `_row` (the row number in the run) and `_reason` (every problem of the row). CSV with
 * the spec's delimiter (`,` for `auto`), UTF-8 with a BOM; NDJSON for JSON sources.
 * A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first, after any apostrophes)
 * gets one more leading apostrophe; `unescapeFormulaCell` takes exactly that one off again, so a value
 * survives the round trip through a re-submitted file unchanged.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { MappingSpec } from './ingest.contract.ts';
import type { RejectedSourceRow } from './quarantine.repository.ts';

/** Columns the download adds (and a re-submitted file's rows drop); `_raw` holds a record the reader could not read. */
export const ownColumns: ReadonlySet<string> = new Set(['_row', '_reason', '_raw']);

const formulaStart = /^'*[=+\-@\t\r]/;
const escapedFormula = /^'+[=+\-@\t\r]/;

export const escapeFormulaCell = (text: string): string => (formulaStart.test(text) ? `'${text}` : text);
export const unescapeFormulaCell = (text: string): string => (escapedFormula.test(text) ? text.slice(1) : text);

/** What the download needs of a run's quarantine. */
export interface RejectedRowsSource {
  readonly spec: MappingSpec;
  /** The source's columns, in the file's order where it is known. */
  readonly columns: readonly string[];
  rows(): AsyncGenerator<RejectedSourceRow>;
}

/** The delimiter of the download: the spec's, or `,` when the spec detects it. */
export function downloadDelimiter(spec: MappingSpec): string {
  const delimiter = spec.source.format === 'csv' ? spec.source.delimiter : undefined;
  return delimiter === undefined || delimiter === 'auto' ? ',' : delimiter;
}

/** Every problem of the row in one cell: `field: reason [code]; ...`, with what a reader could not read. */
export function reasonOf(row: RejectedSourceRow): string {
  const parts = row.problems.map((problem) => `${problem.field && problem.field !== '$key' ? `${problem.field}: ` : ''}${problem.reason} [${problem.code}]`);
  const raw = row.sourceRow?._raw;
  if (typeof raw === 'string') parts.push(`read: ${raw}`);
  if (row.problems.every((problem) => problem.code === 'ingest.duplicate_key')) parts.push('delete this row unless it should replace the row loaded with this key');
  return parts.join('; ');
}

/** The row's source values; none for a record the reader could not read (its text is in `_reason`). */
const sourceValuesOf = (row: RejectedSourceRow): Record<string, unknown> => (row.sourceRow !== null && !Object.hasOwn(row.sourceRow, '_raw') ? row.sourceRow : {});
const cellOf = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));

export function rejectedRowsCsv(source: RejectedRowsSource): Readable {
  const output = stringify({ header: true, columns: [...source.columns, '_row', '_reason'], delimiter: downloadDelimiter(source.spec), bom: true });
  const rows = async function* () {
    for await (const row of source.rows()) {
      const values = sourceValuesOf(row);
      yield [...source.columns.map((column) => escapeFormulaCell(cellOf(Object.hasOwn(values, column) ? values[column] : undefined))), String(row.rowNumber), escapeFormulaCell(reasonOf(row))];
    }
  };
  Readable.from(rows()).on('error', (error) => output.destroy(error)).pipe(output);
  return output;
}

export function rejectedRowsNdjson(source: RejectedRowsSource): Readable {
  const lines = async function* () {
    for await (const row of source.rows()) {
      const values = sourceValuesOf(row);
      // fromEntries defines own properties: a `__proto__` column stays a column.
      const record = Object.fromEntries(source.columns.filter((column) => Object.hasOwn(values, column)).map((column) => [column, values[column]]));
      yield `${JSON.stringify({ ...record, _row: row.rowNumber, _reason: reasonOf(row) })}\n`;
    }
  };
  return Readable.from(lines());
}

/** The download in `format`; by default in the spec's shape (CSV for CSV sources, NDJSON for JSON ones). */
export function rejectedRowsFile(source: RejectedRowsSource, format?: 'csv' | 'ndjson'): { format: 'csv' | 'ndjson'; contentType: string; stream: Readable } {
  const chosen = format ?? (source.spec.source.format === 'csv' ? 'csv' : 'ndjson');
  return chosen === 'csv'
    ? { format: chosen, contentType: 'text/csv; charset=utf-8', stream: rejectedRowsCsv(source) }
    : { format: chosen, contentType: 'application/x-ndjson; charset=utf-8', stream: rejectedRowsNdjson(source) };
}
