import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTaxId } from './tax-id.ts';

// Independent, deliberately plain check-digit rules, used to build valid ids for the property tests.
const digitsOf = (text: string) => [...text].map(Number);
const sumOf = (numbers: number[]) => numbers.reduce((total, number) => total + number, 0);
const luhnDigit = (body: string) => {
  const total = sumOf(digitsOf(body).reverse().map((digit, index) => (index % 2 === 0 ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][digit]! : digit)));
  return String((10 - (total % 10)) % 10);
};
const checkDigits: Record<string, (body: string) => string> = {
  DE: (body) => {
    let product = 10;
    for (const digit of digitsOf(body)) product = (2 * (((digit + product) % 10) || 10)) % 11;
    return String(product === 1 ? 0 : 11 - product);
  },
  AT: (body) => {
    const total = sumOf(digitsOf(body).map((digit, index) => (index % 2 === 1 ? Math.floor((digit * 2) / 10) + ((digit * 2) % 10) : digit)));
    return String((96 - total) % 10);
  },
  IT: luhnDigit,
  PL: (body) => String(sumOf(digitsOf(body).map((digit, index) => digit * [6, 5, 7, 2, 3, 4, 5, 6, 7][index]!)) % 11),
  CH: (body) => String((11 - (sumOf(digitsOf(body).map((digit, index) => digit * [5, 4, 3, 2, 7, 6, 5, 4][index]!)) % 11)) % 11),
  BE: (body) => String(97 - (Number(body) % 97)).padStart(2, '0'),
};
const bodyLengths: Record<string, number> = { DE: 8, AT: 7, IT: 10, PL: 9, CH: 8, BE: 8 };
const formatOf: Record<string, (body: string, check: string) => string> = {
  DE: (body, check) => `DE${body}${check}`,
  AT: (body, check) => `ATU${body}${check}`,
  IT: (body, check) => `IT${body}${check}`,
  PL: (body, check) => `PL${body}${check}`,
  CH: (body, check) => `CHE${body}${check}`,
  BE: (body, check) => `BE${body}${check}`,
};
const validId = fc
  .record({ country: fc.constantFrom(...Object.keys(checkDigits)), digits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 }) })
  .map(({ country, digits }) => {
    const raw = digits.slice(0, bodyLengths[country]).join('');
    const body = country === 'DE' ? `${(Number(raw[0]) % 9) + 1}${raw.slice(1)}` : country === 'BE' ? `0${raw.slice(1)}` : raw;
    return { country, body, check: checkDigits[country]!(body) };
  })
  .filter(({ country, check }) => country === 'BE' || check.length === 1); // PL and CH never issue check digit 10
const messy = (id: string) => [id, id.toLowerCase(), id.replace(/(.{3})/g, '$1 '), id.replace(/(.{2})/g, '$1.'), `VAT: ${id}`, ` ${id.replace(/(.{4})/g, '$1-')} `];

