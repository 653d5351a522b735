/**
 * Ops between lists and text. A field mapped `from` several source fields starts as a list (one value
 * per field); `split` makes a list of one value; `join`, `concat` and `coalesce` make one value again.
 */
import Type from 'typebox';
import { defineOp, isEmptyValue, notRepresentable, textOf, textStep, TransformFailure, type TransformOp } from './transform-op.ts';

const split = defineOp({
  name: 'split',
  summary: 'Splits text at every literal `separator` into a list; with `index`, the part at that index (negative: from the end; none there: empty).',
  options: Type.Object({ separator: Type.String({ minLength: 1 }), index: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
  list: 'refuse',
  produces: ({ index }) => (index === undefined ? 'list' : 'text'),
  compile: ({ separator, index }) =>
    textStep((text) => {
      const parts = text.split(separator);
      return index === undefined ? parts : (parts.at(index) ?? null);
    }),
  inverse: 'none',
});

/** The parts of a list as text, failing on a part that is not a scalar. */
function partsOf(value: unknown[]): (string | null)[] | TransformFailure {
  const parts: (string | null)[] = [];
  for (const item of value) {
    if (item === null || item === undefined) {
      parts.push(null);
      continue;
    }
    const text = textOf(item);
    if (text instanceof TransformFailure) return text;
    parts.push(text);
  }
  return parts;
}

const join = defineOp({
  name: 'join',
  summary: 'Joins a list into text with `separator` (default " "), skipping empty and blank parts (NAME1 + NAME2); a single value passes as is.',
  options: Type.Object({ separator: Type.Optional(Type.String()) }, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'text',
  compile: ({ separator = ' ' }) => {
    return (value) => {
      if (!Array.isArray(value)) return value === undefined ? null : value;
      let out: string | null = null;
      for (const item of value) {
        if (isEmptyValue(item)) continue;
        const part = textOf(item);
        if (part instanceof TransformFailure) return part;
        out = out === null ? part : `${out}${separator}${part}`;
      }
      return out;
    };
  },
  inverse: 'none (several parts become one)',
});

const concat = defineOp({
  name: 'concat',
  summary: 'A list: its parts concatenated as they are (empty parts as ""). Then `prefix` and `suffix` are added around a non-empty result.',
  options: Type.Object({ prefix: Type.Optional(Type.String()), suffix: Type.Optional(Type.String()) }, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'text',
  compile: ({ prefix = '', suffix = '' }) => {
    const wrap = textStep((text) => (text.length === 0 ? text : `${prefix}${text}${suffix}`));
    return (value, row) => {
      if (!Array.isArray(value)) return wrap(value, row);
      const parts = partsOf(value);
      if (parts instanceof TransformFailure) return parts;
      return wrap(parts.map((part) => part ?? '').join(''), row);
    };
  },
  invert:
    ({ prefix = '', suffix = '' }) =>
    (value) => {
      if (value === null) return null;
      if (typeof value !== 'string' || !value.startsWith(prefix) || !value.endsWith(suffix) || value.length < prefix.length + suffix.length + 1) return notRepresentable;
      return value.slice(prefix.length, value.length - suffix.length);
    },
  inverse: 'strips `prefix` and `suffix` (a single source field only)',
});

const coalesce = defineOp({
  name: 'coalesce',
  summary: 'A list: its first non-empty part (SMTP_ADDR, else a second e-mail column).',
  options: Type.Object({}, { additionalProperties: false }),
  list: 'reduce',
  produces: () => 'same',
  compile: () => (value) => (Array.isArray(value) ? (value.find((part) => !isEmptyValue(part)) ?? null) : (value ?? null)),
  inverse: 'none',
});

export const listOps: readonly TransformOp[] = [split, join, concat, coalesce];
