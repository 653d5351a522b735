/** Value ops: defaults and constants, values that mean empty, conditional values, booleans. */
import Type from 'typebox';
import type { MappingCondition } from '../ingest.contract.ts';
import { checkCondition, compileCondition, conditionColumns } from './conditions.ts';
import { deepFreeze, defineOp, fail, isEmptyValue, notRepresentable, textOf, textStep, TransformFailure, type TransformOp } from './transform-op.ts';

const scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const defaultOp = defineOp({
  name: 'default',
  summary: 'An empty value (null, "", blank) becomes `value`.',
  options: Type.Object({ value: scalar }, { additionalProperties: false }),
  list: 'refuse',
  produces: () => 'any',
  compile:
    ({ value: fallback }) =>
    (value) =>
      isEmptyValue(value) ? fallback : value,
  literals: ({ value }) => [{ path: '/value', value }],
  invert: () => (value) => (value === null ? notRepresentable : value),
  inverse: 'identity; a null cannot come back (it would become `value`)',
});

const constant = defineOp({
  name: 'constant',
  summary: 'Replaces the value with `value` (any JSON value).',
  options: Type.Object({ value: Type.Unknown() }, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'any',
  compile: ({ value }) => {
    const fixed = deepFreeze(structuredClone(value ?? null));
    return () => fixed;
  },
  literals: ({ value }) => [{ path: '/value', value }],
  invert: () => 'a constant does not depend on the source (map the field with `constant` instead)',
  inverse: 'none (use the field-level `constant`, which export skips)',
});

const nullIf = defineOp({
  name: 'nullIf',
  summary: 'A value whose trimmed text is one of `values` becomes empty ("N/A", "-", "00000000").',
  options: Type.Object({ values: Type.Array(Type.String(), { minItems: 1 }) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'same',
  compile: ({ values }) => {
    const empty = new Set(values.map((value) => value.trim()));
    return textStep((text) => (empty.has(text.trim()) ? null : text));
  },
  invert:
    ({ values }) =>
    (value) =>
      typeof value === 'string' && values.some((item) => item.trim() === value.trim()) ? notRepresentable : value,
  inverse: 'identity; a value in `values` cannot come back',
});

const when = defineOp({
  name: 'when',
  summary: 'If the condition `if` on the source row holds, the value becomes `then`, otherwise `else`; an absent branch keeps the value (AUFSD not empty -> "blocked").',
  options: Type.Object({ if: Type.Unknown(), then: Type.Optional(Type.Unknown()), else: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'any',
  check: (options) => [
    ...checkCondition(options.if, '/if').map(({ pointer, detail }) => ({ path: pointer, detail })),
    ...('then' in options || 'else' in options ? [] : [{ path: '', detail: 'needs `then`, `else` or both' }]),
  ],
  compile: (options) => {
    const holds = compileCondition(options.if as MappingCondition);
    const hasThen = 'then' in options;
    const hasElse = 'else' in options;
    const [then, otherwise] = [deepFreeze(structuredClone(options.then)), deepFreeze(structuredClone(options.else))];
    return (value, row) => (holds(row) ? (hasThen ? then : value) : hasElse ? otherwise : value);
  },
  reads: (options) => conditionColumns(options.if as MappingCondition),
  literals: (options) => [...('then' in options ? [{ path: '/then', value: options.then }] : []), ...('else' in options ? [{ path: '/else', value: options.else }] : [])],
  invert: () => 'depends on other source fields',
  inverse: 'none',
});

const not = defineOp({
  name: 'not',
  summary: 'Negates a boolean (after `boolean` or `codeList: sapBoolean`): a deletion flag becomes `active`.',
  options: Type.Object({}, { additionalProperties: false }),
  list: 'refuse',
  produces: () => 'boolean',
  compile: () => (value) => (value === null || value === undefined ? null : typeof value === 'boolean' ? !value : fail('ingest.invalid_value', 'not a boolean: add a boolean step first')),
  invert: () => (value) => (value === null ? null : typeof value === 'boolean' ? !value : notRepresentable),
  inverse: 'negation',
});

export const defaultTrueValues = ['X', 'Y', 'YES', 'J', 'JA', 'TRUE', 'T', '1', 'OUI', 'O'];
export const defaultFalseValues = ['', 'N', 'NO', 'NEIN', 'FALSE', 'F', '0', 'NON'];

const booleanOp = defineOp({
  name: 'boolean',
  summary: `Text -> true/false, without case, trimmed. Defaults: true ${defaultTrueValues.join('/')}; false blank/${defaultFalseValues.slice(1).join('/')} (SAP X/blank). Blank is false when "" is in falseValues, true when in trueValues, else empty.`,
  options: Type.Object({ trueValues: Type.Optional(Type.Array(Type.String(), { minItems: 1 })), falseValues: Type.Optional(Type.Array(Type.String(), { minItems: 1 })) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'boolean',
  check: ({ trueValues = defaultTrueValues, falseValues = defaultFalseValues }) => {
    const truthy = new Set(trueValues.map((value) => value.trim().toUpperCase()));
    const both = falseValues.filter((value) => truthy.has(value.trim().toUpperCase()));
    return both.length > 0 ? [{ path: '/falseValues', detail: `${both.map((value) => JSON.stringify(value)).join(', ')} also in trueValues` }] : [];
  },
  compile: ({ trueValues = defaultTrueValues, falseValues = defaultFalseValues }) => {
    const truthy = new Set(trueValues.map((value) => value.trim().toUpperCase()));
    const falsy = new Set(falseValues.map((value) => value.trim().toUpperCase()));
    const blank = truthy.has('') ? true : falsy.has('') ? false : null;
    const expected = `${[...truthy].map((value) => JSON.stringify(value)).join(', ')} or ${[...falsy].map((value) => JSON.stringify(value)).join(', ')}`;
    return (value) => {
      if (typeof value === 'boolean') return value;
      if (isEmptyValue(value)) return blank;
      const text = textOf(value);
      if (text instanceof TransformFailure) return text;
      const key = text.trim().toUpperCase();
      if (truthy.has(key)) return true;
      if (falsy.has(key)) return false;
      return fail('ingest.invalid_value', `not a yes/no value: expected ${expected}`);
    };
  },
  invert: ({ trueValues = defaultTrueValues, falseValues = defaultFalseValues }) => {
    const blankMeans = trueValues.some((value) => value.trim() === '') ? true : falseValues.some((value) => value.trim() === '') ? false : null;
    return (value) => (value === true ? trueValues[0] : value === false ? falseValues[0] : value === null && blankMeans === null ? null : notRepresentable);
  },
  inverse: 'true -> the first of trueValues, false -> the first of falseValues',
});

export const valueOps: readonly TransformOp[] = [defaultOp, constant, nullIf, when, not, booleanOp];
