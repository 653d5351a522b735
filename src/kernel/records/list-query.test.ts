import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelTestEntities, ktWidget } from '../../../test/model/kernel-test.model.ts';
import { createRegistry } from '../model/index.ts';
import { AppError } from '../shared/index.ts';
import { encodeCursor, parseListQuery } from './list-query.ts';
import { createRecordCodec } from './record-codec.ts';

const codec = createRecordCodec(ktWidget, createRegistry(kernelTestEntities));
const limits = { defaultLimit: 50, maxLimit: 200 };
const parse = (raw: Record<string, unknown>) => parseListQuery(codec, raw, limits);
const someId = '01a1fb3e-6c3a-7c3b-a78c-09221d965cb1';

/** The AppError a parse throws (fails the test when it does not throw one). */
function refusal(raw: Record<string, unknown>): AppError {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

function expectRefused(raw: Record<string, unknown>, code: string, parameter: string): void {
  const error = refusal(raw);
  expect(error.kind).toBe('invalid');
  expect(error.code).toBe(code);
  expect(error.errors?.[0]?.parameter).toBe(parameter);
}

describe('parseListQuery defaults and limit', () => {
  it('uses the default limit, no filters, no sort and no total when nothing is asked', () => {
    const query = parse({});
    expect(query).toMatchObject({ limit: 50, filters: [], sort: [], includeTotal: false, sortSpec: '' });
    expect(query.fields).toBeUndefined();
    expect(query.after).toBeUndefined();
  });

  it('accepts limits from 1 to the maximum, as numbers or digit strings', () => {
    expect(parse({ limit: 1 }).limit).toBe(1);
    expect(parse({ limit: '200' }).limit).toBe(200);
  });

  it.each([0, 201, -1, 'abc', '1.5', ''])('refuses limit %j', (limit) => {
    expectRefused({ limit }, 'records.invalid_query', 'limit');
  });

  it('reads includeTotal as a boolean or the string "true"', () => {
    expect(parse({ includeTotal: true }).includeTotal).toBe(true);
    expect(parse({ includeTotal: 'true' }).includeTotal).toBe(true);
    expect(parse({ includeTotal: false }).includeTotal).toBe(false);
  });
});

describe('parseListQuery sort', () => {
  it('parses keys in order, a leading minus meaning descending, with a canonical spec', () => {
    const query = parse({ sort: '-quantity,name' });
    expect(query.sort).toEqual([
      { property: 'quantity', column: 'quantity', descending: true },
      { property: 'name', column: 'name', descending: false },
    ]);
    expect(query.sortSpec).toBe('-quantity,name');
  });

  it('maps system properties and camelCase fields to their columns', () => {
    expect(parse({ sort: 'createdAt,-availableOn,inspectedAt' }).sort.map((key) => key.column)).toEqual(['created_at', 'available_on', 'inspected_at']);
  });

  it('keeps an explicit id as the last key and drops keys after it (id is unique)', () => {
    expect(parse({ sort: '-id,name' }).sort).toEqual([{ property: 'id', column: 'id', descending: true }]);
    expect(parse({ sort: 'name,-id' }).sort.map((key) => `${key.descending ? '-' : ''}${key.property}`)).toEqual(['name', '-id']);
    expect(parse({ sort: 'id' }).sortSpec).toBe('id');
  });

  it.each([
    ['ownerEmail', 'a filterable field that is not sortable'],
    ['price', 'money'],
    ['attributes', 'json'],
    ['title', 'localized text'],
    ['serial', 'a read-only field'],
    ['tenantId', 'the tenant column'],
    ['tenant_id', 'a column name'],
    ['bogus', 'an unknown name'],
    ['name,name', 'a repeated key'],
    ['code,name,quantity,weight', 'more than three keys'],
    ['name,', 'an empty key'],
    ['-', 'a bare minus'],
    ['name;drop table kt_widgets', 'SQL'],
    ["name' OR 1=1 --", 'SQL'],
    ['NAME', 'the wrong case'],
  ])('refuses sort=%s (%s)', (sort) => {
    expectRefused({ sort }, 'records.invalid_query', 'sort');
  });
});

describe('parseListQuery filters', () => {
  it.each([
    ['name', 'Widget', { column: 'name', operator: 'eq', value: 'Widget' }],
    ['name[eq]', 'Widget', { column: 'name', operator: 'eq', value: 'Widget' }],
    ['name[in]', 'a,b', { column: 'name', operator: 'in', value: ['a', 'b'] }],
    ['name[prefix]', '50%_\\', { column: 'name', operator: 'prefix', value: '50%_\\' }],
    ['quantity', '12', { column: 'quantity', operator: 'eq', value: 12 }],
    ['quantity[gte]', '-2147483648', { column: 'quantity', operator: 'gte', value: -2147483648 }],
    ['quantity[in]', '1,2,3', { column: 'quantity', operator: 'in', value: [1, 2, 3] }],
    ['weight[lt]', '1.250', { column: 'weight', operator: 'lt', value: '1.250' }],
    ['price[gt]', '100', { column: 'price_amount', operator: 'gt', value: 100 }],
    ['enabled', 'false', { column: 'enabled', operator: 'eq', value: false }],
    ['availableOn[lte]', '2024-02-29', { column: 'available_on', operator: 'lte', value: '2024-02-29' }],
    ['inspectedAt[gt]', '2024-01-01T10:00:00+01:00', { column: 'inspected_at', operator: 'gt', value: '2024-01-01T10:00:00+01:00' }],
    ['inspectedAt', '2024-01-01T10:00:00.123456Z', { column: 'inspected_at', operator: 'eq', value: '2024-01-01T10:00:00.123456Z' }],
    ['status[in]', 'draft,active', { column: 'status', operator: 'in', value: ['draft', 'active'] }],
    ['category', someId.toUpperCase(), { column: 'category_id', operator: 'eq', value: someId }],
    ['country[in]', someId, { column: 'country_id', operator: 'in', value: [someId] }],
    ['ownerEmail[prefix]', 'ann@', { column: 'owner_email', operator: 'prefix', value: 'ann@' }],
    ['createdAt[gte]', '2024-01-01T00:00:00Z', { column: 'created_at', operator: 'gte', value: '2024-01-01T00:00:00Z' }],
    ['updatedAt[lt]', '2024-01-01T00:00:00Z', { column: 'updated_at', operator: 'lt', value: '2024-01-01T00:00:00Z' }],
  ])('parses %s=%s', (key, value, expected) => {
    expect(parse({ [key]: value }).filters).toEqual([expected]);
  });

  it('keeps SQL meta-characters as plain values (they are bound, never spliced)', () => {
    const value = "' OR 1=1 --;\\%_";
    expect(parse({ name: value }).filters[0]!.value).toBe(value);
  });

  it.each([
    ['name[gt]', 'a', 'a range on text'],
    ['name[like]', 'a', 'an unknown operator'],
    ['enabled[in]', 'true', 'in on a boolean'],
    ['status[prefix]', 'dr', 'prefix on an enum'],
    ['price', '100', 'eq on money'],
    ['quantity[prefix]', '1', 'prefix on a number'],
    ['serial', 'x', 'a field that is not filterable'],
    ['attributes', 'x', 'json'],
    ['bogus', 'x', 'an unknown field'],
    ['tenant_id', someId, 'the tenant column'],
    ['createdAt[in]', '2024-01-01T00:00:00Z', 'in on a system timestamp'],
    ['createdAt[prefix]', '2024', 'prefix on a system timestamp'],
    ['quantity', '1 OR 1=1', 'SQL in an integer'],
    ['quantity', '12.5', 'a fraction for an integer'],
    ['quantity', '99999999999', 'an integer beyond int4'],
    ['quantity', '2147483648', 'an integer just beyond int4'],
    ['quantity[in]', '1,,2', 'an empty member'],
    ['quantity[in]', Array.from({ length: 101 }, (_, index) => index).join(','), 'more than 100 members'],
    ['weight', '1e3', 'an exponent'],
    ['weight', '1.', 'a trailing point'],
    ['enabled', 'yes', 'a boolean spelled otherwise'],
    ['availableOn', '2024-02-30', 'a day that does not exist'],
    ['availableOn', '2023-02-29', 'a leap day in a common year'],
    ['availableOn', '0000-01-01', 'year zero'],
    ['availableOn', '2024-1-1', 'a short date'],
    ['inspectedAt', '2024-01-01T10:00:00', 'a timestamp without offset'],
    ['inspectedAt', '2024-01-01 10:00:00Z', 'a space instead of T'],
    ['inspectedAt', '2024-02-30T10:00:00Z', 'a day that does not exist'],
    ['inspectedAt', '2024-01-01T24:00:00Z', 'hour 24'],
    ['inspectedAt', '2024-01-01T10:60:00Z', 'minute 60'],
    ['createdAt[gte]', 'yesterday', 'a word'],
    ['category', 'not-a-uuid', 'a malformed reference'],
    ['category', "' OR 1=1 --", 'SQL in a reference'],
    ['name', 'a\u0000b', 'U+0000'],
    ['name[prefix]', 'a\u0000', 'U+0000 in a prefix'],
    ['name[in]', 'a,\ud800', 'an unpaired surrogate'],
    ['name', 'x'.repeat(1001), 'text over 1000 characters'],
  ])('refuses %s=%s (%s)', (key, value) => {
    expectRefused({ [key]: value }, 'records.invalid_query', key);
  });
});

describe('parseListQuery fields', () => {
  it('always includes id and accepts declared and system properties', () => {
    expect(parse({ fields: 'name,version,ext' }).fields).toEqual(new Set(['id', 'name', 'version', 'ext']));
    expect(parse({ fields: '' }).fields).toEqual(new Set(['id']));
    expect(parse({ fields: 'id' }).fields).toEqual(new Set(['id']));
  });

  it.each(['bogus', 'name,tenantId', 'deletedAt', 'tenant_id', "name,' OR 1=1", 'Name'])('refuses fields=%s', (fields) => {
    expectRefused({ fields }, 'records.invalid_query', 'fields');
  });
});

describe('parseListQuery cursor', () => {
  it('reads back the cursor it wrote for the same sort', () => {
    const cursor = encodeCursor('-quantity,name', { values: ['12', null], id: someId });
    expect(parse({ sort: '-quantity,name', cursor }).after).toEqual({ values: ['12', null], id: someId });
  });

  it('round-trips any values and ids (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ maxLength: 200, unit: 'binary' }), { nil: null }), { minLength: 3, maxLength: 3 }), fc.uuid(), (values, id) => {
        const cursor = encodeCursor('name,-quantity,code', { values, id });
        expect(parse({ sort: 'name,-quantity,code', cursor }).after).toEqual({ values: values.map((value) => (value === null ? null : Buffer.from(value, 'utf8').toString('utf8'))), id });
      }),
      { seed: 4242, numRuns: 200 },
    );
  });

  const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['a cursor of another sort', encodeCursor('name', { values: ['a'], id: someId }), '-name'],
    ['a cursor without sort used with a sort', encodeCursor('', { values: [], id: someId }), 'name'],
    ['garbage', 'abc', undefined],
    ['SQL', "' OR 1=1 --", undefined],
    ['base64 of non-JSON', Buffer.from('not json').toString('base64url'), undefined],
    ['JSON null', json(null), undefined],
    ['a JSON array', json([]), undefined],
    ['a non-uuid id', json({ s: 'name', v: ['a'], i: "1' OR '1'='1" }), 'name'],
    ['a missing id', json({ s: 'name', v: ['a'] }), 'name'],
    ['too few values', json({ s: 'name,code', v: ['a'], i: someId }), 'name,code'],
    ['too many values', json({ s: 'name', v: ['a', 'b'], i: someId }), 'name'],
    ['a number value', json({ s: 'quantity', v: [12], i: someId }), 'quantity'],
    ['an over-long value', json({ s: 'name', v: ['x'.repeat(2001)], i: someId }), 'name'],
  ])('refuses %s', (_label, cursor, sort) => {
    expectRefused(sort === undefined ? { cursor } : { cursor, sort }, 'records.invalid_cursor', 'cursor');
  });
});
