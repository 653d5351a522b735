import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/index.ts';
import { checkInvertible, compileExport, exportRow } from './export-row.ts';
import { invertibleOutletSpec } from './invertible-specs.fixture.ts';
import { kna1OutletSpec, marmProductUnitSpec } from './sap-specs.fixture.ts';

const outlet = {
  code: '12345', name: 'Müller Markt', channel: 'kiosk', segment: 'B', city: 'MÜNCHEN', country: 'DE', creditLimit: { amount: 123450, currency: 'CHF' }, balance: { amount: -1250, currency: 'EUR' },
  paymentTermsDays: 30, latitude: '48.137154', active: false, ext: { customerSince: '2019-03-01' },
};

describe('exporting rows', () => {
  it('writes the SAP form of a record: padded key, codes, decimal commas, flags, dates', () => {
    expect(exportRow(invertibleOutletSpec, outlet, { sourceKey: '12345' })).toEqual({
      KUNNR: '0000012345', NAME1: 'Müller Markt', KTOKD: 'Z003', KLABC: 'B', ORT01: 'MÜNCHEN', LAND1: 'DEU', KLIMK: '1234,50', WAERS: 'CHF', SALDO: '-12,50', ZTAGG: '30', LAT: '48,137154', SPERR: 'X', ERDAT: '20190301', LOEVM: '',
    });
  });

  it('gives null for a record no source row maps back to', () => {
    expect(exportRow(invertibleOutletSpec, { ...outlet, channel: 'space' })).toBeNull();
    expect(exportRow(invertibleOutletSpec, { ...outlet, balance: { amount: 1, currency: 'USD' } })).toBeNull();
    expect(exportRow(invertibleOutletSpec, outlet, { sourceKey: '999' })).toBeNull();
  });

  it('names every step that does not invert, and refuses to compile such a spec', () => {
    expect(checkInvertible(kna1OutletSpec).map((problem) => problem.pointer)).toEqual(['/fields/name/from', '/fields/legalName/from', '/fields/taxId/from']);
    try {
      compileExport(kna1OutletSpec);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('ingest.mapping_not_invertible');
    }
    expect(checkInvertible({ ...kna1OutletSpec, fields: { city: { from: 'ORT01', transforms: [{ op: 'substring', start: 1 }] }, region: { from: 'REGIO', when: { field: 'LAND1', equals: 'DE' } } } })).toEqual([
      { pointer: '/fields/city/transforms/0', detail: 'substring has no inverse (none (drops characters))' },
      { pointer: '/fields/region/when', detail: 'a conditional field does not invert' },
    ]);
  });

  it('needs an invertible key only to write the source key', () => {
    const spec = { ...marmProductUnitSpec, fields: { unit: marmProductUnitSpec.fields.unit!, gtin: marmProductUnitSpec.fields.gtin! } };
    expect(checkInvertible(spec)).toEqual([]);
    expect(checkInvertible(spec, { withKey: true })).toEqual([{ pointer: '/key/from', detail: 'several source fields do not invert' }]);
    expect(exportRow(spec, { unit: 'CS', gtin: null })).toEqual({ MATNR: '', MEINH: 'KAR', EAN11: '' });
    expect(() => exportRow(spec, { unit: 'CS', gtin: null }, { sourceKey: '1/CT' })).toThrow(expect.objectContaining({ code: 'ingest.mapping_not_invertible' }));
  });
});
