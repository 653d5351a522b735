/**
 * The mapping spec document: its TypeBox schema (the shape, for routes and OpenAPI) and
 * validateMappingSpec, which adds what a schema cannot know: the target's fields, the ops and their
 * options, conditions, and what a chain produces. Every problem is reported, each with a JSON pointer;
 * a spec that passes compiles.
 */
import Type from 'typebox';
import type { MappingSpec, SpecProblem } from '../ingest.contract.ts';
import { buildMapping, columnReads } from './build-mapping.ts';
import { checkFieldMapping } from './check-field-mapping.ts';
import { checkMatching, checkMissing, checkNormalize, checkSource, checkSourceOwned } from './check-spec-sections.ts';
import { checkCondition } from './conditions.ts';
import { requiredFieldNames, resolveTargetField, type MappingTarget } from './mapping-target.ts';
import { isPointerColumn, pointerColumnProblem } from './source-pointers.ts';
import { pointerOf, schemaProblems } from './spec-problems.ts';
import { isRecord, jsonPointerPattern } from '../../shared/index.ts';

const columnName = Type.String({ minLength: 1, maxLength: 200 });
const canonicalName = Type.String({ minLength: 1, maxLength: 100 });

const fieldMappingSchema = Type.Object(
  {
    from: Type.Optional(Type.Union([columnName, Type.Array(columnName, { minItems: 1, maxItems: 20 })], { description: 'Source field(s); several start the chain as a list. In json and ndjson sources a field that begins with "/" is a JSON Pointer into the record (nested members, such as /to_BusinessPartnerAddress/results/0/CityName).' })),
    constant: Type.Optional(Type.Unknown({ description: 'A fixed value instead of a source field.' })),
    transforms: Type.Optional(Type.Array(Type.Object({ op: Type.String({ minLength: 1 }) }, { additionalProperties: true }), { maxItems: 32, description: 'Steps in order; options depend on `op`.' })),
    default: Type.Optional(Type.Unknown({ description: 'The value when the result is empty.' })),
    when: Type.Optional(Type.Unknown({ description: 'A condition on the source row: the field is mapped only when it holds.' })),
  },
  { additionalProperties: false },
);

