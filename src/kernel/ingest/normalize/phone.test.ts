import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.ts';

describe('normalizePhone', () => {
  it.each([
    // DE: the free-text forms of SAP and Excel exports
    ['0711 / 123 45-67', 'DE', '+497111234567'],
    ['+49 (0)711 1234567', 'DE', '+497111234567'],
    ['0049 711 1234567', 'DE', '+497111234567'],
    ['tel: 089-12345', 'DE', '+498912345'],
    ['(0711) 12345-0', 'DE', '+49711123450'], // DIN 5008: `-0` is the switchboard, part of the number
    ['0711.1234567', 'DE', '+497111234567'],
    ['0171 2345678', 'DE', '+491712345678'],
    ['０７１１　１２３４５６７', 'DE', '+497111234567'], // full-width
    ['+49 711 1234567', undefined, '+497111234567'],
    ['+49 711 1234567', 'FR', '+497111234567'], // an international prefix wins over the record's country
    // AT, CH
    ['01 234567', 'AT', '+431234567'],
    ['+43 (0)1 234567', 'AT', '+431234567'],
    ['0664 1234567', 'AT', '+436641234567'],
    ['044 668 18 00', 'CH', '+41446681800'],
    ['0041 44 668 18 00', 'AT', '+41446681800'],
    // FR, IT, ES
    ['01 42 68 53 00', 'FR', '+33142685300'],
    ['+33 (0)6 12 34 56 78', 'FR', '+33612345678'],
    ['02 1234 5678', 'IT', '+390212345678'],
    ['347 123 4567', 'IT', '+393471234567'],
    ['91 123 45 67', 'ES', '+34911234567'],
    ['612 34 56 78', 'ES', '+34612345678'],
    // NL, BE, GB, PL
    ['020-1234567', 'NL', '+31201234567'],
    ['06-12345678', 'NL', '+31612345678'],
    ['02 511 22 33', 'BE', '+3225112233'],
    ['0470 12 34 56', 'BE', '+32470123456'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+44 (0) 20 7946 0958', 'GB', '+442079460958'],
    ['0161 496 0000', 'UK', '+441614960000'], // UK: the common non-ISO alias of GB
    ['22 123 45 67', 'PL', '+48221234567'],
    ['+48 601 234 567', 'PL', '+48601234567'],
    // US, TR, SA, AE (Arabic-Indic digits)
    ['(212) 555-1234', 'US', '+12125551234'],
    ['1-212-555-1234', 'US', '+12125551234'],
    ['0212 555 12 34', 'TR', '+902125551234'],
    ['0532 123 45 67', 'TR', '+905321234567'],
    ['٠٥٠١٢٣٤٥٦٧', 'SA', '+966501234567'],
    ['٠٥٠١٢٣٤٥٦٧', 'AE', '+971501234567'],
    ['+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', undefined, '+971501234567'],
    ['04 312 3456', 'AE', '+97143123456'],
  ])('reads %j in %s as %s', (input, country, expected) => {
    expect(normalizePhone(input, country)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['(030) 1234567 ext. 12', 'DE', '+49301234567', '12'],
    ['(030) 1234567 Durchwahl 12', 'DE', '+49301234567', '12'],
    ['+49 30 1234567 Dw. 12', 'DE', '+49301234567', '12'],
    ['01 42 68 53 00 poste 215', 'FR', '+33142685300', '215'],
    ['212-555-1234 x55', 'US', '+12125551234', '55'],
  ])('drops the extension of %j from the value and returns it beside', (input, country, expected, extension) => {
    expect(normalizePhone(input, country)).toEqual({ ok: true, value: expected, extension });
  });

  it.each([
    ['', 'DE', 'contains no digits'],
    ['n/a', 'DE', 'contains no digits'],
    ['123', 'DE', 'has the wrong number of digits'],
    ['0711 1234567', undefined, 'has no international prefix and no country to read it in'],
    ['0711 1234567', 'XX', 'has no international prefix and no country to read it in'],
    ['1234567890', 'DE', 'is not in an assigned number range of DE'], // placeholders
    ['0123456789', 'DE', 'is not in an assigned number range of DE'],
    ['9999999999', 'DE', 'is not in an assigned number range of DE'],
    ['0000000000', 'DE', 'is not in an assigned number range of DE'],
    ['+999 1234567', 'DE', 'is not a phone number'], // no such calling code
    ['+1 555 555 5555', undefined, 'is not in an assigned number range of +1'],
    ['0711/123456 oder 0171/2345678', 'DE', 'is not a phone number'], // two numbers: neither is picked
  ])('refuses %j in %s: %s', (input, country, reason) => {
    expect(normalizePhone(input, country)).toEqual({ ok: false, code: 'ingest.invalid_phone', reason });
  });

  it('is idempotent: a normalized number normalizes to itself, in any country', () => {
    const countries = fc.constantFrom(undefined, 'DE', 'AT', 'CH', 'FR', 'IT', 'ES', 'NL', 'BE', 'GB', 'PL', 'US', 'TR', 'SA', 'AE');
    const phoneText = fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\+?\(?0?[1-9][0-9 \-/()]{5,14}(?: ext\. [0-9]{1,4})?$/));
    fc.assert(
      fc.property(phoneText, countries, countries, (input, country, otherCountry) => {
        const first = normalizePhone(input, country);
        if (first.ok) expect(normalizePhone(first.value, otherCountry)).toEqual({ ok: true, value: first.value });
      }),
      { numRuns: 3000 },
    );
  });
});
