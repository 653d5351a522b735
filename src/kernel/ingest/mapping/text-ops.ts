/** Text transform ops: whitespace and case, SAP keys, padding, slicing, literal and safe regex replacement. */
import Type from 'typebox';
import { unsafePatternReason } from './safe-regex.ts';
import { defineOp, identityInverse, notRepresentable, textStep, type TransformOp } from './transform-op.ts';

const none = Type.Object({}, { additionalProperties: false });
const fixedPointInverse = 'identity (a canonical value is already in this form)';

const trim = defineOp({
  name: 'trim',
  summary: 'Removes leading and trailing whitespace.',
  options: none,
  list: 'map',
  produces: () => 'same',
  compile: () => textStep((text) => text.trim()),
  invert: () => identityInverse,
  inverse: fixedPointInverse,
});

/** Whitespace other than single spaces: most values have none, and then a trim is enough. */
const needsCollapse = /\s\s|[^\S ]/;

const collapseWhitespace = defineOp({
  name: 'collapseWhitespace',
  summary: 'Trims and turns every run of whitespace (tabs, line breaks, no-break spaces) into one space.',
  options: none,
  list: 'map',
  produces: () => 'same',
  compile: () => textStep((text) => (needsCollapse.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim())),
  invert: () => identityInverse,
  inverse: fixedPointInverse,
});

const upper = defineOp({
  name: 'upper',
  summary: 'Upper case (locale independent).',
  options: none,
  list: 'map',
  produces: () => 'same',
  compile: () => textStep((text) => text.toUpperCase()),
  invert: () => identityInverse,
  inverse: fixedPointInverse,
});

const lower = defineOp({
  name: 'lower',
  summary: 'Lower case (locale independent).',
  options: none,
  list: 'map',
  produces: () => 'same',
  compile: () => textStep((text) => text.toLowerCase()),
  invert: () => identityInverse,
  inverse: fixedPointInverse,
});

/**
 * Title Case by one pass over the lower-cased text, copying only the letters it changes (a regex
 * replace with a callback, or a per-character iterator, costs several times more per row).
 */
function titleCase(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  let copied = 0;
  let wordStart = true;
  for (let index = 0; index < lower.length; index++) {
    const code = lower.charCodeAt(index);
    if (wordStart) {
      const width = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
      const char = lower.slice(index, index + width);
      const upper = char.toUpperCase();
      // A letter whose upper case is longer (ß -> SS) stays: "Ss" would not survive a second pass.
      if (upper !== char && upper.length === char.length) {
        out += lower.slice(copied, index) + upper;
        copied = index + width;
      }
      index += width - 1;
    }
    wordStart = code <= 32 || code === 160 || code === 45 || code === 47 || code === 40; // space/control, no-break space, - / (
  }
  return copied === 0 ? lower : out + lower.slice(copied);
}

const title = defineOp({
  name: 'title',
  summary: 'Title Case: lower case, then the first character of each word (after a space or control character, no-break space, hyphen, slash, parenthesis) upper.',
  options: none,
  list: 'map',
  produces: () => 'same',
  compile: () => textStep(titleCase),
  invert: () => identityInverse,
  inverse: fixedPointInverse,
});

const allDigits = /^[0-9]+$/;
const stripLeadingZeros = defineOp({
  name: 'stripLeadingZeros',
  summary: 'SAP ALPHA keys: trims, and an all-digit value loses its leading zeros ("0000012345" -> "12345"); alphanumeric values are kept. An all-zero value becomes "0" (allZero: zero) or empty (allZero: empty).',
  options: Type.Object(
    {
      allZero: Type.Optional(Type.Enum(['zero', 'empty'], { description: 'What an all-zero value becomes; default zero ("0").' })),
      width: Type.Optional(Type.Integer({ minimum: 1, maximum: 40, description: 'Export only: pad all-digit values back to this width (KUNNR 10, MATNR 18).' })),
    },
    { additionalProperties: false },
  ),
  list: 'map',
  produces: () => 'same',
  compile: ({ allZero = 'zero' }) =>
    textStep((text) => {
      const trimmed = text.trim();
      if (!allDigits.test(trimmed)) return trimmed;
      const stripped = trimmed.replace(/^0+/, '');
      return stripped.length > 0 ? stripped : allZero === 'zero' ? '0' : '';
    }),
  invert: ({ width }) => (width === undefined ? identityInverse : (value) => (typeof value === 'string' && allDigits.test(value) ? value.padStart(width, '0') : value)),
  inverse: 'pads all-digit values with zeros to `width` when given, else identity',
});

const padStart = defineOp({
  name: 'padStart',
  summary: 'Pads a non-empty value at the start to `length` with `fill` (default "0").',
  options: Type.Object({ length: Type.Integer({ minimum: 1, maximum: 255 }), fill: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'same',
  compile: ({ length, fill = '0' }) => textStep((text) => (text.length === 0 ? text : text.padStart(length, fill))),
  invert:
    ({ length }) =>
    (value) =>
      value === null || (typeof value === 'string' && value.length >= length) ? value : notRepresentable,
  inverse: 'identity (a padded value maps to itself); shorter values cannot come from the source',
});

const substring = defineOp({
  name: 'substring',
  summary: 'The characters from `start` (0-based), `length` of them or to the end.',
  options: Type.Object({ start: Type.Integer({ minimum: 0 }), length: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'same',
  compile: ({ start, length }) => textStep((text) => (length === undefined ? text.slice(start) : text.slice(start, start + length))),
  inverse: 'none (drops characters)',
});

const replace = defineOp({
  name: 'replace',
  summary: 'Replaces every occurrence of the literal text `find` with `with` (default "").',
  options: Type.Object({ find: Type.String({ minLength: 1 }), with: Type.Optional(Type.String()) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'same',
  compile: ({ find, with: replacement = '' }) => textStep((text) => text.split(find).join(replacement)),
  inverse: 'none',
});

const regexReplace = defineOp({
  name: 'regexReplace',
  summary: 'Replaces every match of a safe regular expression `pattern` (no nested quantifiers, no backreferences, at most 256 characters) with `with` ($1 for groups); `flags` among i, m, s, u.',
  options: Type.Object({ pattern: Type.String({ minLength: 1 }), with: Type.Optional(Type.String()), flags: Type.Optional(Type.String({ pattern: '^[imsu]*$' })) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'same',
  check: ({ pattern, flags }) => {
    const reason = unsafePatternReason(pattern, flags);
    return reason ? [{ path: '/pattern', detail: `unsafe or invalid pattern: ${reason}` }] : [];
  },
  compile: ({ pattern, with: replacement = '', flags = '' }) => {
    const regex = new RegExp(pattern, `${flags}g`);
    return textStep((text) => text.replace(regex, replacement));
  },
  inverse: 'none',
});

export const textOps: readonly TransformOp[] = [trim, collapseWhitespace, upper, lower, title, stripLeadingZeros, padStart, substring, replace, regexReplace];