export const mappingSpecSchema = Type.Object(
  {
    specVersion: Type.Literal(1),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    entity: canonicalName,
    system: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    source: Type.Object(
      {
        format: Type.Enum(['csv', 'ndjson', 'json']),
        encoding: Type.Optional(Type.Enum(['auto', 'utf-8', 'windows-1252', 'iso-8859-1'])),
        delimiter: Type.Optional(Type.Enum(['auto', ',', ';', '\t', '|'])),
        header: Type.Optional(Type.Union([Type.Boolean(), Type.Array(columnName, { minItems: 1 })])),
        records: Type.Optional(Type.String({ maxLength: 500, pattern: jsonPointerPattern, description: 'json only: JSON Pointer to the array of records, such as /d/results (SAP OData v2) or /value (OData v4)' })),
        columns: Type.Optional(Type.Enum(['pointers', 'names'], { description: 'json and ndjson: a column that begins with "/" is a JSON Pointer into the record (pointers, the default) or a member name of a flat record (names)' })),
        maxFieldLength: Type.Optional(Type.Integer({ minimum: 1 })),
        maxRecordLength: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
    key: fieldMappingSchema,
    fields: Type.Record(canonicalName, fieldMappingSchema, { minProperties: 1 }),
    normalize: Type.Optional(Type.Record(canonicalName, Type.Unknown({ description: 'text, name, address, email, upper, lower, gtin, or {kind: phone|taxId, countryField?, defaultCountry?}' }))),
    deletion: Type.Optional(Type.Unknown({ description: 'A condition on the source row marking the record deleted.' })),
    matching: Type.Optional(
      Type.Object(
        {
          exact: Type.Optional(Type.Array(canonicalName, { minItems: 1 })),
          fuzzy: Type.Optional(Type.Object({ fields: Type.Array(canonicalName, { minItems: 1 }), blockBy: Type.Optional(Type.Array(canonicalName)), high: Type.Number(), low: Type.Number() }, { additionalProperties: false })),
          survivorship: Type.Optional(Type.Record(canonicalName, Type.Unknown({ description: 'Per field, which side wins on a merge: source, local, nonEmpty (the source unless empty), fillEmpty (the record unless empty)' }))),
        },
        { additionalProperties: false },
      ),
    ),
    sourceOwned: Type.Optional(Type.Array(canonicalName)),
    missing: Type.Optional(Type.Object({ action: Type.Enum(['deactivate', 'softDelete', 'ignore']), field: Type.Optional(canonicalName), value: Type.Optional(Type.Unknown()) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type SpecValidation = { readonly ok: true; readonly spec: MappingSpec } | { readonly ok: false; readonly problems: SpecProblem[] };

/** Validates a spec document for a target: every problem at once, each with a JSON pointer. */
export function validateMappingSpec(input: unknown, target: MappingTarget): SpecValidation {
  if (!isRecord(input)) return { ok: false, problems: [{ pointer: '', detail: 'a mapping spec is a JSON object' }] };
  const problems = unique([...schemaProblems(mappingSpecSchema, input), ...checkSemantics(input, target)]);
  if (problems.length === 0) {
    const spec = input as unknown as MappingSpec;
    problems.push(...checkHeader(spec), ...checkPointerColumns(spec));
    try {
      buildMapping(spec, target);
    } catch (error) {
      problems.push({ pointer: '', detail: `does not compile: ${(error as Error).message}` });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, spec: input as unknown as MappingSpec };
}

function checkSemantics(spec: Record<string, unknown>, target: MappingTarget): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (typeof spec.entity === 'string' && spec.entity !== target.entity.name) problems.push({ pointer: '/entity', detail: `the target entity is ${target.entity.name}` });
  const format = isRecord(spec.source) && typeof spec.source.format === 'string' ? spec.source.format : 'csv';
  problems.push(...checkSource(spec.source), ...checkFieldMapping(spec.key, { def: undefined, name: '$key', format }, '/key'));
  const mapped = new Set<string>();
  for (const [name, mapping] of Object.entries(isRecord(spec.fields) ? spec.fields : {})) {
    const resolved = resolveTargetField(target, name);
    if (!resolved.ok) {
      problems.push({ pointer: pointerOf('fields', name), detail: resolved.detail });
      continue;
    }
    mapped.add(name);
    problems.push(...checkFieldMapping(mapping, { def: resolved.def, name, format }, pointerOf('fields', name)));
  }
  if (isRecord(spec.fields)) {
    for (const name of requiredFieldNames(target)) if (!mapped.has(name)) problems.push({ pointer: pointerOf('fields', name), detail: `required by ${target.entity.name} (no default) but not mapped` });
  }
  if (spec.deletion !== undefined) problems.push(...checkCondition(spec.deletion, '/deletion'));
  const context = { target, mapped };
  problems.push(...checkNormalize(spec.normalize, context), ...checkMatching(spec.matching, context), ...checkSourceOwned(spec.sourceOwned, context), ...checkMissing(spec.missing, context));
  return problems;
}

/** With a header list, every source field the spec reads must be in it. */
function checkHeader(spec: MappingSpec): SpecProblem[] {
  const header = spec.source.header;
  if (!Array.isArray(header)) return [];
  const known = new Set(header);
  return columnReads(spec).flatMap(({ pointer, columns }) => columns.filter((column) => !known.has(column)).map((column) => ({ pointer, detail: `reads "${column}", which is not in source.header` })));
}

/** In JSON and NDJSON, a column that begins with "/" must be a JSON Pointer into the record (unless the source reads columns as names). */
function checkPointerColumns(spec: MappingSpec): SpecProblem[] {
  return columnReads(spec).flatMap(({ pointer, columns }) =>
    columns.flatMap((column) => {
      const detail = isPointerColumn(spec.source, column) ? pointerColumnProblem(column) : undefined;
      return detail === undefined ? [] : [{ pointer, detail }];
    }),
  );
}

function unique(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const id = `${problem.pointer}\u0000${problem.detail}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
