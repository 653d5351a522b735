/** Code ops: inline lookup tables, built-in code lists, text per language, references to other records. */
import Type from 'typebox';
import { codeLists, languageTag, sapLanguageKey } from './code-lists.ts';
import { conditionText } from './conditions.ts';
import { escapePointer } from '../../shared/index.ts';
import { defineOp, fail, isEmptyValue, notRepresentable, textOf, TransformFailure, type Step, type TransformOp } from './transform-op.ts';

const otherwise = Type.Optional(Type.Enum(['keep', 'null', 'reject'], { description: 'A code not in the table: kept as is, emptied, or refused (default).' }));
type Otherwise = 'keep' | 'null' | 'reject';

/** The shared body of `lookup` and `codeList`: empty passes (or maps through a "" entry), an unknown code per `otherwise`. */
function codeStep(normalize: (text: string) => string, find: (key: string) => unknown, unknown: Otherwise, expected: string): Step {
  const blank = find('');
  return (value) => {
    if (isEmptyValue(value)) return blank === undefined ? null : blank;
    const text = textOf(value);
    if (text instanceof TransformFailure) return text;
    const key = normalize(text);
    const found = find(key);
    if (found !== undefined) return found;
    if (unknown === 'keep') return text.trim();
    if (unknown === 'null') return null;
    return fail('ingest.unknown_code', `unknown code "${text.trim()}": expected ${expected}`);
  };
}

function listed(keys: readonly string[]): string {
  const shown = keys.slice(0, 20).map((key) => JSON.stringify(key));
  return keys.length > 20 ? `${shown.join(', ')}, ... (${keys.length} codes)` : shown.join(', ');
}

const lookup = defineOp({
  name: 'lookup',
  summary: 'Maps the trimmed value through the inline `table` (code -> value; a "" entry maps blanks); an unknown code per `otherwise`: keep | null | reject (default). `caseInsensitive` compares codes without case.',
  options: Type.Object(
    { table: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])), otherwise, caseInsensitive: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  list: 'map',
  produces: () => 'any',
  check: ({ table }) => (Object.keys(table).length === 0 ? [{ path: '/table', detail: 'must have at least one entry' }] : []),
  compile: ({ table, otherwise: unknown = 'reject', caseInsensitive = false }) => {
    const normalize = caseInsensitive ? (text: string) => text.trim().toUpperCase() : (text: string) => text.trim();
    const entries = new Map(Object.entries(table).map(([key, value]) => [normalize(key), value]));
    return codeStep(normalize, (key) => entries.get(key), unknown, listed(Object.keys(table)));
  },
  literals: ({ table }) => Object.entries(table).map(([key, value]) => ({ path: `/table/${escapePointer(key)}`, value })),
  invert: ({ table, otherwise: unknown = 'reject', caseInsensitive = false }) => {
    const reverse = new Map<unknown, string>();
    for (const [key, value] of Object.entries(table)) if (!reverse.has(value)) reverse.set(value, key);
    const keys = new Set(Object.keys(table).map((key) => (caseInsensitive ? key.trim().toUpperCase() : key.trim())));
    const blankTaken = keys.has('');
    return (value) => {
      const key = reverse.get(value);
      if (key !== undefined) return key;
      if (value === null) return blankTaken ? notRepresentable : null;
      if (unknown !== 'keep' || typeof value !== 'string') return notRepresentable;
      return keys.has(caseInsensitive ? value.trim().toUpperCase() : value.trim()) ? notRepresentable : value;
    };
  },
  inverse: 'the first code of the table that maps to the value; with otherwise: keep, a value that is no code maps to itself',
});

const codeList = defineOp({
  name: 'codeList',
  summary: `Maps through a built-in list: ${Object.entries(codeLists)
    .map(([name, list]) => `\`${name}\` (${list.description})`)
    .join('; ')}. An unknown code per \`otherwise\` (default reject).`,
  options: Type.Object({ list: Type.Enum(Object.keys(codeLists) as (keyof typeof codeLists)[]), otherwise }, { additionalProperties: false }),
  list: 'map',
  produces: ({ list }) => (list === 'sapBoolean' ? 'boolean' : 'text'),
  compile: ({ list, otherwise: unknown = 'reject' }) => {
    const codes = codeLists[list];
    return codeStep(codes.normalize, codes.lookup, unknown, `a code of ${list} such as ${listed(codes.sample)}`);
  },
  invert: ({ list, otherwise: unknown = 'reject' }) => {
    const codes = codeLists[list];
    const blankTaken = codes.lookup('') !== undefined;
    return (value) => {
      if (value === null) return blankTaken ? notRepresentable : null;
      const code = codes.reverse(value);
      if (code !== undefined) return code;
      return unknown === 'keep' && typeof value === 'string' && codes.lookup(codes.normalize(value)) === undefined ? value : notRepresentable;
    };
  },
  inverse: 'the preferred source code of the value (ST for H87, DEU for DE, the English name for countryName, X/blank)',
});

