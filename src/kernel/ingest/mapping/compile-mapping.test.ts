import { describe, expect, it } from 'vitest';
import { defineEntity, field } from '../../model/index.ts';
import { isAppError } from '../../shared/index.ts';
import type { FieldMapping, MappingSpec } from '../ingest.contract.ts';
import { compileMapping } from './compile-mapping.ts';
import { productTarget } from './retail-targets.fixture.ts';

const spec = (fields: Record<string, FieldMapping>, rest: Partial<MappingSpec> = {}): MappingSpec => ({
  specVersion: 1,
  name: 'test',
  entity: 'product',
  system: 'ERP',
  source: { format: 'csv' },
  key: { from: 'ID' },
  fields: { sku: { from: 'ID' }, name: { from: 'NAME' }, ...fields },
  ...rest,
});
const row = (values: Record<string, unknown>, rowNumber = 1) => ({ rowNumber, line: rowNumber + 1, values: { ID: 'A1', NAME: 'Milk', ...values } });

const kinds = defineEntity({
  name: 'sample',
  plural: 'samples',
  module: 'lab',
  fields: {
    label: field.text(),
    count: field.integer(),
    ratio: field.decimal({ scale: 2 }),
    price: field.money({ currency: 'EUR' }),
    flag: field.boolean(),
    day: field.date(),
    at: field.timestamp(),
    size: field.enum(['S', 'M', 'L'] as const),
    product: field.reference('product'),
    title: field.localizedText(),
    data: field.json(),
  },
});
const kindsSpec = (fields: Record<string, FieldMapping>): MappingSpec => ({ specVersion: 1, name: 'kinds', entity: 'sample', system: 'ERP', source: { format: 'ndjson' }, key: { from: 'id' }, fields });
const mapKinds = (fields: Record<string, FieldMapping>, values: Record<string, unknown>) => compileMapping(kindsSpec(fields), { entity: kinds, customFields: [] })({ rowNumber: 1, line: 1, values: { id: 1, ...values } });

describe('compiled mappings', () => {
  it('maps a row to the record, the source key and no problems', () => {
    const map = compileMapping(spec({ brand: { from: 'BRAND', transforms: [{ op: 'trim' }] } }), productTarget);
    expect(map(row({ BRAND: ' Alpina ' }, 7))).toEqual({ rowNumber: 7, sourceKey: 'A1', record: { sku: 'A1', name: 'Milk', brand: 'Alpina' }, deleted: false, problems: [] });
  });

  it('counts an empty or blank value as empty, then takes the default', () => {
    const map = compileMapping(spec({ brand: { from: 'BRAND' }, category: { from: 'CAT', default: 'misc' } }), productTarget);
    expect(map(row({ BRAND: ' \t', CAT: '' })).record).toEqual({ sku: 'A1', name: 'Milk', brand: null, category: 'misc' });
  });

  it('keeps formula-looking text inert', () => {
    const map = compileMapping(spec({}), productTarget);
    expect(map(row({ NAME: '=HYPERLINK("http://evil","x")' })).record.name).toBe('=HYPERLINK("http://evil","x")');
  });

  it('reports a missing source key, and a CSV column the row does not have, per field', () => {
    const map = compileMapping(spec({ brand: { from: 'BRAND' } }), productTarget);
    const mapped = map({ rowNumber: 3, line: 4, values: { 'ID;NAME;BRAND': 'A1;Milk;Alpina' } });
    expect(mapped.sourceKey).toBeNull();
    expect(mapped.record).toEqual({});
    expect(mapped.problems.map((problem) => [problem.field, problem.code])).toEqual([
      ['$key', 'ingest.missing_column'],
      ['sku', 'ingest.missing_column'],
      ['name', 'ingest.missing_column'],
      ['brand', 'ingest.missing_column'],
    ]);
    expect(map(row({ ID: '  ', BRAND: '' })).problems).toEqual([{ field: '$key', sourceField: 'ID', code: 'ingest.missing_key', reason: 'the row has no source key' }]);
  });

  it('treats a key absent from a JSON row as empty, not missing', () => {
    const map = compileMapping(spec({ brand: { from: 'BRAND' } }, { source: { format: 'ndjson' } }), productTarget);
    expect(map({ rowNumber: 1, line: 1, values: { ID: 42, NAME: 'Milk' } })).toMatchObject({ sourceKey: '42', record: { sku: '42', brand: null }, problems: [] });
  });

  it('leaves a field whose value fails out of the record, with the source value in the problem', () => {
    const map = compileMapping(spec({ listPrice: { from: 'PRICE', transforms: [{ op: 'money', currency: 'EUR', decimalSeparator: ',' }] } }), productTarget);
    const mapped = map(row({ PRICE: '1.234,5' }));
    expect(mapped.record).toEqual({ sku: 'A1', name: 'Milk' });
    expect(mapped.problems).toEqual([{ field: 'listPrice', sourceField: 'PRICE', value: '1.234,5', code: 'ingest.invalid_number', reason: 'not a number: "1.234,5"' }]);
  });

  it('maps a field only when its condition holds, and marks deletions', () => {
    const map = compileMapping(spec({ brand: { from: 'BRAND', when: { field: 'KIND', in: ['B', 'C'] } } }, { deletion: { any: [{ field: 'DEL', equals: 'X' }, { field: 'STATUS', equals: 99 }] } }), productTarget);
    expect(map(row({ BRAND: 'Alpina', KIND: 'A', DEL: '', STATUS: '1' }))).toMatchObject({ record: { sku: 'A1', name: 'Milk' }, deleted: false });
    expect(map(row({ BRAND: 'Alpina', KIND: ' B ', DEL: 'x', STATUS: ' 99 ' }))).toMatchObject({ record: { brand: 'Alpina' }, deleted: true });
  });

  it('puts custom fields under ext', () => {
    const map = compileMapping(spec({ 'ext.organic': { from: 'BIO', transforms: [{ op: 'boolean' }] }, 'ext.launchedOn': { from: 'ON', transforms: [{ op: 'date', format: 'DD.MM.YYYY' }] } }), productTarget);
    expect(map(row({ BIO: 'ja', ON: '1.3.2024' })).record).toEqual({ sku: 'A1', name: 'Milk', ext: { organic: true, launchedOn: '2024-03-01' } });
  });

  it('refuses to compile an invalid spec, with every problem', () => {
    try {
      compileMapping(spec({ nmae: { from: 'X' }, brand: { from: 'B', transforms: [{ op: 'nope' }] } }), productTarget);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('ingest.invalid_mapping_spec');
      expect(isAppError(error) && error.errors?.map((problem) => problem.pointer)).toEqual(['/fields/nmae', '/fields/brand/transforms/0/op']);
    }
  });
});

