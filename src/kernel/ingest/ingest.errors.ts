/** Error codes of ingestion (kernel/ingest). Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const ingestErrors = {
  invalidSpec: (errors: FieldError[]) =>
    new AppError('invalid', 'ingest.invalid_spec', 'Invalid mapping spec', { detail: `The mapping spec has ${errors.length} problem(s): ${errors.slice(0, 5).map((error) => `${error.pointer} ${error.detail}`).join('; ')}`, errors }),
  specNoLongerValid: (name: string, version: number, errors: FieldError[]) =>
    new AppError('unprocessable', 'ingest.spec_no_longer_valid', 'Mapping spec no longer valid', {
      detail: `Mapping spec "${name}" version ${version} no longer passes its checks (${errors.length} problem(s): ${errors.slice(0, 5).map((error) => `${error.pointer} ${error.detail}`).join('; ')}); save a corrected version.`,
      errors,
    }),
  invalidSpecName: (name: string) =>
    new AppError('invalid', 'ingest.invalid_spec_name', 'Invalid spec name', { detail: `"${name.slice(0, 80)}" is not a spec name: lower-case letters, digits, dot, dash and underscore, up to 63.`, errors: [{ parameter: 'name', detail: 'not a spec name' }] }),
  specNotFound: (name: string, version?: number) => new AppError('not_found', 'ingest.spec_not_found', 'Mapping spec not found', { detail: `No mapping spec "${name}"${version === undefined ? '' : ` version ${version}`}.` }),
  unknownEntity: (name: string) => new AppError('invalid', 'ingest.unknown_entity', 'Unknown entity', { detail: `"${name}" is not a tenant entity of the model.` }),
  runNotFound: () => new AppError('not_found', 'ingest.run_not_found', 'Run not found', { detail: 'No ingestion run with this id in this tenant.' }),
  fileNotFound: (name: string) => new AppError('invalid', 'ingest.file_not_found', 'File not found', { detail: `The file "${name}" cannot be read.` }),
  emptyUpload: () => new AppError('invalid', 'ingest.empty_upload', 'Empty upload', { detail: 'The request body holds no file content.' }),
  // Pushed batches and re-submissions (quarantine.service.ts, batch.routes.ts).
  batchTooLarge: (limit: number) => new AppError('payload_too_large', 'ingest.batch_too_large', 'Batch too large', { detail: `A batch is limited to ${limit} bytes; push the records in several batches.`, extensions: { limitBytes: limit } }),
  invalidBatch: (errors: FieldError[]) => new AppError('invalid', 'ingest.invalid_batch', 'Invalid batch', { detail: `The batch is not { "records": [...] }: ${errors.map((error) => `${error.pointer ?? error.parameter} ${error.detail}`).join('; ')}`, errors }),
  emptyBatch: () => new AppError('invalid', 'ingest.empty_batch', 'Empty batch', { detail: 'The batch holds no records.' }),
  invalidBatchKey: () =>
    new AppError('invalid', 'ingest.invalid_batch_key', 'Invalid batch key', { detail: 'Idempotency-Key (or batchId) must be 1 to 255 visible ASCII characters.', errors: [{ parameter: 'Idempotency-Key', detail: '1 to 255 visible ASCII characters' }] }),
  batchKeyReused: (runId: string) =>
    new AppError('unprocessable', 'ingest.batch_key_reused', 'Batch key reused', { detail: `This Idempotency-Key (or batchId) belongs to run ${runId}, which has other records, another spec or another mode.`, extensions: { runId } }),
  runInProgress: (runId: string) => new AppError('conflict', 'ingest.run_in_progress', 'Run in progress', { detail: `Run ${runId} is still queued or running; its rejects can be re-submitted once it ends.` }),
  unknownRejectRows: (rows: readonly string[]) =>
    new AppError('invalid', 'ingest.unknown_reject_row', 'Not a rejected row', { detail: `Rows ${rows.slice(0, 10).join(', ')} have no rejects in this run.`, errors: rows.slice(0, 20).map((row) => ({ pointer: `/corrections/${row}`, detail: 'is not a rejected row of the run' })) }),
  nothingToResubmit: (skipped: Record<string, number>) =>
    new AppError('conflict', 'ingest.nothing_to_resubmit', 'Nothing to re-submit', { detail: `No row is left to re-submit (skipped: ${Object.entries(skipped).map(([why, count]) => `${count} ${why}`).join(', ')}); correct the rows, or fix them in a file.`, extensions: { skipped } }),
  fixedFileProblems: (problems: FieldError[]) =>
    new AppError('unprocessable', 'ingest.fixed_file_unreadable', 'Fixed file has unreadable rows', { detail: `${problems.length} row(s) of the fixed file cannot be read; nothing was re-submitted.`, errors: problems.slice(0, 20) }),
};