const localeTag = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' });

const localized = defineOp({
  name: 'localized',
  summary: 'Text -> localized text {lang: text}: in `language` (de), in the language named by the source field `languageFrom` (SAP SPRAS D/E/F... or ISO; `language` is then the fallback for a blank key), or a list `from` several fields zipped with `languages`.',
  options: Type.Object({ language: Type.Optional(localeTag), languageFrom: Type.Optional(Type.String({ minLength: 1 })), languages: Type.Optional(Type.Array(localeTag, { minItems: 1 })) }, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'localizedText',
  check: ({ language, languageFrom, languages }) => {
    if (languages && (language || languageFrom)) return [{ path: '/languages', detail: 'give `languages` alone, or `language`/`languageFrom`' }];
    return languages || language || languageFrom ? [] : [{ path: '', detail: 'needs `language`, `languageFrom` or `languages`' }];
  },
  compile: ({ language, languageFrom, languages }) => {
    if (languages) return zipLanguages(languages);
    return (value, row) => {
      if (Array.isArray(value)) return fail('ingest.invalid_value', 'several values: use `languages`');
      if (isEmptyValue(value)) return null;
      const text = textOf(value);
      if (text instanceof TransformFailure) return text;
      const key = languageFrom === undefined ? '' : conditionText(row[languageFrom]);
      const tag = key === '' ? language : languageTag(key);
      if (tag === undefined) return fail('ingest.unknown_code', key === '' ? `no language in ${languageFrom}` : `unknown language "${key}": expected a SAP language key (D, E, F...) or an ISO 639 code`);
      return { [tag]: text };
    };
  },
  reads: ({ languageFrom }) => (languageFrom === undefined ? [] : [languageFrom]),
  invert: ({ language, languageFrom, languages }) => {
    if (languages) return 'several source fields';
    return (value, columns) => {
      if (value === null) return null;
      if (typeof value !== 'object' || Array.isArray(value)) return notRepresentable;
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string') return notRepresentable;
      const [tag, text] = entries[0] as [string, string];
      if (languageFrom === undefined) return tag === language ? text : notRepresentable;
      columns[languageFrom] = sapLanguageKey(tag);
      return text;
    };
  },
  inverse: 'the text of the one language; with languageFrom, its SAP key (or ISO code) written to that field',
});

function zipLanguages(languages: readonly string[]): Step {
  return (value) => {
    const parts = Array.isArray(value) ? value : [value];
    const out: Record<string, string> = {};
    let any = false;
    for (let index = 0; index < languages.length && index < parts.length; index++) {
      if (isEmptyValue(parts[index])) continue;
      const text = textOf(parts[index]);
      if (text instanceof TransformFailure) return text;
      out[languages[index]!] = text;
      any = true;
    }
    return any ? out : null;
  };
}

/** What the `reference` op emits; the pipeline resolves it set-based against the cross-reference or a field of the entity. */
export interface ReferenceMarker {
  readonly $ref: { readonly entity: string; readonly by: string; readonly value: string };
}

export function isReferenceMarker(value: unknown): value is ReferenceMarker {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return false;
  const ref = (value as { $ref: unknown }).$ref as Record<string, unknown> | null;
  return typeof ref === 'object' && ref !== null && typeof ref.entity === 'string' && typeof ref.by === 'string' && typeof ref.value === 'string';
}

const identifier = Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' });

const reference = defineOp({
  name: 'reference',
  summary: 'A reference to a record of `entity` by its source key (`by: sourceKey`, default) or by one of its fields: emits {$ref: {entity, by, value}}, resolved set-based by the pipeline.',
  options: Type.Object({ entity: identifier, by: Type.Optional(identifier) }, { additionalProperties: false }),
  list: 'refuse',
  produces: () => 'reference',
  check: ({ entity }, { field }) => (field?.kind === 'reference' && field.entity !== entity ? [{ path: '/entity', detail: `the field references ${field.entity}, not ${entity}` }] : []),
  compile: ({ entity, by = 'sourceKey' }) => {
    return (value) => {
      if (isEmptyValue(value)) return null;
      const text = textOf(value);
      if (text instanceof TransformFailure) return text;
      return { $ref: { entity, by, value: text.trim() } } satisfies ReferenceMarker;
    };
  },
  invert:
    ({ entity, by = 'sourceKey' }) =>
    (value) =>
      value === null ? null : isReferenceMarker(value) && value.$ref.entity === entity && value.$ref.by === by ? value.$ref.value : notRepresentable,
  inverse: "the marker's value (a resolved id needs the cross-reference first)",
});

export const codeOps: readonly TransformOp[] = [lookup, codeList, localized, reference];
