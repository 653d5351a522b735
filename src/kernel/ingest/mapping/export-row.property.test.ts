import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMapping } from './compile-mapping.ts';
import { countryCodesAlpha3, countryByAlpha3 } from './countries.ts';
import { fromMinorUnits } from './decimal-text.ts';
import { exportRow } from './export-row.ts';
import { invertibleOutletSpec, invertibleProductSpec, nestedOutletSpec } from './invertible-specs.fixture.ts';
import { outletTarget, productTarget } from './retail-targets.fixture.ts';

const word = fc.stringMatching(/^[A-Za-z0-9ÄÖÜäöüßéè&.'-]{1,12}$/);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));
const upperWords = fc.array(fc.stringMatching(/^[A-ZÄÖÜÉ-]{1,10}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
const orNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const sapKey = (digits: number) => fc.oneof(fc.bigInt({ min: 1n, max: 10n ** BigInt(digits) - 1n }).map(String), fc.stringMatching(/^[A-Z][A-Z0-9-]{0,9}$/));
const date = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2199, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
const money = (currencies: string[], min: number) => fc.record({ amount: fc.integer({ min, max: 1e12 }), currency: fc.constantFrom(...currencies) });
const alpha2 = fc.constantFrom(...countryCodesAlpha3().map((code) => countryByAlpha3(code)!));

const outletRecord = fc.record({
  code: sapKey(10),
  name: words,
  channel: fc.constantFrom('supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'),
  segment: orNull(fc.constantFrom('A', 'B', 'C')),
  city: orNull(upperWords),
  country: orNull(alpha2),
  creditLimit: orNull(money(['EUR', 'CHF', 'JPY', 'TND'], 0)),
  balance: orNull(money(['EUR'], -1e12)),
  paymentTermsDays: orNull(fc.integer({ min: 0, max: 365 })),
  latitude: orNull(fc.integer({ min: -90_000_000, max: 90_000_000 }).map((units) => fromMinorUnits(units, 6))),
  active: fc.boolean(),
  ext: fc.record({ customerSince: orNull(date) }),
});

const productRecord = fc.record({
  sku: sapKey(18),
  gtin: orNull(fc.stringMatching(/^[0-9]{8,14}$/)),
  name: words,
  localizedName: orNull(fc.constantFrom('de', 'en', 'fr', 'it', 'pt').chain((tag) => words.map((text) => ({ [tag]: text })))),
  baseUnit: fc.constantFrom('EA', 'PK', 'CS', 'KG', 'L'),
  taxClass: fc.constantFrom('standard', 'reduced', 'zero'),
  listPrice: orNull(money(['EUR'], 0)),
  active: fc.boolean(),
  ext: fc.record({
    netWeightKg: orNull(fc.integer({ min: 0, max: 1e9 }).map((grams) => fromMinorUnits(grams, 3))),
    launchedOn: orNull(date),
    organic: fc.boolean(),
  }),
});

describe('export then map round-trips', () => {
  it('gives an outlet back from its SAP row (padded keys, codes, decimal commas, X flags, SAP dates)', () => {
    const map = compileMapping(invertibleOutletSpec, outletTarget);
    fc.assert(
      fc.property(outletRecord, (record) => {
        const row = exportRow(invertibleOutletSpec, record, { sourceKey: record.code });
        expect(row).not.toBeNull();
        expect(map({ rowNumber: 1, line: 2, values: row! })).toEqual({ rowNumber: 1, sourceKey: record.code, record, deleted: false, problems: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('gives an outlet back from its nested JSON record (JSON Pointer columns, an op\'s and a condition\'s among them)', () => {
    const map = compileMapping(nestedOutletSpec, outletTarget);
    fc.assert(
      fc.property(outletRecord, fc.boolean(), (record, deleted) => {
        const row = exportRow(nestedOutletSpec, record, { sourceKey: record.code });
        expect(row).not.toBeNull();
        expect(row).toMatchObject({ Customer: { KUNNR: expect.any(String) }, to_Address: { results: [{ ORT01: expect.any(String) }] }, geo: { 'LAT/LON': expect.any(String) } });
        const values = structuredClone(row!) as { Customer: { flags: { LOEVM: string } } };
        if (deleted) values.Customer.flags.LOEVM = 'X';
        expect(map({ rowNumber: 1, line: 2, values })).toEqual({ rowNumber: 1, sourceKey: record.code, record, deleted, problems: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('gives a product back from its SAP row (unit code lists and lookups, languages, grams to kilograms)', () => {
    const map = compileMapping(invertibleProductSpec, productTarget);
    fc.assert(
      fc.property(productRecord, (record) => {
        const row = exportRow(invertibleProductSpec, record, { sourceKey: record.sku });
        expect(row).not.toBeNull();
        expect(map({ rowNumber: 1, line: 2, values: row! })).toMatchObject({ sourceKey: record.sku, record, problems: [] });
        expect(map({ rowNumber: 1, line: 2, values: row! }).record).toEqual(record);
      }),
      { numRuns: 300 },
    );
  });
});
