/** Error codes of ingestion (kernel/ingest). Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const ingestErrors = {
  invalidSpec: (errors: FieldError[]) =>
    new AppError('invalid', 'ingest.invalid_spec', 'Invalid mapping spec', { detail: `The mapping spec has ${errors.length} problem(s): ${errors.slice(0, 5).map((error) => `${error.pointer} ${error.detail}`).join('; ')}`, errors }),
  invalidSpecName: (name: string) =>
    new AppError('invalid', 'ingest.invalid_spec_name', 'Invalid spec name', { detail: `"${name.slice(0, 80)}" is not a spec name: lower-case letters, digits, dot, dash and underscore, up to 63.`, errors: [{ parameter: 'name', detail: 'not a spec name' }] }),
  specNotFound: (name: string, version?: number) => new AppError('not_found', 'ingest.spec_not_found', 'Mapping spec not found', { detail: `No mapping spec "${name}"${version === undefined ? '' : ` version ${version}`}.` }),
  unknownEntity: (name: string) => new AppError('invalid', 'ingest.unknown_entity', 'Unknown entity', { detail: `"${name}" is not a tenant entity of the model.` }),
  runNotFound: () => new AppError('not_found', 'ingest.run_not_found', 'Run not found', { detail: 'No ingestion run with this id in this tenant.' }),
  fileNotFound: (name: string) => new AppError('invalid', 'ingest.file_not_found', 'File not found', { detail: `The file "${name}" cannot be read.` }),
  emptyUpload: () => new AppError('invalid', 'ingest.empty_upload', 'Empty upload', { detail: 'The request body holds no file content.' }),
};
