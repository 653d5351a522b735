/**
 * Number ops. Every number stays exact: source text is parsed to decimal text ("-1234.50"), rescaled
 * with an explicit rounding and turned into minor units in BigInt; no value passes through a float
 * except JSON numbers, which are already floats when read.
 */
import Type from 'typebox';
import { rec20Unit, unitExponents } from './code-lists.ts';
import { decimalTextPattern, formatDecimal, fromMinorUnits, minorAmount, minorDigitsOf, multiplyDecimal, powerOfTen, rescaleDecimal, roundings, tenExponent, type Rounding } from './decimal-text.ts';
import { numberParser } from './parse-number.ts';
import { defineOp, fail, isEmptyValue, notRepresentable, numberText, textOf, TransformFailure, type InverseStep, type OptionProblem, type SourceValues, type Step, type TransformOp } from './transform-op.ts';

const formatOptions = {
  decimalSeparator: Type.Optional(Type.Enum(['.', ','], { description: 'Default ".".' })),
  thousandsSeparator: Type.Optional(Type.Enum(['', '.', ',', ' ', "'", '\u00a0'], { description: 'Default none.' })),
  trailingMinus: Type.Optional(Type.Boolean({ description: 'Accept SAP "12,50-"; default true.' })),
};
interface FormatOptions {
  readonly decimalSeparator?: '.' | ',';
  readonly thousandsSeparator?: string;
  readonly trailingMinus?: boolean;
}

const rounding = Type.Enum([...roundings]);

function checkFormat({ decimalSeparator = '.', thousandsSeparator = '' }: FormatOptions): OptionProblem[] {
  return thousandsSeparator === decimalSeparator ? [{ path: '/thousandsSeparator', detail: 'must differ from decimalSeparator' }] : [];
}

/** A step that parses its input as a number in the source format, then hands the decimal text on. */
function decimalStep(format: FormatOptions, then: (decimal: string, row: SourceValues) => unknown): Step {
  const parse = numberParser({ decimalSeparator: format.decimalSeparator ?? '.', thousandsSeparator: format.thousandsSeparator ?? '', trailingMinus: format.trailingMinus ?? true });
  return (value, row) => {
    if (isEmptyValue(value)) return null;
    if (typeof value === 'number') return Number.isFinite(value) ? then(numberText(value), row) : fail('ingest.invalid_number', 'not a finite number');
    const text = textOf(value);
    if (text instanceof TransformFailure) return text;
    const decimal = parse(text);
    return decimal === null ? fail('ingest.invalid_number', `not a number: "${text.trim()}"`) : then(decimal, row);
  };
}

/** The inverse of a parsing op: decimal text written with the source's decimal separator. */
const decimalInverse =
  (separator: '.' | ',' = '.'): InverseStep =>
  (value) =>
    value === null ? null : typeof value === 'number' ? formatDecimal(numberText(value), separator) : typeof value === 'string' && decimalTextPattern.test(value) ? formatDecimal(value, separator) : notRepresentable;

const number = defineOp({
  name: 'number',
  summary: 'Text -> exact decimal text ("1.234,56" -> "1234.56", "12,50-" -> "-12.50"), with `decimalSeparator` (. or ,), `thousandsSeparator` (none, . , space \' or no-break space, groups of three) and `trailingMinus` (default true).',
  options: Type.Object(formatOptions, { additionalProperties: false }),
  list: 'map',
  produces: () => 'decimal',
  check: checkFormat,
  compile: (options) => decimalStep(options, (decimal) => decimal),
  invert: ({ decimalSeparator }) => decimalInverse(decimalSeparator),
  inverse: 'the decimal with `decimalSeparator`, no grouping, leading minus',
});

