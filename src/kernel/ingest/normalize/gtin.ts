/** GTIN-8/12/13/14 (EAN/UPC): digits only, the given length kept (leading zeros are part of the number). */
import { normalizeCodes, refuse, type Normalized } from './normalize.errors.ts';
import { normalizeText, toAsciiDigits } from './text.ts';

export type GtinResult = Normalized<'ingest.invalid_gtin'>;

const gtinLengths = new Set([8, 12, 13, 14]);
const spreadsheetNumber = /^\d(?:[.,]\d+)?E\+?\d+$/i; // `4.00638E+12`: a spreadsheet ate the digits

/** Spaces and dashes removed, length 8, 12, 13 or 14, GS1 mod-10 check digit verified. */
export function normalizeGtin(value: string): GtinResult {
  const text = toAsciiDigits(normalizeText(value).normalize('NFKC'));
  if (spreadsheetNumber.test(text)) return refuse(normalizeCodes.invalidGtin, 'is in scientific notation: a spreadsheet rounded it');
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return refuse(normalizeCodes.invalidGtin, 'may hold only digits');
  if (!gtinLengths.has(digits.length)) return refuse(normalizeCodes.invalidGtin, `has ${digits.length} digits; a GTIN has 8, 12, 13 or 14`);
  if (!hasGtinCheckDigit(digits)) return refuse(normalizeCodes.invalidGtin, 'has a wrong check digit');
  return { ok: true, value: digits };
}

/** GS1 mod 10: from the right, excluding the check digit, weights 3, 1, 3, ... */
export function hasGtinCheckDigit(digits: string): boolean {
  let sum = 0;
  for (let index = digits.length - 2, weight = 3; index >= 0; index--, weight = 4 - weight) {
    sum += (digits.charCodeAt(index) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}
