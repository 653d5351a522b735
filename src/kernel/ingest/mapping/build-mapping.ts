/**
 * Builds the row mapper of a spec that has been validated: every field becomes one closure (its
 * columns, compiled steps, default and coercion fixed), so mapping a row interprets nothing of the
 * spec and compiles no regular expression.
 */
import type { FieldMapping, FieldProblem, MappedRow, MappingSpec, SourceRow } from '../ingest.contract.ts';
import { coerceKey } from './coerce-key.ts';
import { compileCoercion, type Coercion } from './coerce-value.ts';
import { compileCondition, conditionColumns } from './conditions.ts';
import { extPrefix, resolveTargetField, type MappingTarget } from './mapping-target.ts';
import { compilePointerReader } from './source-pointers.ts';
import { pointerOf } from './spec-problems.ts';
import { compileTransforms, transformColumns } from './transforms.ts';
import { deepFreeze, isEmptyValue, TransformFailure, type SourceValues } from './transform-op.ts';

/** A field that is not mapped on this row (its `when` fails, or it has a problem). */
export const absent: unique symbol = Symbol('absent');

type FieldMapper = (values: SourceValues, problems: FieldProblem[]) => unknown;

/** The columns a field mapping reads: its own, its ops' (`currencyFrom`) and its condition's. */
export function mappingColumns(mapping: FieldMapping): string[] {
  const own = mapping.from === undefined ? [] : typeof mapping.from === 'string' ? [mapping.from] : [...mapping.from];
  return [...new Set([...own, ...transformColumns(mapping.transforms), ...(mapping.when ? conditionColumns(mapping.when) : [])])];
}

/** Where a spec reads source columns (the key, each field, the deletion condition), each with its place in the spec. */
export function columnReads(spec: MappingSpec): { pointer: string; columns: string[] }[] {
  return [
    { pointer: '/key', columns: mappingColumns(spec.key) },
    ...Object.entries(spec.fields).map(([name, mapping]) => ({ pointer: pointerOf('fields', name), columns: mappingColumns(mapping) })),
    ...(spec.deletion ? [{ pointer: '/deletion', columns: conditionColumns(spec.deletion) }] : []),
  ];
}

/** Every source column the spec reads, once. */
export const specColumns = (spec: MappingSpec): string[] => [...new Set(columnReads(spec).flatMap((read) => read.columns))];

function missingColumns(name: string, columns: readonly string[], values: SourceValues, problems: FieldProblem[]): boolean {
  let missing = false;
  for (const column of columns) {
    if (values[column] !== undefined) continue;
    problems.push({ field: name, sourceField: column, code: 'ingest.missing_column', reason: `the source has no field "${column}" (wrong delimiter, or wrong file?)` });
    missing = true;
  }
  return missing;
}

/** How a field reads its source value: one column, several (a list), or a constant; undefined when a CSV column is missing. */
function compileRead(mapping: FieldMapping, csv: boolean): (values: SourceValues) => unknown {
  if (mapping.from === undefined) {
    const constant = deepFreeze(structuredClone(mapping.constant ?? null));
    return () => constant;
  }
  if (typeof mapping.from === 'string') {
    const column = mapping.from;
    return csv ? (values) => values[column] : (values) => values[column] ?? null;
  }
  const columns = [...mapping.from];
  return (values) => {
    const list: unknown[] = [];
    for (const column of columns) {
      const value = values[column];
      if (value === undefined && csv) return undefined;
      list.push(value ?? null);
    }
    return list;
  };
}

/**
 * One field's closure. CSV rows have every column, so an undefined one is missing (the read tells,
 * at no extra lookup; the columns of ops and conditions are checked apart); in JSON it is empty.
 */
