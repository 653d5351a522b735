import { describe, expect, it } from 'vitest';
import { compileMapping } from './compile-mapping.ts';
import { outletTarget, productTarget, productUnitTarget } from './retail-targets.fixture.ts';
import { kna1OutletSpec, maraProductSpec, marmProductUnitSpec } from './sap-specs.fixture.ts';

const kna1Blank = { KUNNR: '', NAME1: '', NAME2: '', NAME3: '', NAME4: '', KTOKD: '', AUFSD: '', LOEVM: '', STRAS: '', PSTLZ: '', ORT01: '', REGIO: '', LAND1: '', TELF1: '', SMTP_ADDR: '', STCEG: '', STCD1: '', KLIMK: '', WAERS: '', SALDO: '', ZTERM: '', ERDAT: '' };
const kna1 = (rowNumber: number, values: Partial<typeof kna1Blank>) => ({ rowNumber, line: rowNumber + 1, values: { ...kna1Blank, ...values } });

describe('SAP KNA1 -> outlet', () => {
  const map = compileMapping(kna1OutletSpec, outletTarget);

  it('maps a customer with zero-padded key, two name lines, decimal commas and a trailing minus', () => {
    const row = kna1(1, {
      KUNNR: '0000012345', NAME1: 'Müller  Markt ', NAME2: 'GmbH & Co. KG', KTOKD: 'z001', STRAS: 'Hauptstr.  5', PSTLZ: '80331 ', ORT01: 'MÜNCHEN', REGIO: '09', LAND1: 'de', TELF1: '089 123456-0',
      SMTP_ADDR: ' Info@Mueller-Markt.DE', STCEG: 'DE123456789', STCD1: '143/123/45678', KLIMK: '1.234,50', WAERS: 'EUR', SALDO: '12,50-', ZTERM: 'Z030', ERDAT: '20190301',
    });
    expect(map(row)).toEqual({
      rowNumber: 1,
      sourceKey: '12345',
      record: {
        code: '12345', name: 'Müller Markt GmbH & Co. KG', legalName: 'Müller Markt GmbH & Co. KG', channel: 'supermarket', status: 'active', street: 'Hauptstr. 5', postalCode: '80331', city: 'München',
        region: '09', country: 'DE', phone: '089 123456-0', email: 'info@mueller-markt.de', taxId: 'DE123456789', creditLimit: { amount: 123450, currency: 'EUR' }, balance: { amount: -1250, currency: 'EUR' },
        paymentTermsDays: 30, active: true, ext: { customerSince: '2019-03-01', accountGroup: 'z001' },
      },
      deleted: false,
      problems: [],
    });
  });

  it('maps a blocked, deleted customer with an alphanumeric key, 00000000 dates and missing optional fields', () => {
    const row = kna1(2, { KUNNR: 'KIOSK-7', NAME1: 'Kiosk am Bahnhof', KTOKD: 'Z003', AUFSD: '01', LOEVM: 'X', KLIMK: '0,00', SALDO: '0,00', ERDAT: '00000000', STCD1: ' 12/345/67890 ' });
    expect(map(row)).toEqual({
      rowNumber: 2,
      sourceKey: 'KIOSK-7',
      record: {
        code: 'KIOSK-7', name: 'Kiosk am Bahnhof', legalName: 'Kiosk am Bahnhof', channel: 'kiosk', status: 'closed', street: null, postalCode: null, city: null, region: null, country: null, phone: null, email: null,
        taxId: '12/345/67890', creditLimit: { amount: 0, currency: 'EUR' }, balance: { amount: 0, currency: 'EUR' }, paymentTermsDays: null, active: false, ext: { customerSince: null, accountGroup: 'Z003' },
      },
      deleted: true,
      problems: [],
    });
  });

  it('takes defaults for a blank account group, the source currency, and a second name line alone', () => {
    const mapped = map(kna1(3, { KUNNR: '0000000042', NAME1: '   ', NAME2: 'Nur Zeile Zwei', AUFSD: '', KLIMK: '10.000,00', WAERS: 'chf', ZTERM: 'Z999' }));
    expect(mapped.record).toMatchObject({ code: '42', name: 'Nur Zeile Zwei', channel: 'other', status: 'active', creditLimit: { amount: 1000000, currency: 'CHF' }, paymentTermsDays: null });
    expect(mapped.problems).toEqual([]);
  });

  it('rejects what it cannot read and keeps the rest, formula-looking names inert', () => {
    const mapped = map(kna1(4, { KUNNR: '0000000000', NAME1: '=HYPERLINK("http://x","y")', KTOKD: 'Z999', KLIMK: '1,234.50', ERDAT: '20230230' }));
    expect(mapped.sourceKey).toBeNull();
    expect(mapped.record).toMatchObject({ name: '=HYPERLINK("http://x","y")', code: null });
    expect(mapped.problems).toEqual([
      { field: '$key', sourceField: 'KUNNR', code: 'ingest.missing_key', reason: 'the row has no source key' },
      { field: 'channel', sourceField: 'KTOKD', value: 'Z999', code: 'ingest.unknown_code', reason: 'unknown code "Z999": expected "Z001", "Z002", "Z003", "Z004", "Z005", "Z006"' },
      { field: 'creditLimit', sourceField: 'KLIMK', value: '1,234.50', code: 'ingest.invalid_number', reason: 'not a number: "1,234.50"' },
      { field: 'ext.customerSince', sourceField: 'ERDAT', value: '20230230', code: 'ingest.invalid_date', reason: 'no such date: "20230230"' },
    ]);
  });

  it('reports every column of a file read with the wrong delimiter as missing', () => {
    const mapped = map({ rowNumber: 1, line: 2, values: { 'KUNNR,NAME1,NAME2': '0000012345,Müller,' } });
    expect(new Set(mapped.problems.map((problem) => problem.code))).toEqual(new Set(['ingest.missing_column']));
    expect(mapped.problems.map((problem) => problem.sourceField)).toContain('LOEVM');
    expect(mapped.sourceKey).toBeNull();
  });
});

