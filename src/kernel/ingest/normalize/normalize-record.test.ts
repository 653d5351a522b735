import { describe, expect, it } from 'vitest';
import { compileNormalizer } from './normalize-record.ts';

const customerRules = compileNormalizer({
  name: 'name',
  street: 'address',
  city: 'text',
  countryCode: 'upper',
  email: 'email',
  phone: { kind: 'phone', countryField: 'countryCode', defaultCountry: 'DE' },
  taxId: { kind: 'taxId', countryField: 'countryCode' },
  'ext.region': 'lower',
  'ext.mobile': { kind: 'phone', countryField: 'ext.phoneCountry' },
  gtin: 'gtin',
});

describe('compileNormalizer', () => {
  it('normalizes every field by its rule and reports no problem for a clean row', () => {
    const input = {
      name: 'BÄCKEREI MÜLLER GMBH',
      street: 'Hauptstr.12',
      city: '  Stuttgart ',
      countryCode: 'de',
      email: '<Info@Müller.de>',
      phone: '0711 / 123 45-67',
      taxId: 'DE 136 695 976',
      other: 'untouched  value',
      ext: { region: ' SÜD ', mobile: '0664 1234567', phoneCountry: 'at', note: 'kept' },
    };
    const { record, problems } = customerRules(input);
    expect(problems).toEqual([]);
    expect(record).toEqual({
      name: 'Bäckerei Müller GmbH',
      street: 'Hauptstr. 12',
      city: 'Stuttgart',
      countryCode: 'DE',
      email: 'info@xn--mller-kva.de',
      phone: '+497111234567',
      taxId: 'DE136695976',
      other: 'untouched  value',
      ext: { region: 'süd', mobile: '+436641234567', phoneCountry: 'at', note: 'kept' },
    });
    expect(input.name).toBe('BÄCKEREI MÜLLER GMBH'); // the input record is not changed
    expect(input.ext.region).toBe(' SÜD ');
  });

  it('reads the country of phone and tax id from the record, else from the default', () => {
    expect(customerRules({ phone: '01 42 68 53 00', countryCode: 'FR' }).record.phone).toBe('+33142685300');
    expect(customerRules({ phone: '0711 1234567' }).record.phone).toBe('+497111234567');
    expect(customerRules({ phone: '0711 1234567', countryCode: 'Deutschland' }).record.phone).toBe('+497111234567');
    expect(customerRules({ taxId: '403019261', countryCode: 'be' }).record.taxId).toBe('BE0403019261');
  });

  it('passes null and undefined through and turns blank text into null', () => {
    const { record, problems } = customerRules({ name: null, city: '   ', phone: '  ', email: undefined });
    expect(problems).toEqual([]);
    expect(record).toEqual({ name: null, city: null, phone: null, email: undefined });
  });

  it('reports a refused value with field, value, code and reason, and leaves the value as it was', () => {
    const { record, problems } = customerRules({ email: 'info@firma', phone: '1234567890', taxId: 'DE136695977', gtin: '4006381333932', 'ext.x': 1, ext: { mobile: '0664 1234567' } });
    expect(problems).toEqual([
      { field: 'email', value: 'info@firma', code: 'ingest.invalid_email', reason: 'The e-mail address has an invalid domain after the @.' },
      { field: 'phone', value: '1234567890', code: 'ingest.invalid_phone', reason: 'The phone number is not in an assigned number range of DE.' },
      { field: 'taxId', value: 'DE136695977', code: 'ingest.invalid_tax_id', reason: 'The tax id fails the check digit test of a DE VAT id.' },
      { field: 'ext.mobile', value: '0664 1234567', code: 'ingest.invalid_phone', reason: 'The phone number has no international prefix and no country to read it in.' },
      { field: 'gtin', value: '4006381333932', code: 'ingest.invalid_gtin', reason: 'The GTIN has a wrong check digit.' },
    ]);
    expect(record.email).toBe('info@firma');
  });

  it('reads numbers as text and refuses objects', () => {
    expect(customerRules({ gtin: 4006381333931 }).record.gtin).toBe('4006381333931');
    expect(customerRules({ name: { first: 'Max' } }).problems).toEqual([{ field: 'name', value: { first: 'Max' }, code: 'ingest.invalid_value', reason: 'The name must be text, not object.' }]);
    expect(customerRules({ city: ['Berlin'] }).problems[0]?.reason).toBe('The city must be text, not a list.');
  });

  it('returns the same record object when nothing changes', () => {
    const clean = { name: 'Müller GmbH', city: 'Berlin' };
    expect(customerRules(clean).record).toBe(clean);
  });

  it('refuses to compile a rule it does not know', () => {
    const unknownRule = { city: 'soundex' } as unknown as Parameters<typeof compileNormalizer>[0];
    expect(() => compileNormalizer(unknownRule)).toThrow(expect.objectContaining({ code: 'ingest.invalid_spec' }));
  });
});