export function compileFieldMapper(name: string, mapping: FieldMapping, coerce: Coercion, csv: boolean): FieldMapper {
  const own = mapping.from === undefined ? [] : typeof mapping.from === 'string' ? [mapping.from] : [...mapping.from];
  const sourceField = own.length > 0 ? { sourceField: own.join('+') } : {};
  const sideColumns = csv ? mappingColumns(mapping).filter((column) => !own.includes(column)) : [];
  const read = compileRead(mapping, csv);
  const steps = compileTransforms(mapping.transforms);
  const when = mapping.when ? compileCondition(mapping.when) : undefined;
  const fallback = mapping.default === undefined ? null : deepFreeze(coerce(structuredClone(mapping.default)));
  if (fallback instanceof TransformFailure) throw new Error(`default of ${name}: ${fallback.reason}`);
  const refuse = (problems: FieldProblem[], failure: TransformFailure, value: unknown) => {
    problems.push({ field: name, ...sourceField, value, code: failure.code, reason: failure.reason });
    return absent;
  };
  const finish = (value: unknown, values: SourceValues, problems: FieldProblem[]): unknown => {
    const original = value;
    for (let index = 0; index < steps.length; index++) {
      value = steps[index]!(value, values);
      if (value instanceof TransformFailure) return refuse(problems, value, original);
    }
    if (isEmptyValue(value)) return fallback;
    const coerced = coerce(value);
    return coerced instanceof TransformFailure ? refuse(problems, coerced, original) : coerced;
  };
  // The common shape (one column, no condition, no other column read) reads inline: per row, every call counts.
  if (typeof mapping.from === 'string' && when === undefined && sideColumns.length === 0) {
    const column = mapping.from;
    return (values, problems) => {
      const value = values[column];
      if (value !== undefined) return finish(value, values, problems);
      if (!csv) return finish(null, values, problems);
      missingColumns(name, own, values, problems);
      return absent;
    };
  }
  return (values, problems) => {
    if (sideColumns.length > 0 && missingColumns(name, sideColumns, values, problems)) return absent;
    if (when !== undefined && !when(values)) return absent;
    const value = read(values);
    if (value === undefined) {
      missingColumns(name, own, values, problems);
      return absent;
    }
    return finish(value, values, problems);
  };
}

interface CompiledField {
  readonly name: string;
  /** The key inside `ext` for a custom field. */
  readonly extKey: string | undefined;
  readonly map: FieldMapper;
}

/** The row mapper of a validated spec; throws on a spec that does not fit its target (validate first). */
export function buildMapping(spec: MappingSpec, target: MappingTarget): (row: SourceRow) => MappedRow {
  const csv = spec.source.format === 'csv';
  const key = compileFieldMapper('$key', spec.key, coerceKey, csv);
  const fields: CompiledField[] = Object.entries(spec.fields).map(([name, mapping]) => {
    const resolved = resolveTargetField(target, name);
    if (!resolved.ok) throw new Error(resolved.detail);
    return { name, extKey: resolved.custom ? name.slice(extPrefix.length) : undefined, map: compileFieldMapper(name, mapping, compileCoercion(resolved.def), csv) };
  });
  const hasExt = fields.some((field) => field.extKey !== undefined);
  const deletion = spec.deletion ? compileCondition(spec.deletion) : undefined;
  const deletionColumns = spec.deletion && csv ? [...new Set(conditionColumns(spec.deletion))] : [];
  const keyField = keySource(spec);
  const fieldCount = fields.length;
  // JSON Pointers among the columns (nested JSON records): resolved once a row, then read as columns.
  const pointers = compilePointerReader(spec.source, specColumns(spec));
  // Problems go to one reused sink, copied out only for a row that has some: most rows have none.
  const sink: FieldProblem[] = [];
  const noProblems: readonly FieldProblem[] = Object.freeze([]);
  return (row) => {
    const values = pointers ? pointers(row.values) : row.values;
    const keyValue = key(values, sink);
    if (keyValue === null) sink.push({ field: '$key', ...keyField, code: 'ingest.missing_key', reason: 'the row has no source key' });
    const record: Record<string, unknown> = {};
    let ext: Record<string, unknown> | undefined;
    for (let index = 0; index < fieldCount; index++) {
      const field = fields[index]!;
      const value = field.map(values, sink);
      if (value === absent) continue;
      if (field.extKey === undefined) record[field.name] = value;
      else {
        if (ext === undefined) ext = {};
        ext[field.extKey] = value;
      }
    }
    if (hasExt && ext) record.ext = ext;
    if (deletionColumns.length > 0) missingColumns('$deletion', deletionColumns, values, sink);
    const sourceKey = typeof keyValue === 'string' ? keyValue : null;
    let problems = noProblems;
    if (sink.length > 0) {
      problems = sink.slice();
      sink.length = 0;
    }
    return { rowNumber: row.rowNumber, sourceKey, record, deleted: deletion ? deletion(values) : false, problems };
  };
}

/**
 * The source key of a row, as the spec's row mapper gives it, without mapping the rest: null when
 * the row has none or its key does not map (the mapper rejects such a row). A re-run looks its rows'
 * entries up by it before it prepares them (unchanged-source.ts).
 */
export function buildKeyReader(spec: MappingSpec): (row: SourceRow) => string | null {
  const key = compileFieldMapper('$key', spec.key, coerceKey, spec.source.format === 'csv');
  const pointers = compilePointerReader(spec.source, specColumns(spec));
  const sink: FieldProblem[] = [];
  return (row) => {
    const value = key(pointers ? pointers(row.values) : row.values, sink);
    if (sink.length === 0) return typeof value === 'string' ? value : null;
    sink.length = 0;
    return null;
  };
}

function keySource(spec: MappingSpec): { sourceField?: string } {
  const from = spec.key.from;
  return from === undefined ? {} : { sourceField: typeof from === 'string' ? from : from.join('+') };
}
