/**
 * The inverse of a mapping: a canonical record back to a source row, for specs whose every step
 * inverts (each op declares whether and how). compile(exportRow(record)) gives the record back for
 * records a compile could have produced. Not invertible: several source fields, `when` conditions,
 * ops that drop information (substring, replace, regexReplace, split, join, coalesce, constant).
 */
import type { FieldMapping, MappingSpec, SpecProblem } from '../ingest.contract.ts';
import { specColumns } from './build-mapping.ts';
import { extPrefix } from './mapping-target.ts';
import { mappingErrors } from './mapping.errors.ts';
import { pointerOf } from './spec-problems.ts';
import { isPointerColumn, writeAtPointer } from './source-pointers.ts';
import { optionsOf, transformOps } from './transforms.ts';
import { notRepresentable, numberText, type InverseStep } from './transform-op.ts';

export interface ExportOptions {
  /** The record's source key, written through the inverse of `spec.key`. */
  readonly sourceKey?: string;
}

/**
 * A compiled export: the source row, or null when the record has no source form this spec maps back
 * to it. Values are text; a JSON spec's pointer columns (source-pointers.ts) are written nested.
 */
export type RowExporter = (record: Readonly<Record<string, unknown>>, options?: ExportOptions) => Record<string, unknown> | null;

interface FieldInverse {
  readonly name: string;
  readonly extKey: string | undefined;
  readonly column: string;
  readonly steps: readonly InverseStep[];
  readonly hasDefault: boolean;
}

type Inversion = { readonly column: string; readonly steps: InverseStep[] } | { readonly problems: SpecProblem[] } | { readonly constant: true };

function invertMapping(mapping: FieldMapping, pointer: string): Inversion {
  if (mapping.from === undefined) return { constant: true };
  if (mapping.when) return { problems: [{ pointer: `${pointer}/when`, detail: 'a conditional field does not invert' }] };
  if (typeof mapping.from !== 'string') return { problems: [{ pointer: `${pointer}/from`, detail: 'several source fields do not invert' }] };
  const problems: SpecProblem[] = [];
  const steps: InverseStep[] = [];
  (mapping.transforms ?? []).forEach((transform, index) => {
    const op = transformOps.get(transform.op);
    const inverse = op?.invert?.(optionsOf(transform)) ?? `${transform.op} has no inverse (${op?.inverse ?? 'unknown op'})`;
    if (typeof inverse === 'string') problems.push({ pointer: `${pointer}/transforms/${index}`, detail: inverse });
    else steps.unshift(inverse);
  });
  return problems.length > 0 ? { problems } : { column: mapping.from, steps };
}

/**
 * Why a spec cannot export, one problem per step that does not invert; empty when it can. The key
 * counts only when the export is to write it (`sourceKey`): its columns usually come with the fields.
 */
export function checkInvertible(spec: MappingSpec, options: { readonly withKey?: boolean } = {}): SpecProblem[] {
  const inversions = [...(options.withKey ? [invertMapping(spec.key, '/key')] : []), ...Object.entries(spec.fields).map(([name, mapping]) => invertMapping(mapping, pointerOf('fields', name)))];
  return inversions.flatMap((inversion) => ('problems' in inversion ? inversion.problems : []));
}

/** Text for a source column; undefined for a value no column can hold. */
function sourceText(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** Compiles the export of a spec; throws `ingest.mapping_not_invertible` when a field's step (or, to write it, the key's) does not invert. */
export function compileExport(spec: MappingSpec): RowExporter {
  const problems = checkInvertible(spec);
  if (problems.length > 0) throw mappingErrors.notInvertible(problems);
  const fields: FieldInverse[] = [];
  for (const [name, mapping] of Object.entries(spec.fields)) {
    const inversion = invertMapping(mapping, pointerOf('fields', name));
    if (!('column' in inversion)) continue;
    fields.push({ name, extKey: name.startsWith(extPrefix) ? name.slice(extPrefix.length) : undefined, column: inversion.column, steps: inversion.steps, hasDefault: mapping.default !== undefined });
  }
  const key = invertMapping(spec.key, '/key');
  const columns = specColumns(spec);
  const flat = columns.filter((column) => !isPointerColumn(spec.source, column));
  const nested = columns.filter((column) => isPointerColumn(spec.source, column));
  return (record, options = {}) => {
    const row: Record<string, unknown> = Object.fromEntries(flat.map((column) => [column, '']));
    for (const column of nested) writeAtPointer(row, column, '');
    const written = new Map<string, string>();
    const write = (column: string, text: string) => {
      if ((written.get(column) ?? text) !== text) return false;
      written.set(column, text);
      if (isPointerColumn(spec.source, column)) return writeAtPointer(row, column, text);
      row[column] = text;
      return true;
    };
    const writeValue = (value: unknown, column: string, steps: readonly InverseStep[]): boolean => {
      const sides: Record<string, string> = {};
      let current = value;
      for (const step of steps) {
        current = step(current, sides);
        if (current === notRepresentable) return false;
      }
      const text = sourceText(current);
      return text !== undefined && write(column, text) && Object.entries(sides).every(([side, sideText]) => write(side, sideText));
    };
    const ext = (record.ext ?? {}) as Record<string, unknown>;
    for (const field of fields) {
      const value = (field.extKey === undefined ? record[field.name] : ext[field.extKey]) ?? null;
      if (value === null && field.hasDefault) return null;
      if (!writeValue(value, field.column, field.steps)) return null;
    }
    if (options.sourceKey !== undefined) {
      if ('problems' in key) throw mappingErrors.notInvertible(key.problems);
      if ('column' in key && !writeValue(options.sourceKey, key.column, key.steps)) return null;
    }
    return row;
  };
}

const compiled = new WeakMap<MappingSpec, RowExporter>();

/** The source row of a record (see compileExport); the compiled export is kept per spec object. */
export function exportRow(spec: MappingSpec, record: Readonly<Record<string, unknown>>, options?: ExportOptions): Record<string, unknown> | null {
  let exporter = compiled.get(spec);
  if (!exporter) {
    exporter = compileExport(spec);
    compiled.set(spec, exporter);
  }
  return exporter(record, options);
}
