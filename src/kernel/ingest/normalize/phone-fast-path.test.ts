import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { fastE164 } from './phone-fast-path.ts';

const countries = getCountries();
const separator = fc.constantFrom('', ' ', ' ', '-', '/', ' / ', '.');
const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((list) => list.join(''));
// Spread separators through a digit string, as people type them.
const formatted = (text: string, cuts: readonly number[], marks: readonly string[]) =>
  [...text].map((digit, index) => (cuts.includes(index) ? `${marks[index % marks.length] ?? ''}${digit}` : digit)).join('');

/** What libphonenumber-js itself answers, the reference the fast path must agree with. */
function libraryE164(text: string, country: CountryCode | undefined): string | undefined {
  const phone = parsePhoneNumberFromString(text, country === undefined ? undefined : { defaultCountry: country });
  return phone?.isValid() ? phone.number : undefined;
}

describe('fastE164', () => {
  it('agrees with libphonenumber-js whenever it answers, for random numbers of every country', () => {
    let answered = 0;
    const input = fc.record({
      country: fc.constantFrom(...countries),
      prefix: fc.constantFrom('none', 'trunk', 'plus'),
      fromExample: fc.boolean(),
      number: digits(3, 13),
      tail: digits(1, 4),
      cuts: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
      marks: fc.array(separator, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(input, ({ country, prefix, fromExample, number, tail, cuts, marks }) => {
        // A country's example number with its last digits replaced is often valid: the interesting case.
        const example = examples[country] ?? number;
        const national = fromExample ? example.slice(0, Math.max(2, example.length - tail.length)) + tail : number;
        const body = formatted(national, cuts, marks);
        const text = prefix === 'plus' ? `+${getCountryCallingCode(country)} ${body}` : prefix === 'trunk' ? `0${body}` : body;
        const fast = fastE164(text, country);
        if (fast === undefined) return;
        answered++;
        expect(fast).toBe(libraryE164(text, country));
      }),
      { numRuns: 20_000 },
    );
    expect(answered).toBeGreaterThan(2_000); // the comparison must have happened often enough to mean something
  });

  it.each([
    ['0711 1234567', 'DE', '+497111234567'],
    ['+49 711 1234567', undefined, '+497111234567'],
    ['+49 (0)711 1234567', 'DE', '+497111234567'],
    ['01 42 68 53 00', 'FR', '+33142685300'],
    ['612 34 56 78', 'ES', '+34612345678'],
    ['020 7946 0958', 'GB', '+442079460958'], // calling code shared with GG, IM, JE
    ['06 698 12345', 'IT', '+390669812345'], // shared with VA
    ['(212) 555-1234', 'US', '+12125551234'], // trunk prefix 1, NANP
    ['(416) 555-1234', 'US', '+14165551234'], // a Canadian number read with the US default
  ])('answers plain valid numbers itself: %j in %s', (text, country, expected) => {
    expect(fastE164(text, country as CountryCode | undefined)).toBe(expected);
  });

  it.each([
    ['(030) 1234567 ext. 12', 'DE'], // letters
    ['0049 711 1234567', 'DE'], // international dialling prefix
    ['49 711 1234567', 'DE'], // a calling code without +
    ['011 15-2345-6789', 'AR'], // a trunk prefix with a rewrite rule
    ['+800 1234 5678', undefined], // non-geographic
    ['٠٥٠١٢٣٤٥٦٧', 'SA'], // Arabic-Indic digits
    ['1234567890', 'DE'], // invalid: the library gives the reason
  ])('leaves %j in %s to the library', (text, country) => {
    expect(fastE164(text, country as CountryCode)).toBeUndefined();
  });
});
