/** Error and problem codes of the source readers (kernel/ingest/sources). Public contract: add, never rename. */
import { AppError } from '../../shared/index.ts';

/** Codes of `SourceRowProblem`: one record rejected, the rest of the source still read. */
export const sourceProblemCodes = {
  malformedRow: 'ingest.malformed_row',
  columnCount: 'ingest.column_count',
  fieldTooLong: 'ingest.field_too_long',
  recordTooLong: 'ingest.record_too_long',
  notAnObject: 'ingest.not_an_object',
  truncatedRecord: 'ingest.truncated_record',
} as const;

export type SourceProblemCode = (typeof sourceProblemCodes)[keyof typeof sourceProblemCodes];

/** A source that cannot be read at all (wrong encoding, unusable header, broken document). */
export class SourceError extends AppError {
  constructor(code: `ingest.${string}`, title: string, detail: string, extensions?: Record<string, unknown>) {
    super('unprocessable', code, title, { detail, ...(extensions === undefined ? {} : { extensions }) });
    this.name = 'SourceError';
  }
}

export const sourceErrors = {
  encodingMismatch: (byteOffset: number, encoding: string) =>
    new SourceError(
      'ingest.encoding_mismatch',
      'Source is not valid in its encoding',
      `The bytes at offset ${byteOffset} are not valid ${encoding}; if the file comes from an older ERP export, set the encoding to windows-1252 or iso-8859-1.`,
      { byteOffset, encoding },
    ),
  invalidHeader: (reason: string, columns: readonly string[]) =>
    new SourceError('ingest.invalid_header', 'Unusable header', `The column names cannot be used: ${reason}.`, { columns: columns.slice(0, 200) }),
  malformedSource: (reason: string) => new SourceError('ingest.malformed_source', 'Malformed source', reason),
};