describe('normalizeTaxId', () => {
  it.each([
    ['DE136695976', undefined, 'DE136695976'],
    ['DE 136 695 976', undefined, 'DE136695976'],
    ['USt-IdNr.: DE136695976', undefined, 'DE136695976'],
    ['de136695976', undefined, 'DE136695976'],
    ['136695976', 'DE', 'DE136695976'],
    ['12/345/67890', 'DE', '1234567890'], // a Steuernummer: format only
    ['ATU13585627', undefined, 'ATU13585627'],
    ['ATU 135 856 27', 'DE', 'ATU13585627'], // the prefix wins over the record's country
    ['FR40303265045', undefined, 'FR40303265045'],
    ['FR 40 303 265 045', undefined, 'FR40303265045'],
    ['FRXX303265045', undefined, 'FRXX303265045'], // a letter key is not checked
    ['IT00743110157', undefined, 'IT00743110157'],
    ['IT 007 431 101 57', undefined, 'IT00743110157'],
    ['RSSMRA85T10A562S', 'IT', 'RSSMRA85T10A562S'], // codice fiscale: format only
    ['ESA28015865', undefined, 'ESA28015865'],
    ['ES-12345678Z', undefined, 'ES12345678Z'],
    ['X1234567L', 'ES', 'ESX1234567L'],
    ['NL004495445B01', undefined, 'NL004495445B01'],
    ['NL0044.95.445.B.01', undefined, 'NL004495445B01'],
    ['BE0403019261', undefined, 'BE0403019261'],
    ['BE 0403.019.261', undefined, 'BE0403019261'],
    ['403019261', 'BE', 'BE0403019261'], // the old 9-digit form
    ['GB980780684', undefined, 'GB980780684'],
    ['GB 980 7806 84', undefined, 'GB980780684'],
    ['GB980780684001', undefined, 'GB980780684001'], // branch suffix
    ['PL5260250274', undefined, 'PL5260250274'],
    ['526-025-02-74', 'PL', 'PL5260250274'],
    ['CHE-116.281.710', undefined, 'CHE116281710'],
    ['CHE-116.281.710 MWST', undefined, 'CHE116281710'],
    ['CHE-116.281.710 TVA', 'FR', 'CHE116281710'],
    ['116.281.710', 'CH', 'CHE116281710'],
    ['GR094014201', undefined, 'EL094014201'], // Greece's VAT prefix is EL
    ['094014201', 'GR', '094014201'], // no check rule for EL: a bare number stays bare
    ['12-3456789', 'US', '12-3456789'], // EIN
    ['123456789', 'US', '12-3456789'],
    ['1234567890', 'TR', '1234567890'], // no rule: characters only
    ['300000000000003', 'SA', '300000000000003'],
    ['100-1234-5678-9000-3', 'AE', '1001234567890003'],
    ['٣٠٠٠٠٠٠٠٠٠٠٠٠٠٣', 'SA', '300000000000003'], // Arabic-Indic digits
  ])('normalizes %j (country %s) to %j', (input, country, expected) => {
    expect(normalizeTaxId(input, country)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['DE136695977', undefined, 'fails the check digit test of a DE VAT id'],
    ['ATU13585628', undefined, 'fails the check digit test of a AT VAT id'],
    ['FR41303265045', undefined, 'fails the check digit test of a FR VAT id'],
    ['IT00743110158', undefined, 'fails the check digit test of a IT VAT id'],
    ['ESA28015866', undefined, 'fails the check digit test of a ES VAT id'],
    ['ES12345678A', undefined, 'fails the check digit test of a ES VAT id'],
    ['NL004495446B01', undefined, 'fails the check digit test of a NL VAT id'],
    ['BE0403019262', undefined, 'fails the check digit test of a BE VAT id'],
    ['GB980780685', undefined, 'fails the check digit test of a GB VAT id'],
    ['PL5260250275', undefined, 'fails the check digit test of a PL VAT id'],
    ['CHE-116.281.711', undefined, 'fails the check digit test of a CH VAT id'],
    ['DE12345678', undefined, 'does not have the format of a DE VAT id'],
    ['CHE-116.281.710.1', undefined, 'does not have the format of a CH UID'],
    ['12345', 'DE', 'is neither a VAT id nor a tax number of DE'],
    ['', 'DE', 'is empty'],
    ['DE#136695976', undefined, 'may hold only letters and digits'],
  ])('refuses %j (country %s): %s', (input, country, reason) => {
    expect(normalizeTaxId(input, country)).toEqual({ ok: false, code: 'ingest.invalid_tax_id', reason });
  });

  it('accepts every id with correct check digits, however it is spaced or cased', () => {
    fc.assert(
      fc.property(validId, ({ country, body, check }) => {
        const id = formatOf[country]!(body, check);
        for (const spelling of messy(id)) expect(normalizeTaxId(spelling)).toEqual({ ok: true, value: id });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an id whose check digit is changed', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 1, max: 9 }), ({ country, body, check }, shift) => {
        const wrong = country === 'BE' ? String((Number(check) + shift) % 100).padStart(2, '0') : String((Number(check) + shift) % 10);
        expect(normalizeTaxId(formatOf[country]!(body, wrong)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent for any string in any country', () => {
    const countries = fc.constantFrom(undefined, 'DE', 'AT', 'CH', 'FR', 'IT', 'ES', 'NL', 'BE', 'GB', 'PL', 'US', 'TR', 'SA', 'GR');
    const idLike = fc.tuple(fc.constantFrom('', 'DE', 'ATU', 'CHE', 'FR', 'NL', 'GB', 'EL', 'ES'), fc.stringMatching(/^[0-9A-Z .\-/]{0,14}$/)).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(idLike, fc.string({ maxLength: 20 })), countries, (input, country) => {
        const first = normalizeTaxId(input, country);
        if (first.ok) expect(normalizeTaxId(first.value, country)).toEqual(first);
      }),
      { numRuns: 5000 },
    );
  });
});