const maraBlank = { MATNR: '', MAKTX: '', SPRAS: '', EAN11: '', MEINS: '', MATKL: '', TAXKM: '', KBETR: '', KONWA: '', LVORM: '', NTGEW: '', BRGEW: '', GEWEI: '', ERSDA: '' };
const mara = (rowNumber: number, values: Partial<typeof maraBlank>) => ({ rowNumber, line: rowNumber + 1, values: { ...maraBlank, ...values } });

describe('SAP MARA/MAKT -> product', () => {
  const map = compileMapping(maraProductSpec, productTarget);

  it('maps a material: 18-digit key, unit ST, price with a decimal comma, weights in grams', () => {
    const row = mara(1, { MATNR: '000000000000012345', MAKTX: 'Vollmilch  3,5 % 1 L', SPRAS: 'D', EAN11: '4012345678901', MEINS: 'ST', MATKL: 'DAIRY', TAXKM: '2', KBETR: '1,29', KONWA: 'EUR', NTGEW: '1.030', BRGEW: '1.075,500', GEWEI: 'G', ERSDA: '20200115' });
    expect(map(row)).toEqual({
      rowNumber: 1,
      sourceKey: '12345',
      record: {
        sku: '12345', gtin: '4012345678901', name: 'Vollmilch 3,5 % 1 L', localizedName: { de: 'Vollmilch 3,5 % 1 L' }, category: 'DAIRY', baseUnit: 'EA', taxClass: 'reduced', listPrice: { amount: 129, currency: 'EUR' }, active: true,
        ext: { netWeightKg: '1.030', grossWeightKg: '1.076', launchedOn: '2020-01-15' },
      },
      deleted: false,
      problems: [],
    });
  });

  it('maps cartons and packs, kilograms, a deleted material, blank tax class and language fallback', () => {
    expect(map(mara(2, { MATNR: '000000000000000077', MAKTX: 'Water 6x1.5L', SPRAS: 'E', MEINS: 'KAR', LVORM: 'X', NTGEW: '9', GEWEI: 'KG', ERSDA: '00000000' }))).toEqual({
      rowNumber: 2,
      sourceKey: '77',
      record: { sku: '77', gtin: null, name: 'Water 6x1.5L', localizedName: { en: 'Water 6x1.5L' }, category: null, baseUnit: 'CS', taxClass: 'standard', listPrice: null, active: false, ext: { netWeightKg: '9.000', grossWeightKg: null, launchedOn: null } },
      deleted: true,
      problems: [],
    });
    expect(map(mara(3, { MATNR: 'AB-100', MAKTX: 'Chips', MEINS: 'PAK', KBETR: '2,49', KONWA: '' })).record).toMatchObject({ sku: 'AB-100', baseUnit: 'PK', localizedName: { de: 'Chips' }, listPrice: { amount: 249, currency: 'EUR' } });
    expect(map(mara(4, { MATNR: '1', MAKTX: 'Äpfel lose', MEINS: 'KG', EAN11: '0' })).record).toMatchObject({ baseUnit: 'KG', gtin: null });
  });

  it('rejects units it has no product unit for, and prices with more digits than the currency', () => {
    const mapped = map(mara(5, { MATNR: '5', MAKTX: 'Box', MEINS: 'BOX', KBETR: '2,999', KONWA: 'EUR' }));
    expect(mapped.problems.map((problem) => [problem.field, problem.code])).toEqual([
      ['baseUnit', 'ingest.unknown_code'],
      ['listPrice', 'ingest.invalid_number'],
    ]);
  });
});

describe('SAP MARM -> productUnit', () => {
  const map = compileMapping(marmProductUnitSpec, productUnitTarget);

  it('keys units by material and unit, references the product by its source key', () => {
    const values = { MATNR: '000000000000012345', MEINH: 'KAR', UMREZ: '12', UMREN: '1', EAN11: '14012345678908' };
    expect(map({ rowNumber: 1, line: 2, values })).toEqual({
      rowNumber: 1,
      sourceKey: '12345/KAR',
      record: { product: { $ref: { entity: 'product', by: 'sourceKey', value: '12345' } }, unit: 'CS', factor: '12.000', gtin: '14012345678908' },
      deleted: false,
      problems: [],
    });
    expect(map({ rowNumber: 2, line: 3, values: { ...values, UMREN: '5' } }).record).not.toHaveProperty('factor');
  });
});
