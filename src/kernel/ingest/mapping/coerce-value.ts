/**
 * The last step of every field: a non-empty value becomes the kind of its field (text -> string,
 * integer -> safe integer, decimal -> text with the field's scale, ...). Lengths, patterns, ranges
 * and required-ness are not checked here: the pipeline validates the whole record after normalization.
 */
import type { FieldDef } from '../../model/index.ts';
import { isIsoDate } from './calendar.ts';
import { isReferenceMarker } from './code-ops.ts';
import { decimalTextPattern, minorDigitsOf, rescaleDecimal, toMinorUnits } from './decimal-text.ts';
import { numberParser } from './parse-number.ts';
import { fail, numberText, textOf, TransformFailure } from './transform-op.ts';

export type Coercion = (value: unknown) => unknown;

const plainNumber = numberParser({ decimalSeparator: '.', thousandsSeparator: '', trailingMinus: false });
const rfc3339Pattern = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const currencyPattern = /^[A-Z]{3}$/;
const localePattern = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decimal text of a number or of plain number text ("12.5"), or a failure. */
function decimalOf(value: unknown): string | TransformFailure {
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : fail('ingest.invalid_number', 'not a finite number');
  if (typeof value !== 'string') return fail('ingest.invalid_number', 'not a number');
  if (decimalTextPattern.test(value)) return value;
  return plainNumber(value) ?? fail('ingest.invalid_number', `not a number: "${value.trim()}" (use a number step for source formats)`);
}

/** The coercion of one field kind, made once per field when a mapping compiles. */
export function compileCoercion(def: FieldDef): Coercion {
  switch (def.kind) {
    case 'text':
      return (value) => (typeof value === 'string' ? value : isObject(value) || Array.isArray(value) ? fail('ingest.invalid_value', 'not text') : textOf(value));
    case 'integer':
      return (value) => {
        const decimal = decimalOf(value);
        if (decimal instanceof TransformFailure) return decimal;
        const whole = rescaleDecimal(decimal, 0, 'reject');
        const number = whole === null ? NaN : Number(whole);
        return Number.isSafeInteger(number) ? number : fail('ingest.invalid_number', `not a whole number: "${decimal}"`);
      };
    case 'decimal': {
      const scale = def.scale ?? 4;
      return (value) => {
        const decimal = decimalOf(value);
        if (decimal instanceof TransformFailure) return decimal;
        return rescaleDecimal(decimal, scale, 'reject') ?? fail('ingest.invalid_number', `more than ${scale} decimals: "${decimal}" (round with a decimal step)`);
      };
    }
    case 'money':
      return coerceMoney(def);
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : fail('ingest.invalid_value', 'not true or false (use a boolean step)'));
    case 'date':
      return (value) => (typeof value === 'string' && isIsoDate(value) ? value : fail('ingest.invalid_date', 'not a date YYYY-MM-DD (use a date step)'));
    case 'timestamp':
      return (value) => {
        const ms = typeof value === 'string' && rfc3339Pattern.test(value) ? Date.parse(value) : NaN;
        return Number.isNaN(ms) ? fail('ingest.invalid_date', 'not an RFC 3339 timestamp (use a timestamp step)') : new Date(ms).toISOString();
      };
    case 'enum':
      return coerceEnum(def.values ?? []);
    case 'json':
      return (value) => (isObject(value) ? value : fail('ingest.invalid_value', 'not an object'));
    case 'reference':
      return (value) => {
        if (isReferenceMarker(value)) return def.entity === value.$ref.entity ? value : fail('ingest.invalid_value', `references ${value.$ref.entity}, not ${def.entity}`);
        return typeof value === 'string' && uuidPattern.test(value) ? value.toLowerCase() : fail('ingest.invalid_value', 'not a record id (use a reference step for source keys)');
      };
    case 'localizedText':
      return (value) => (isObject(value) && Object.entries(value).every(([tag, text]) => localePattern.test(tag) && typeof text === 'string') ? value : fail('ingest.invalid_value', 'not localized text {lang: text} (use a localized step)'));
  }
}

function coerceEnum(values: readonly string[]): (value: unknown) => unknown {
  const allowed = new Set(values);
  const listed = values.join(', ');
  return (value) => {
    const text = textOf(value);
    if (text instanceof TransformFailure) return text;
    return allowed.has(text) ? text : fail('ingest.unknown_code', `"${text}" is not one of ${listed} (map it with a lookup)`);
  };
}

/** Money from a money step; plain decimal text too when the field fixes its currency. */
function coerceMoney(def: FieldDef): (value: unknown) => unknown {
  const fixed = def.currency;
  return (value) => {
    if (isObject(value)) {
      const { amount, currency } = value;
      if (!Number.isSafeInteger(amount) || typeof currency !== 'string' || !currencyPattern.test(currency)) return fail('ingest.invalid_value', 'not money {amount, currency}');
      if (fixed && currency !== fixed) return fail('ingest.invalid_value', `in ${currency}, the field is in ${fixed}`);
      return value;
    }
    if (!fixed) return fail('ingest.invalid_value', 'not money (use a money step with a currency)');
    const decimal = decimalOf(value);
    if (decimal instanceof TransformFailure) return decimal;
    const units = toMinorUnits(decimal, minorDigitsOf(fixed), 'reject');
    return units === null || !Number.isSafeInteger(Number(units)) ? fail('ingest.invalid_number', `not an amount in ${fixed}: "${decimal}"`) : { amount: Number(units), currency: fixed };
  };
}
