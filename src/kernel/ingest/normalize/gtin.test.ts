import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeGtin } from './gtin.ts';

// GS1 check digit, written independently of gtin.ts: weights 3,1,3,... from the right.
const withCheckDigit = (body: string) => {
  const total = [...body].reverse().reduce((sum, digit, index) => sum + Number(digit) * (index % 2 === 0 ? 3 : 1), 0);
  return body + String((10 - (total % 10)) % 10);
};
const validGtin = fc
  .tuple(fc.constantFrom(8, 12, 13, 14), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 }))
  .map(([length, digits]) => withCheckDigit(digits.slice(0, length - 1).join('')));

describe('normalizeGtin', () => {
  it.each([
    ['4006381333931', '4006381333931'], // EAN-13
    ['400 6381 33393 1', '4006381333931'],
    ['4006381-333931', '4006381333931'],
    ['96385074', '96385074'], // EAN-8
    ['036000291452', '036000291452'], // UPC-A keeps its leading zero and its length
    ['0036000291452', '0036000291452'], // the same product as GTIN-13: a different stored value
    ['10012345678902', '10012345678902'], // GTIN-14
    ['４００６３８１３３３９３１', '4006381333931'], // full-width
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeGtin(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['4006381333932', 'has a wrong check digit'],
    ['400638133393', 'has a wrong check digit'],
    ['40063813339', 'has 11 digits; a GTIN has 8, 12, 13 or 14'],
    ['4.00638E+12', 'is in scientific notation: a spreadsheet rounded it'],
    ['4,00638E+12', 'is in scientific notation: a spreadsheet rounded it'],
    ['EAN 4006381333931', 'may hold only digits'],
    ['', 'may hold only digits'],
  ])('refuses %j: %s', (input, reason) => {
    expect(normalizeGtin(input)).toEqual({ ok: false, code: 'ingest.invalid_gtin', reason });
  });

  it('accepts every GTIN with a correct check digit and refuses it with any other', () => {
    fc.assert(
      fc.property(validGtin, fc.integer({ min: 1, max: 9 }), (gtin, shift) => {
        expect(normalizeGtin(gtin)).toEqual({ ok: true, value: gtin });
        const wrong = gtin.slice(0, -1) + String((Number(gtin.at(-1)) + shift) % 10);
        expect(normalizeGtin(wrong).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent for any string', () => {
    fc.assert(
      fc.property(fc.oneof(validGtin, fc.string({ maxLength: 20 })), (input) => {
        const first = normalizeGtin(input);
        if (first.ok) expect(normalizeGtin(first.value)).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });
});