const integer = defineOp({
  name: 'integer',
  summary: 'Text -> integer (a safe JavaScript integer), parsed like `number`; a fraction is refused unless `rounding` (halfUp, halfEven, down, up) is given.',
  options: Type.Object({ ...formatOptions, rounding: Type.Optional(rounding) }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'integer',
  check: checkFormat,
  compile: (options) =>
    decimalStep(options, (decimal) => {
      const whole = rescaleDecimal(decimal, 0, options.rounding ?? 'reject');
      if (whole === null) return fail('ingest.invalid_number', `not a whole number: "${decimal}"`);
      const value = Number(whole);
      return Number.isSafeInteger(value) ? value : fail('ingest.invalid_number', `too large: "${decimal}"`);
    }),
  invert: () => (value) => (value === null ? null : Number.isSafeInteger(value) ? String(value) : notRepresentable),
  inverse: 'the integer as text',
});

const decimal = defineOp({
  name: 'decimal',
  summary: 'Text -> decimal text with exactly `scale` fraction digits, parsed like `number`; `rounding` is required: halfUp, halfEven, down, up, or reject (refuse a value that would lose a digit).',
  options: Type.Object({ ...formatOptions, scale: Type.Integer({ minimum: 0, maximum: 30 }), rounding }, { additionalProperties: false }),
  list: 'map',
  produces: () => 'decimal',
  check: checkFormat,
  compile: (options) => decimalStep(options, (text) => rescaleDecimal(text, options.scale, options.rounding) ?? fail('ingest.invalid_number', `more than ${options.scale} decimals: "${text}"`)),
  invert: ({ decimalSeparator }) => decimalInverse(decimalSeparator),
  inverse: 'as `number`',
});

const currencyPattern = /^[A-Z]{3}$/;

const money = defineOp({
  name: 'money',
  summary: 'Text -> {amount: integer minor units, currency}, parsed like `number`, exact (BigInt). Currency: `currency` (EUR) and/or the source field `currencyFrom` (WAERS; `currency` is then the fallback for a blank one). `minorDigits` defaults to the currency\'s (2; JPY 0; TND 3); more digits are refused unless `rounding` is given.',
  options: Type.Object(
    { ...formatOptions, currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })), currencyFrom: Type.Optional(Type.String({ minLength: 1 })), minorDigits: Type.Optional(Type.Integer({ minimum: 0, maximum: 4 })), rounding: Type.Optional(rounding) },
    { additionalProperties: false },
  ),
  list: 'map',
  produces: () => 'money',
  check: (options, { field }) => {
    const problems = checkFormat(options);
    if (!options.currency && !options.currencyFrom) problems.push({ path: '', detail: 'needs `currency` or `currencyFrom`' });
    if (field?.currency && options.currency && options.currency !== field.currency) problems.push({ path: '/currency', detail: `the field is in ${field.currency}` });
    return problems;
  },
  compile: (options) => {
    const roundingMode: Rounding = options.rounding ?? 'reject';
    // The currency of the previous row, resolved: a file rarely changes currency from row to row.
    let lastRaw: unknown = null;
    let lastCurrency: string | undefined;
    let lastDigits = 0;
    return decimalStep(options, (text, row) => {
      const raw = options.currencyFrom === undefined ? '' : row[options.currencyFrom];
      if (raw !== lastRaw || lastCurrency === undefined) {
        const currency = isEmptyValue(raw) ? options.currency : String(raw).trim().toUpperCase();
        if (currency === undefined || !currencyPattern.test(currency)) return fail('ingest.invalid_value', currency === undefined ? `no currency in ${options.currencyFrom}` : `not an ISO 4217 currency: "${currency}"`);
        lastRaw = raw;
        lastCurrency = currency;
        lastDigits = options.minorDigits ?? minorDigitsOf(currency);
      }
      const currency = lastCurrency;
      const digits = lastDigits;
      const amount = minorAmount(text, digits, roundingMode);
      if (amount === 'lost') return fail('ingest.invalid_number', `more than ${digits} decimals for ${currency}: "${text}"`);
      if (amount === 'overflow') return fail('ingest.invalid_number', `amount too large: "${text}"`);
      return { amount, currency };
    });
  },
  reads: ({ currencyFrom }) => (currencyFrom === undefined ? [] : [currencyFrom]),
  invert: (options) => (value, columns) => {
    if (value === null) return null;
    const { amount, currency } = (value ?? {}) as { amount?: unknown; currency?: unknown };
    if (!Number.isSafeInteger(amount) || typeof currency !== 'string') return notRepresentable;
    if (options.currencyFrom === undefined) {
      if (currency !== options.currency) return notRepresentable;
    } else columns[options.currencyFrom] = currency;
    return formatDecimal(fromMinorUnits(amount as number, options.minorDigits ?? minorDigitsOf(currency)), options.decimalSeparator ?? '.');
  },
  inverse: 'the amount as a decimal in the source format; the currency written to `currencyFrom`',
});