describe('coercion to the field kind', () => {
  it('produces values of each kind from JSON and text', () => {
    const fields: Record<string, FieldMapping> = {
      label: { from: 'label' },
      count: { from: 'count' },
      ratio: { from: 'ratio' },
      price: { from: 'price' },
      flag: { from: 'flag' },
      day: { from: 'day' },
      at: { from: 'at' },
      size: { from: 'size' },
      product: { from: 'product' },
      title: { from: 'title', transforms: [{ op: 'localized', language: 'en' }] },
      data: { from: 'data' },
    };
    const mapped = mapKinds(fields, { label: 12, count: '42', ratio: 0.5, price: '12.5', flag: 'true', day: '2024-02-29', at: '2024-05-01T10:30:00+02:00', size: 'M', product: '0190A2C4-0000-7000-8000-000000000001', title: 'Milk', data: { a: [1] } });
    expect(mapped.problems).toEqual([]);
    expect(mapped.record).toEqual({ label: '12', count: 42, ratio: '0.50', price: { amount: 1250, currency: 'EUR' }, flag: true, day: '2024-02-29', at: '2024-05-01T08:30:00.000Z', size: 'M', product: '0190a2c4-0000-7000-8000-000000000001', title: { en: 'Milk' }, data: { a: [1] } });
  });

  it('refuses values that are not of the kind, with the right code', () => {
    const fields: Record<string, FieldMapping> = { count: { from: 'count' }, ratio: { from: 'ratio' }, flag: { from: 'flag' }, day: { from: 'day' }, size: { from: 'size' }, product: { from: 'product' } };
    const mapped = mapKinds(fields, { count: '4.5', ratio: '1.234', flag: 'X', day: '2023-02-29', size: 'XL', product: 'P-1' });
    expect(mapped.record).toEqual({});
    expect(mapped.problems.map((problem) => [problem.field, problem.code])).toEqual([
      ['count', 'ingest.invalid_number'],
      ['ratio', 'ingest.invalid_number'],
      ['flag', 'ingest.invalid_value'],
      ['day', 'ingest.invalid_date'],
      ['size', 'ingest.unknown_code'],
      ['product', 'ingest.invalid_value'],
    ]);
    expect(mapped.problems[4]!.reason).toBe('"XL" is not one of S, M, L (map it with a lookup)');
  });

  it('passes reference markers of the referenced entity through', () => {
    const mapped = mapKinds({ product: { from: 'product', transforms: [{ op: 'reference', entity: 'product', by: 'sku' }] } }, { product: 'A-1' });
    expect(mapped.record).toEqual({ product: { $ref: { entity: 'product', by: 'sku', value: 'A-1' } } });
  });
});
