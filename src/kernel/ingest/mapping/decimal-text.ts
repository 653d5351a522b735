/**
 * Exact decimals as text ("-1234.50"): rescaling with an explicit rounding, products and minor
 * units, all in BigInt (or in digit strings), so no value ever passes through a binary float.
 */

export type Rounding = 'halfUp' | 'halfEven' | 'down' | 'up' | 'reject';
export const roundings = ['halfUp', 'halfEven', 'down', 'up', 'reject'] as const;

/** Decimal text as this module produces it: optional minus, digits without leading zeros, optional fraction. */
export const decimalTextPattern = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Decimal text from its parts: no leading zeros, no `-0`. */
export function decimalText(negative: boolean, whole: string, fraction: string): string {
  let start = 0;
  while (start < whole.length - 1 && whole.charCodeAt(start) === 48) start++;
  const integer = whole.length === 0 ? '0' : whole.slice(start);
  const text = fraction.length > 0 ? `${integer}.${fraction}` : integer;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

function toScaled(text: string): Scaled {
  const point = text.indexOf('.');
  if (point < 0) return { units: BigInt(text), scale: 0 };
  return { units: BigInt(text.slice(0, point) + text.slice(point + 1)), scale: text.length - point - 1 };
}

function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** The decimal with exactly `scale` fraction digits; null when `reject` would lose a non-zero digit. */
export function rescaleDecimal(text: string, scale: number, rounding: Rounding): string | null {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const point = body.indexOf('.');
  const whole = point < 0 ? body : body.slice(0, point);
  const fraction = point < 0 ? '' : body.slice(point + 1);
  if (fraction.length <= scale) return decimalText(negative, whole, fraction.padEnd(scale, '0'));
  const kept = fraction.slice(0, scale);
  const dropped = fraction.slice(scale);
  let units = BigInt(whole + kept);
  if (roundsAway(dropped, units, rounding)) units += 1n;
  else if (rounding === 'reject' && /[1-9]/.test(dropped)) return null;
  return decimalText(negative, ...splitUnits(units, scale));
}

function roundsAway(dropped: string, kept: bigint, rounding: Rounding): boolean {
  const nonZero = /[1-9]/.test(dropped);
  switch (rounding) {
    case 'up':
      return nonZero;
    case 'halfUp':
      return dropped.charCodeAt(0) >= 53;
    case 'halfEven': {
      const first = dropped.charCodeAt(0);
      if (first !== 53) return first > 53;
      return /[1-9]/.test(dropped.slice(1)) || kept % 2n === 1n;
    }
    case 'down':
    case 'reject':
      return false;
  }
}

function splitUnits(units: bigint, scale: number): [string, string] {
  const digits = units.toString().padStart(scale + 1, '0');
  return [digits.slice(0, digits.length - scale), digits.slice(digits.length - scale)];
}

/** The exact product of two decimals, without trailing fraction zeros. */
export function multiplyDecimal(left: string, right: string): string {
  const a = toScaled(left);
  const b = toScaled(right);
  return trimFraction(fromScaled(a.units * b.units, a.scale + b.scale));
}

export function trimFraction(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/\.?0+$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** Minor units of an amount (12.5 with 2 digits -> 1250n); null when `reject` would lose a digit. */
export function toMinorUnits(text: string, digits: number, rounding: Rounding): bigint | null {
  const scaled = rescaleDecimal(text, digits, rounding);
  return scaled === null ? null : BigInt(scaled.replace('.', ''));
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Minor units as a safe integer, or why not: `lost` (rounding `reject` would drop a digit), `overflow`.
 * Values of at most 15 digits (all real amounts) take a string path without BigInt.
 */
export function minorAmount(text: string, digits: number, rounding: Rounding): number | 'lost' | 'overflow' {
  const point = text.indexOf('.');
  const fractionLength = point < 0 ? 0 : text.length - point - 1;
  if (fractionLength <= digits) {
    const units = point < 0 ? text + '0'.repeat(digits) : text.slice(0, point) + text.slice(point + 1) + '0'.repeat(digits - fractionLength);
    if (units.length - (units.charCodeAt(0) === 45 ? 1 : 0) <= 15) return Number(units);
  }
  const big = toMinorUnits(text, digits, rounding);
  if (big === null) return 'lost';
  return big > maxSafe || big < -maxSafe ? 'overflow' : Number(big);
}

export function fromMinorUnits(amount: number | bigint, digits: number): string {
  return fromScaled(BigInt(amount), digits);
}

/** 10^exponent as decimal text (exponent may be negative). */
export function powerOfTen(exponent: number): string {
  return exponent >= 0 ? `1${'0'.repeat(exponent)}` : `0.${'0'.repeat(-exponent - 1)}1`;
}

/** The exponent when the decimal is a power of ten ("0.001" -> -3), else undefined. */
export function tenExponent(text: string): number | undefined {
  const whole = /^10*$/.exec(text);
  if (whole) return text.length - 1;
  const fraction = /^0\.(0*)1$/.exec(text);
  return fraction ? -(fraction[1]!.length + 1) : undefined;
}

/** A decimal in a source format: the separator swapped, no thousands grouping, leading minus. */
export function formatDecimal(text: string, decimalSeparator: '.' | ','): string {
  return decimalSeparator === '.' ? text : text.replace('.', ',');
}

const currencyDigits = new Map<string, number>();

/** Minor-unit digits of an ISO 4217 currency (2 for EUR, 0 for JPY, 3 for TND), as Intl (CLDR) knows them. */
export function minorDigitsOf(currency: string): number {
  let digits = currencyDigits.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    currencyDigits.set(currency, digits);
  }
  return digits;
}