const unitConvert = defineOp({
  name: 'unitConvert',
  summary: 'Multiplies a decimal (after `number`) exactly: by `factor` (decimal text, "0.001"), or from unit `from` (or the unit in source field `fromField`, GEWEI) to unit `to`, among mass KG/G/MG/TO, volume L/ML/CL/HL/M3 and length M/CM/MM/KM (SAP or Rec 20 codes). `scale` with `rounding` rounds the result.',
  options: Type.Object(
    { factor: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' })), from: Type.Optional(Type.String()), fromField: Type.Optional(Type.String({ minLength: 1 })), to: Type.Optional(Type.String()), scale: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })), rounding: Type.Optional(rounding) },
    { additionalProperties: false },
  ),
  list: 'map',
  produces: () => 'decimal',
  check: checkUnitConvert,
  compile: ({ factor, from, fromField, to = '', scale, rounding: roundingMode = 'reject' }) => {
    const finish = (product: string) => (scale === undefined ? product : (rescaleDecimal(product, scale, roundingMode) ?? fail('ingest.invalid_number', `more than ${scale} decimals: "${product}"`)));
    const target = unitExponents[rec20Unit(to) ?? ''];
    const fixed = factor ?? (from === undefined ? undefined : powerOfTen(unitExponents[rec20Unit(from)!]!.exponent - target!.exponent));
    return (value, row) => {
      if (isEmptyValue(value)) return null;
      const text = typeof value === 'number' ? numberText(value) : value;
      if (typeof text !== 'string' || !decimalTextPattern.test(text)) return fail('ingest.invalid_number', 'not a decimal: put a number step before unitConvert');
      if (fixed !== undefined) return finish(multiplyDecimal(text, fixed));
      const code = String(row[fromField!] ?? '').trim();
      const unit = unitExponents[rec20Unit(code) ?? ''];
      if (!/[1-9]/.test(text)) return finish(text);
      if (!unit || unit.dimension !== target!.dimension) return fail('ingest.unknown_code', `unit "${code}" in ${fromField} cannot convert to ${to}`);
      return finish(multiplyDecimal(text, powerOfTen(unit.exponent - target!.exponent)));
    };
  },
  reads: ({ fromField }) => (fromField === undefined ? [] : [fromField]),
  invert: ({ factor, from, fromField, to = '' }) => {
    if (fromField !== undefined) {
      return (value, columns) => {
        columns[fromField] = to;
        return value;
      };
    }
    const exponent = factor === undefined ? unitExponents[rec20Unit(from!)!]!.exponent - unitExponents[rec20Unit(to)!]!.exponent : tenExponent(factor);
    if (exponent === undefined) return 'the factor is not a power of ten, so its inverse is not exact';
    const inverseFactor = powerOfTen(-exponent);
    return (value) => (value === null ? null : typeof value === 'string' && decimalTextPattern.test(value) ? multiplyDecimal(value, inverseFactor) : notRepresentable);
  },
  inverse: 'divides by a power-of-ten factor; with fromField, the value stays and `to` is written as its unit',
});

function checkUnitConvert({ factor, from, fromField, to, scale, rounding: roundingMode }: { factor?: string; from?: string; fromField?: string; to?: string; scale?: number; rounding?: Rounding }): OptionProblem[] {
  const given = [factor, from, fromField].filter((option) => option !== undefined).length;
  if (given !== 1) return [{ path: '', detail: 'needs exactly one of factor, from, fromField' }];
  const problems: OptionProblem[] = [];
  if (factor !== undefined && to !== undefined) problems.push({ path: '/to', detail: 'not with factor' });
  if (roundingMode !== undefined && scale === undefined) problems.push({ path: '/rounding', detail: 'needs scale' });
  if (factor !== undefined) return problems;
  const target = unitExponents[rec20Unit(to ?? '') ?? ''];
  if (!target) return [...problems, { path: '/to', detail: `needs a unit of mass, volume or length (${Object.keys(unitExponents).join(', ')} or their SAP codes)` }];
  const source = from === undefined ? undefined : unitExponents[rec20Unit(from) ?? ''];
  if (from !== undefined && !source) problems.push({ path: '/from', detail: 'not a unit of mass, volume or length' });
  if (source && source.dimension !== target.dimension) problems.push({ path: '/from', detail: `${from} (${source.dimension}) does not convert to ${to} (${target.dimension})` });
  return problems;
}

export const numberOps: readonly TransformOp[] = [number, integer, decimal, money, unitConvert];
