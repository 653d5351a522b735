/**
 * List filters, sparse fieldsets and totals over the HTTP API: every operator on every field kind
 * returns exactly the rows it names (no soft-deleted rows, no other tenant's rows), with `%`, `_`
 * and `\` matched literally by prefix.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
const ids: Record<string, string> = {};
let categoryOne: string;
let categoryTwo: string;
const country = '01a1fb3e-0000-7000-8000-00000000c0de';
let beforeTouch: string;

async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}, tenant = 'filters') {
  return t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
}

async function codesOf(query: string): Promise<string[]> {
  const response = await send('GET', `/v1/kt-widgets?limit=200&${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data.map((record: { code: string }) => record.code).sort();
}

beforeAll(async () => {
  t = await startTestPlatform();
  await t.createTenant('filters');
  await t.createTenant('elsewhere');
  await sql`insert into kt_countries (id, code, name) values (${country}, 'FR', '{"en":"France"}')`.execute(t.database.owner.db);
  categoryOne = (await send('POST', '/v1/kt-categories', { code: 'ONE', title: 'One' })).json().id;
  categoryTwo = (await send('POST', '/v1/kt-categories', { code: 'TWO', title: 'Two' })).json().id;
  const rows = [
    { code: 'W1', name: 'alpha', quantity: 0, weight: '-1.500', price: { amount: 100, currency: 'EUR' }, enabled: true, availableOn: '2024-01-01', inspectedAt: '2024-01-01T10:00:00.000Z', status: 'draft', category: categoryOne, ownerEmail: 'ann@example.com' },
    { code: 'W2', name: '50% off', quantity: 5, weight: '0.000', price: { amount: 250, currency: 'USD' }, enabled: false, availableOn: '2024-02-29', inspectedAt: '2024-01-01T10:00:00.001Z', status: 'active', category: categoryTwo, ownerEmail: 'bob@example.com' },
    { code: 'W3', name: '50_50', quantity: 10, weight: '2.250', enabled: true, availableOn: '2024-12-31', inspectedAt: '2023-12-31T23:59:59.999Z', status: 'active', category: categoryOne, ownerEmail: 'ann.b@example.com' },
    { code: 'W4', name: 'a\\b', price: { amount: 0, currency: 'EUR' }, enabled: false, status: 'retired' },
    { code: 'W5', name: '50%', quantity: 1_000_000, weight: '999999999.999', price: { amount: Number.MAX_SAFE_INTEGER, currency: 'EUR' }, availableOn: '0001-01-01', inspectedAt: '2024-01-01T11:00:00+01:00', status: 'draft', country },
    { code: 'W6', name: 'Alpha', quantity: 5, weight: '0.0' },
    { code: 'W7', name: 'alpha', quantity: 5, weight: '0', status: 'active', category: categoryOne },
  ];
  for (const row of rows) {
    const response = await send('POST', '/v1/kt-widgets', row);
    expect(response.statusCode, response.body).toBe(201);
    ids[row.code] = response.json().id;
  }
  expect((await send('DELETE', `/v1/kt-widgets/${ids.W7}`)).statusCode).toBe(204);
  // Another tenant's rows match most filters; none may show up.
  expect((await send('POST', '/v1/kt-widgets', { code: 'W1', name: 'alpha', quantity: 5, weight: '0', status: 'active' }, {}, 'elsewhere')).statusCode).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 20));
  beforeTouch = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect((await send('PATCH', `/v1/kt-widgets/${ids.W6}`, { status: 'draft' }, { 'if-match': '"1"' })).statusCode).toBe(200);
});
afterAll(() => t.close());

const enc = encodeURIComponent;

describe('filters return exactly the rows they name', () => {
  it.each<[string, () => string, string[]]>([
    // text
    ['text eq is exact and case-sensitive', () => 'name=alpha', ['W1']],
    ['text eq matches % literally', () => `name=${enc('50%')}`, ['W5']],
    ['text in', () => `name[in]=${enc('alpha,50% off')}`, ['W1', 'W2']],
    ['text prefix', () => 'name[prefix]=al', ['W1']],
    ['text prefix treats % literally', () => `name[prefix]=${enc('50%')}`, ['W2', 'W5']],
    ['text prefix treats _ literally', () => `name[prefix]=${enc('50_')}`, ['W3']],
    ['text prefix treats \\ literally', () => `name[prefix]=${enc('a\\')}`, ['W4']],
    ['text prefix of a lone %', () => `name[prefix]=${enc('%')}`, []],
    ['text prefix of a lone _', () => `name[prefix]=${enc('_')}`, []],
    ['text prefix on another field', () => 'ownerEmail[prefix]=ann', ['W1', 'W3']],
    ['text eq on another field', () => `ownerEmail=${enc('bob@example.com')}`, ['W2']],
    // integer
    ['integer eq', () => 'quantity=5', ['W2', 'W6']],
    ['integer in', () => 'quantity[in]=0,10', ['W1', 'W3']],
    ['integer gt', () => 'quantity[gt]=5', ['W3', 'W5']],
    ['integer gte', () => 'quantity[gte]=5', ['W2', 'W3', 'W5', 'W6']],
    ['integer lt (NULL is not less)', () => 'quantity[lt]=5', ['W1']],
    ['integer lte', () => 'quantity[lte]=5', ['W1', 'W2', 'W6']],
    ['integer at the int4 minimum', () => 'quantity[lt]=-2147483648', []],
    // decimal
    ['decimal eq compares numbers, not text', () => 'weight=0', ['W2', 'W6']],
    ['decimal in', () => 'weight[in]=2.25,-1.5', ['W1', 'W3']],
    ['decimal gt', () => 'weight[gt]=0', ['W3', 'W5']],
    ['decimal gte', () => 'weight[gte]=0.000', ['W2', 'W3', 'W5', 'W6']],
    ['decimal lt', () => 'weight[lt]=0', ['W1']],
    ['decimal lte', () => 'weight[lte]=-1.5', ['W1']],
    ['decimal beyond the column precision', () => 'weight[lt]=1000000000000000', ['W1', 'W2', 'W3', 'W5', 'W6']],
    // money (the amount in minor units, whatever the currency)
    ['money gt', () => 'price[gt]=100', ['W2', 'W5']],
    ['money gte', () => 'price[gte]=100', ['W1', 'W2', 'W5']],
    ['money lt', () => 'price[lt]=100', ['W4']],
    ['money lte at 2^53-1', () => `price[lte]=${Number.MAX_SAFE_INTEGER}`, ['W1', 'W2', 'W4', 'W5']],
    // boolean
    ['boolean true', () => 'enabled=true', ['W1', 'W3', 'W5', 'W6']],
    ['boolean false', () => 'enabled=false', ['W2', 'W4']],
    // date
    ['date eq on a leap day', () => 'availableOn=2024-02-29', ['W2']],
    ['date in', () => 'availableOn[in]=2024-01-01,2024-12-31', ['W1', 'W3']],
    ['date gt', () => 'availableOn[gt]=2024-01-01', ['W2', 'W3']],
    ['date gte', () => 'availableOn[gte]=2024-01-01', ['W1', 'W2', 'W3']],
    ['date lt', () => 'availableOn[lt]=2024-01-01', ['W5']],
    ['date lte at year 1', () => 'availableOn[lte]=0001-01-01', ['W5']],
    // timestamp
    ['timestamp eq is the same instant in any offset', () => `inspectedAt=${enc('2024-01-01T11:00:00+01:00')}`, ['W1', 'W5']],
    ['timestamp eq in UTC', () => 'inspectedAt=2024-01-01T10:00:00Z', ['W1', 'W5']],
    ['timestamp in', () => 'inspectedAt[in]=2024-01-01T10:00:00.001Z,2023-12-31T23:59:59.999Z', ['W2', 'W3']],
    ['timestamp gt by one millisecond', () => 'inspectedAt[gt]=2024-01-01T10:00:00Z', ['W2']],
    ['timestamp gte', () => 'inspectedAt[gte]=2024-01-01T10:00:00Z', ['W1', 'W2', 'W5']],
    ['timestamp lt', () => 'inspectedAt[lt]=2024-01-01T00:00:00Z', ['W3']],
    ['timestamp lte', () => `inspectedAt[lte]=${enc('2024-01-01T00:59:59.999+01:00')}`, ['W3']],
    // enum
    ['enum eq', () => 'status=active', ['W2', 'W3']],
    ['enum in', () => 'status[in]=draft,retired', ['W1', 'W4', 'W5', 'W6']],
    // references
    ['reference eq', () => `category=${categoryOne}`, ['W1', 'W3']],
    ['reference eq in upper case', () => `category=${categoryTwo.toUpperCase()}`, ['W2']],
    ['reference in', () => `category[in]=${categoryOne},${categoryTwo}`, ['W1', 'W2', 'W3']],
    ['reference to a missing record', () => 'category=01a1fb3e-6c3a-7c3b-a78c-09221d965cb1', []],
    ['reference to a global record', () => `country=${country}`, ['W5']],
    // system timestamps
    ['createdAt lower bound', () => 'createdAt[gte]=2000-01-01T00:00:00Z', ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']],
    ['createdAt upper bound', () => 'createdAt[lt]=2000-01-01T00:00:00Z', []],
    ['updatedAt after a change', () => `updatedAt[gte]=${beforeTouch}`, ['W6']],
    ['createdAt before the change', () => `createdAt[lt]=${beforeTouch}`, ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']],
    // combinations are AND
    ['two fields', () => 'quantity[gte]=1&status=active', ['W2', 'W3']],
    ['a range on one field', () => 'quantity[gt]=0&quantity[lt]=10', ['W2', 'W6']],
    ['an empty intersection', () => 'enabled=true&status=retired', []],
  ])('%s', async (_label, query, expected) => {
    expect(await codesOf(query())).toEqual(expected);
  });
});

describe('sparse fieldsets', () => {
  it('returns only the requested properties and the id', async () => {
    const response = await send('GET', '/v1/kt-widgets?fields=name,quantity&sort=code');
    expect(response.statusCode).toBe(200);
    const data = response.json().data;
    expect(data).toHaveLength(6);
    for (const record of data) expect(Object.keys(record).sort()).toEqual(['id', 'name', 'quantity']);
    expect(data[0]).toEqual({ id: ids.W1, name: 'alpha', quantity: 0 });
  });

  it('returns money, json-backed and system properties whole', async () => {
    const data = (await send('GET', `/v1/kt-widgets?fields=price,version,createdAt&code=W1`)).json().data;
    expect(data).toEqual([{ id: ids.W1, price: { amount: 100, currency: 'EUR' }, version: 1, createdAt: expect.stringMatching(/Z$/) }]);
  });

  it('returns only the id for fields=id or an empty fields', async () => {
    for (const fields of ['id', '']) {
      const data = (await send('GET', `/v1/kt-widgets?fields=${fields}&code=W2`)).json().data;
      expect(data).toEqual([{ id: ids.W2 }]);
    }
  });

  it('applies to a single record, which keeps its ETag', async () => {
    const response = await send('GET', `/v1/kt-widgets/${ids.W3}?fields=name,status`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: ids.W3, name: '50_50', status: 'active' });
    expect(response.headers.etag).toBe('"1"');
  });

  it('pages correctly when the sort key is not among the fields', async () => {
    const walked: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: unknown[]; nextCursor: string | null } = (await send('GET', `/v1/kt-widgets?fields=id&sort=-quantity&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      walked.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual([ids.W4, ids.W5, ids.W3, ids.W6, ids.W2, ids.W1].map((id) => ({ id })));
  });
});

describe('includeTotal', () => {
  it('counts every matching record, not the page, on every page', async () => {
    const first = (await send('GET', '/v1/kt-widgets?status[in]=draft,active&limit=2&includeTotal=true&sort=code')).json();
    expect(first.total).toBe(5);
    expect(first.data).toHaveLength(2);
    const second = (await send('GET', `/v1/kt-widgets?status[in]=draft,active&limit=2&includeTotal=true&sort=code&cursor=${first.nextCursor}`)).json();
    expect(second.total).toBe(5);
    expect(second.data.map((record: { code: string }) => record.code)).toEqual(['W3', 'W5']);
  });

  it('is absent unless asked for', async () => {
    expect((await send('GET', '/v1/kt-widgets?limit=1')).json()).not.toHaveProperty('total');
    expect((await send('GET', '/v1/kt-widgets?limit=1&includeTotal=false')).json()).not.toHaveProperty('total');
  });

  it('counts zero when nothing matches, and leaves out deleted and foreign rows', async () => {
    expect((await send('GET', '/v1/kt-widgets?name=nothing&includeTotal=true')).json()).toEqual({ data: [], nextCursor: null, total: 0 });
    expect((await send('GET', '/v1/kt-widgets?name=alpha&includeTotal=true')).json().total).toBe(1);
  });
});
