/**
 * Preparing a source row: mapped by the spec, normalized, validated against the entity's create
 * schema and custom fields, and hashed (the content hash reconciliation compares with the
 * cross-reference's); or rejected with a reject per problem. One preparer per run.
 */
import { hash as digest } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { createAjv, fieldErrorsOf, type ValidationIssue } from '../http/index.ts';
import { deriveSchemas, type CustomField, type EntityDef } from '../model/index.ts';
import { checkExt } from '../records/index.ts';
import { AppError } from '../shared/index.ts';
import type { MappingSpec, SourceRow } from './ingest.contract.ts';
import type { RejectRow } from './ingest.repository.ts';
import { compileKeyReader, compileMapping } from './mapping/index.ts';
import { compileNormalizer } from './normalize/index.ts';
import type { PreparedRow } from './reconcile-chunk.ts';
import { takeReferences } from './resolve-references.ts';
import { preparationFingerprint, rawHashOf } from './unchanged-source.ts';

const ajv = createAjv(false);
const validators = new WeakMap<EntityDef, ValidateFunction>();
const validatorOf = (entity: EntityDef): ValidateFunction => {
  let validate = validators.get(entity);
  if (!validate) validators.set(entity, (validate = ajv.compile(deriveSchemas(entity).create)));
  return validate;
};
/** A value as a reject shows it: text, cut at `length`. */
export const cut = (value: unknown, length = 1000): string | null => {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > length ? `${text.slice(0, length)}…` : text;
};
/** The row's values as a reject keeps them (re-submission needs them), long texts cut. */
export const sourceRowOf = (row: SourceRow): Record<string, unknown> => Object.fromEntries(Object.entries(row.values).map(([key, value]) => [key, typeof value === 'string' ? cut(value) : value]));

export interface RowPreparer {
  /**
   * The row mapped, normalized and validated; or its rejects, one a problem. `first`: the run's first
   * row, whose missing columns fail the run (`ingest.source_mismatch`: the wrong file, entity or delimiter).
   */
  prepare(row: SourceRow, id: string, rawHash: string, first?: boolean): PreparedRow | RejectRow[];
  /** The row's source key alone (null: none, or it does not map). */
  keyOf(row: SourceRow): string | null;
  /** The row's raw hash under this preparation (unchanged-source.ts). */
  rawHashOf(row: SourceRow): string;
  /** The spec has `reference` transforms: rows carry references to resolve. */
  readonly referencing: boolean;
}

/** The preparer of a run's rows; throws `ingest.invalid_mapping_spec` for a spec that does not fit the entity. */
export function createRowPreparer(spec: MappingSpec, entity: EntityDef, customFields: readonly CustomField[]): RowPreparer {
  const map = compileMapping(spec, { entity, customFields });
  const normalize = compileNormalizer(spec.normalize ?? {});
  const validate = validatorOf(entity);
  const fieldsOfEntity = customFields.filter((custom) => custom.entity === entity.name);
  const fingerprint = preparationFingerprint(spec, validate.schema, fieldsOfEntity);
  // Only a spec with `reference` transforms makes markers: the others skip looking for them row by row.
  const referencing = Object.values(spec.fields).some((mapping) => mapping.transforms?.some((transform) => transform.op === 'reference'));
  const prepare = (row: SourceRow, id: string, rawHash: string, first = false): PreparedRow | RejectRow[] => {
    const result = map(row);
    const problems: { field: string | null; value: unknown; code: string; reason: string }[] = result.problems.map((problem) => ({ field: problem.field, value: problem.value, code: problem.code, reason: problem.reason }));
    if (first) {
      const missing = result.problems.filter((problem) => problem.code === 'ingest.missing_column').map((problem) => problem.sourceField ?? problem.field);
      if (missing.length > 0) {
        throw new AppError('unprocessable', 'ingest.source_mismatch', 'The file does not fit the mapping', {
          detail: `Columns the mapping reads are missing: ${[...new Set(missing)].join(', ')}. The file has: ${Object.keys(row.values).slice(0, 40).join(', ')}. Is it the right file, entity and delimiter?`,
        });
      }
    }
    let record = result.record;
    if (problems.length === 0) {
      const normalized = normalize(record);
      record = normalized.record;
      problems.push(...normalized.problems.map((problem) => ({ field: problem.field, value: problem.value, code: problem.code, reason: problem.reason })));
    }
    // The content hash covers the references as the source names them; the record validates with placeholders.
    const marked = record;
    let references: ReturnType<typeof takeReferences>['references'] = [];
    if (referencing) ({ record, references } = takeReferences(record));
    if (problems.length === 0 && !result.deleted) {
      if (!validate(record)) {
        for (const error of fieldErrorsOf((validate.errors ?? []) as ValidationIssue[], 'body')) {
          const field = (error.pointer ?? '/').slice(1).replaceAll('/', '.');
          problems.push({ field, value: field === '' ? null : record[field.split('.')[0]!], code: 'ingest.invalid_value', reason: `${field || 'record'} ${error.detail}` });
        }
      } else if (record.ext !== undefined) {
        try {
          checkExt(fieldsOfEntity, record.ext, true);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          for (const detail of error.errors ?? []) problems.push({ field: (detail.pointer ?? '').slice(1).replaceAll('/', '.'), value: null, code: 'ingest.invalid_custom_field', reason: detail.detail });
        }
      }
    }
    if (result.sourceKey === null && !problems.some((problem) => problem.field === '$key')) problems.push({ field: '$key', value: null, code: 'ingest.missing_key', reason: 'The row has no source key.' });
    if (problems.length > 0) {
      const source = sourceRowOf(row);
      return problems.map((problem, seq) => ({ rowNumber: row.rowNumber, line: row.line, seq, sourceKey: result.sourceKey, field: problem.field, value: cut(problem.value), code: problem.code, reason: problem.reason, sourceRow: seq === 0 ? source : null }));
    }
    const hash = digest('sha1', `${JSON.stringify(marked)}${result.deleted ? '\u0001' : '\u0000'}`, 'base64url');
    return { rowNumber: row.rowNumber, line: row.line, sourceKey: result.sourceKey!, id, record, deleted: result.deleted, hash, rawHash, source: row, references: references.length > 0 ? references : undefined };
  };
  return { prepare, keyOf: compileKeyReader(spec), rawHashOf: (row) => rawHashOf(fingerprint, row.values), referencing };
}
