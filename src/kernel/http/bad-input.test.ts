/**
 * Bad input never reaches PostgreSQL as a 500: every malformed, mistyped, unknown, oversized,
 * poisoned or hostile request answers a 4xx problem+json with a stable code and the field it is
 * about, and writes nothing.
 */
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenantId: string;
let existing: { id: string; version: number };
let categoryA: string;
let categoryB: string;
const widgets = '/v1/kt-widgets';
const randomUuid = '01a1fb3e-6c3a-7c3b-a78c-09221d965cb1';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface RequestOptions {
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  tenant?: string | null;
}

function send(method: Method, url: string, options: RequestOptions = {}): Promise<LightMyRequestResponse> {
  const tenant = options.tenant === undefined ? 'acme' : options.tenant;
  const headers: Record<string, string> = { ...(tenant === null ? {} : { 'x-tenant': tenant }) };
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  if (options.raw !== undefined && !options.headers?.['content-type']) headers['content-type'] = 'application/json';
  return t.platform.http.inject({ method, url, headers: { ...headers, ...options.headers }, ...(payload === undefined ? {} : { payload }) });
}

/** What must never leave the server: stack frames, SQL, driver or file names. */
const leak = /\n\s+at |node_modules|\.ts:\d|SELECT |INSERT INTO|UPDATE kt_|postgres|duplicate key|violates|relation "|syntax error|kt_\w+_(pkey|key|fk|check|length|range)\b/i;

type Where = { pointer: string } | { parameter: string };

function expectProblem(response: LightMyRequestResponse, status: number, code: string, where?: Where): Record<string, any> {
  expect({ status: response.statusCode, body: response.json() }).toMatchObject({ status, body: { code } });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toMatchObject({ type: `urn:tenantry:problem:${code}`, status, code, traceId: response.headers['x-request-id'] });
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
  expect(problem).not.toHaveProperty('stack');
  expect(response.body).not.toMatch(leak);
  if (where) expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining(where)]));
  return problem;
}

/** Every row of the tables a write could touch, deleted or not, every tenant. */
async function database(): Promise<string> {
  const rows = await sql`
    select 'w' as t, id, tenant_id, version, deleted_at, code, name from kt_widgets
    union all select 'c', id, tenant_id, version, deleted_at, code, title from kt_categories
    union all select 'i', null, tenant_id, status_code, null, key, request_hash from idempotency_keys
    order by 1, 2, 6`.execute(t.database.owner.db);
  return JSON.stringify(rows.rows);
}

/** Runs a request that must be refused and checks it wrote nothing. */
async function refused(method: Method, url: string, options: RequestOptions, status: number, code: string, where?: Where) {
  const before = await database();
  const response = await send(method, url, options);
  const problem = expectProblem(response, status, code, where);
  expect(await database()).toBe(before);
  return problem;
}

beforeAll(async () => {
  t = await startTestPlatform();
  tenantId = (await t.createTenant('acme')).id;
  await t.createTenant('other');
  await t.createTenant('frozen');
  await t.platform.tenants.suspendTenant('frozen');
  categoryA = (await send('POST', '/v1/kt-categories', { body: { code: 'CAT-A', title: 'A' } })).json().id;
  categoryB = (await send('POST', '/v1/kt-categories', { body: { code: 'CAT-B', title: 'B' }, tenant: 'other' })).json().id;
  const created = await send('POST', widgets, { body: { code: 'EXISTING', name: 'Existing', category: categoryA } });
  expect(created.statusCode).toBe(201);
  existing = created.json();
  expect((await send('POST', widgets, { body: { code: 'OTHER', name: 'Other' } })).statusCode).toBe(201);
});
afterAll(() => t.close());

const valid = { code: 'NEW-1', name: 'New' };

describe('a create body of the wrong shape', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an integer sent as a string', { ...valid, quantity: '12' }, '/quantity'],
    ['an integer with a fraction', { ...valid, quantity: 1.5 }, '/quantity'],
    ['an integer above its maximum', { ...valid, quantity: 1_000_001 }, '/quantity'],
    ['a negative integer below its minimum', { ...valid, quantity: -1 }, '/quantity'],
    ['a number for a string', { ...valid, name: 12 }, '/name'],
    ['an object for a string', { ...valid, name: { en: 'x' } }, '/name'],
    ['null for a required field', { ...valid, name: null }, '/name'],
    ['a missing required field', { name: 'No code' }, '/code'],
    ['text over its maximum length', { ...valid, name: 'x'.repeat(201) }, '/name'],
    ['text against its pattern', { ...valid, code: 'lower case' }, '/code'],
    ['SQL in a patterned field', { ...valid, code: "X' OR 1=1 --" }, '/code'],
    ['a decimal with too many places', { ...valid, weight: '1.2345' }, '/weight'],
    ['a decimal with too many digits', { ...valid, weight: '1234567890.1' }, '/weight'],
    ['a decimal as a JSON number', { ...valid, weight: 1.5 }, '/weight'],
    ['a decimal in exponent form', { ...valid, weight: '1e3' }, '/weight'],
    ['money with a lowercase currency', { ...valid, price: { amount: 100, currency: 'eur' } }, '/price/currency'],
    ['money with a four-letter currency', { ...valid, price: { amount: 100, currency: 'EURO' } }, '/price/currency'],
    ['money in another currency than the fixed one', { ...valid, fixedFee: { amount: 100, currency: 'USD' } }, '/fixedFee/currency'],
    ['money with a fractional amount', { ...valid, price: { amount: 1.5, currency: 'EUR' } }, '/price/amount'],
    ['money below its minimum', { ...valid, price: { amount: -1, currency: 'EUR' } }, '/price/amount'],
    ['money without currency', { ...valid, price: { amount: 1 } }, '/price/currency'],
    ['money with an extra property', { ...valid, price: { amount: 1, currency: 'EUR', rate: 2 } }, '/price/rate'],
    ['money as a number', { ...valid, price: 100 }, '/price'],
    ['a boolean as a string', { ...valid, enabled: 'true' }, '/enabled'],
    ['a date that does not exist', { ...valid, availableOn: '2024-02-30' }, '/availableOn'],
    ['a date with month 13', { ...valid, availableOn: '2024-13-01' }, '/availableOn'],
    ['a timestamp for a date', { ...valid, availableOn: '2024-01-01T00:00:00Z' }, '/availableOn'],
    ['a timestamp without T', { ...valid, inspectedAt: '2024-01-01 10:00' }, '/inspectedAt'],
    ['a timestamp without offset', { ...valid, inspectedAt: '2024-01-01T10:00:00' }, '/inspectedAt'],
    ['a timestamp at hour 25', { ...valid, inspectedAt: '2024-01-01T25:00:00Z' }, '/inspectedAt'],
    ['a timestamp as epoch milliseconds', { ...valid, inspectedAt: 1704103200000 }, '/inspectedAt'],
    ['an enum value outside its values', { ...valid, status: 'gone' }, '/status'],
    ['an enum value in the wrong case', { ...valid, status: 'DRAFT' }, '/status'],
    ['localized text with a bad locale key', { ...valid, title: { EN: 'Milk' } }, '/title/EN'],
    ['localized text with a non-locale key', { ...valid, title: { 'en US': 'Milk' } }, '/title/en US'],
    ['localized text with a number', { ...valid, title: { en: 5 } }, '/title/en'],
    ['localized text as a string', { ...valid, title: 'Milk' }, '/title'],
    ['a json field given an array', { ...valid, attributes: [1, 2] }, '/attributes'],
    ['a json field given a string', { ...valid, attributes: 'x' }, '/attributes'],
    ['a reference that is not a uuid', { ...valid, category: 'abc' }, '/category'],
    ['a reference with SQL', { ...valid, category: "' OR 1=1 --" }, '/category'],
    ['a client id that is not a uuid', { ...valid, id: '1' }, '/id'],
    ['an unknown property', { ...valid, bogus: 1 }, '/bogus'],
    ['a property in the wrong case', { ...valid, Name: 'x' }, '/Name'],
    ['a SQL property name', { ...valid, "name = 'x' --": 1 }, "/name = 'x' --"],
    ['tenant_id', { ...valid, tenant_id: randomUuid }, '/tenant_id'],
    ['tenantId', { ...valid, tenantId: randomUuid }, '/tenantId'],
    ['version', { ...valid, version: 7 }, '/version'],
    ['createdAt', { ...valid, createdAt: '2024-01-01T00:00:00Z' }, '/createdAt'],
    ['createdBy', { ...valid, createdBy: randomUuid }, '/createdBy'],
    ['deletedAt', { ...valid, deletedAt: null }, '/deletedAt'],
    ['ext that is not an object', { ...valid, ext: 'x' }, '/ext'],
    ['ext with an object value', { ...valid, ext: { size: { a: 1 } } }, '/ext/size'],
    ['a read-only field', { ...valid, serial: 'S-1' }, '/serial'],
    ['a constructor that is not a prototype carrier', { ...valid, constructor: 'x' }, '/constructor'],
  ])('refuses %s (400 http.validation_failed)', async (_label, body, pointer) => {
    await refused('POST', widgets, { body }, 400, 'http.validation_failed', { pointer });
  });

  it('refuses a custom field the tenant did not define (400 records.invalid_custom_field), on create and update', async () => {
    await refused('POST', widgets, { body: { ...valid, ext: { size: 1 } } }, 400, 'records.invalid_custom_field', { pointer: '/ext/size' });
    const patch = { body: { ext: { 'a/b~c': 'x' } }, headers: { 'if-match': `"${existing.version}"` } };
    await refused('PATCH', `${widgets}/${existing.id}`, patch, 400, 'records.invalid_custom_field', { pointer: '/ext/a~1b~0c' });
  });

  it('names a server-owned property as such, not as unknown', async () => {
    const problem = await refused('POST', widgets, { body: { ...valid, tenant_id: randomUuid } }, 400, 'http.validation_failed', { pointer: '/tenant_id' });
    expect(problem.errors[0].detail).toMatch(/set by the server/);
  });

  it('reports every field at once', async () => {
    const problem = await refused('POST', widgets, { body: { code: 'lower', name: 5, quantity: '1', bogus: true } }, 400, 'http.validation_failed');
    expect(problem.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/bogus', '/code', '/name', '/quantity']);
  });

  it('bounds the errors it reports for a body of thousands of unknown properties', async () => {
    const body = Object.fromEntries(Array.from({ length: 20_000 }, (_, index) => [`k${index}`, index]));
    const started = Date.now();
    const problem = await refused('POST', widgets, { body: { ...valid, ...body } }, 400, 'http.validation_failed', { pointer: '/k0' });
    expect(problem.errors.length).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('values the schema lets through but PostgreSQL cannot store', () => {
  it.each<[string, string, string]>([
    ['U+0000 in text', '{"code":"NEW-1","name":"a\\u0000b"}', '/name'],
    ['U+0000 in a json value', '{"code":"NEW-1","name":"n","attributes":{"a":"x\\u0000"}}', '/attributes/a'],
    ['U+0000 in a json key', '{"code":"NEW-1","name":"n","attributes":{"a\\u0000":1}}', '/attributes/a\u0000'],
    ['U+0000 in localized text', '{"code":"NEW-1","name":"n","title":{"en":"\\u0000"}}', '/title/en'],
    ['an unpaired surrogate in text', '{"code":"NEW-1","name":"\\ud800"}', '/name'],
    ['an unpaired surrogate in json', '{"code":"NEW-1","name":"n","attributes":{"list":["ok","\\udc00"]}}', '/attributes/list/1'],
    ['year 0000 in a date', '{"code":"NEW-1","name":"n","availableOn":"0000-01-01"}', '/availableOn'],
    ['year 0000 in a timestamp', '{"code":"NEW-1","name":"n","inspectedAt":"0000-06-01T00:00:00Z"}', '/inspectedAt'],
  ])('refuses %s (400 records.invalid_value)', async (_label, raw, pointer) => {
    await refused('POST', widgets, { raw }, 400, 'records.invalid_value', { pointer });
  });

  it('refuses them in an update too', async () => {
    await refused('PATCH', `${widgets}/${existing.id}`, { raw: '{"name":"a\\u0000"}', headers: { 'if-match': `"${existing.version}"` } }, 400, 'records.invalid_value', { pointer: '/name' });
  });

  it('stores a well-formed surrogate pair (emoji) unchanged', async () => {
    const created = await send('POST', widgets, { body: { code: 'EMOJI', name: 'milk 🥛', attributes: { '🔑': '✓' } } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'milk 🥛', attributes: { '🔑': '✓' } });
  });
});

describe('references and unique keys', () => {
  it('refuses a reference to a random id (422 records.reference_not_found)', async () => {
    await refused('POST', widgets, { body: { ...valid, category: randomUuid } }, 422, 'records.reference_not_found', { pointer: '/category' });
  });

  it("refuses a reference to another tenant's record exactly like a missing one", async () => {
    const foreign = await refused('POST', widgets, { body: { ...valid, category: categoryB } }, 422, 'records.reference_not_found', { pointer: '/category' });
    const missing = await refused('POST', widgets, { body: { ...valid, category: randomUuid } }, 422, 'records.reference_not_found', { pointer: '/category' });
    expect({ ...foreign, traceId: '' }).toEqual({ ...missing, traceId: '' });
  });

  it('refuses a reference to a missing global record (422)', async () => {
    await refused('POST', widgets, { body: { ...valid, country: randomUuid } }, 422, 'records.reference_not_found', { pointer: '/country' });
  });

  it("refuses an update that points at another tenant's record (422)", async () => {
    await refused('PATCH', `${widgets}/${existing.id}`, { body: { category: categoryB }, headers: { 'if-match': `"${existing.version}"` } }, 422, 'records.reference_not_found', { pointer: '/category' });
  });

  it('refuses a duplicate unique code (409 records.unique_violation at /code)', async () => {
    await refused('POST', widgets, { body: { code: 'EXISTING', name: 'Again' } }, 409, 'records.unique_violation', { pointer: '/code' });
  });

  it('refuses an update onto a taken unique code (409)', async () => {
    await refused('PATCH', `${widgets}/${existing.id}`, { body: { code: 'OTHER' }, headers: { 'if-match': `"${existing.version}"` } }, 409, 'records.unique_violation', { pointer: '/code' });
  });

  it('refuses a client id that is already used (409 records.id_taken)', async () => {
    await refused('POST', widgets, { body: { ...valid, id: existing.id } }, 409, 'records.id_taken', { pointer: '/id' });
    await refused('POST', widgets, { body: { ...valid, id: existing.id.toUpperCase() } }, 409, 'records.id_taken', { pointer: '/id' });
  });

  it('keeps unique keys per tenant: another tenant may use the same code', async () => {
    const response = await send('POST', widgets, { body: { code: 'EXISTING', name: 'Theirs' }, tenant: 'other' });
    expect(response.statusCode).toBe(201);
  });
});

describe('bodies that are not a JSON object', () => {
  it.each<[string, RequestOptions, number, string, Where | undefined]>([
    ['text/plain', { raw: 'code=X', headers: { 'content-type': 'text/plain' } }, 415, 'http.unsupported_media_type', undefined],
    ['text/plain holding JSON', { raw: JSON.stringify(valid), headers: { 'content-type': 'text/plain; charset=utf-8' } }, 415, 'http.unsupported_media_type', undefined],
    ['application/xml', { raw: '<widget/>', headers: { 'content-type': 'application/xml' } }, 415, 'http.unsupported_media_type', undefined],
    ['a form', { raw: 'code=X&name=Y', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'http.unsupported_media_type', undefined],
    ['multipart', { raw: '--b\r\n\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' } }, 415, 'http.unsupported_media_type', undefined],
    ['an empty body declared as JSON', { raw: '' }, 400, 'http.empty_body', undefined],
    ['malformed JSON', { raw: '{"code":' }, 400, 'http.malformed_json', undefined],
    ['JSON with a trailing comma', { raw: '{"code":"X","name":"Y",}' }, 400, 'http.malformed_json', undefined],
    ['single-quoted JSON', { raw: "{'code':'X'}" }, 400, 'http.malformed_json', undefined],
    ['a JSON array', { raw: '[{"code":"X","name":"Y"}]' }, 400, 'http.validation_failed', { pointer: '/' }],
    ['JSON null', { raw: 'null' }, 400, 'http.validation_failed', { pointer: '/' }],
    ['a JSON string', { raw: '"x"' }, 400, 'http.validation_failed', { pointer: '/' }],
    ['a JSON number', { raw: '12' }, 400, 'http.validation_failed', { pointer: '/' }],
    ['no body at all', { headers: {} }, 400, 'http.validation_failed', { pointer: '/' }],
  ])('refuses %s', async (_label, options, status, code, where) => {
    await refused('POST', widgets, options, status, code, where);
  });

  it('accepts JSON with a charset parameter', async () => {
    const response = await send('POST', widgets, { raw: JSON.stringify({ code: 'CHARSET', name: 'ok' }), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(response.statusCode).toBe(201);
  });
});

describe('prototype poisoning', () => {
  it.each<[string, string, string]>([
    ['a top-level __proto__', '{"code":"NEW-1","name":"n","__proto__":{"isAdmin":true}}', '/__proto__'],
    ['an escaped __proto__', '{"code":"NEW-1","name":"n","\\u005f_proto__":{"isAdmin":true}}', '/__proto__'],
    ['__proto__ inside a json field', '{"code":"NEW-1","name":"n","attributes":{"a":[{"__proto__":{"x":1}}]}}', '/attributes/a/0/__proto__'],
    ['constructor.prototype', '{"code":"NEW-1","name":"n","constructor":{"prototype":{"isAdmin":true}}}', '/constructor'],
    ['constructor.prototype inside a json field', '{"code":"NEW-1","name":"n","attributes":{"constructor":{"prototype":{}}}}', '/attributes/constructor'],
    ['__proto__ inside localized text', '{"code":"NEW-1","name":"n","title":{"__proto__":"x"}}', '/title/__proto__'],
  ])('refuses %s (400 http.forbidden_property)', async (_label, raw, pointer) => {
    await refused('POST', widgets, { raw }, 400, 'http.forbidden_property', { pointer });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses __proto__ in a merge patch', async () => {
    await refused(
      'PATCH',
      `${widgets}/${existing.id}`,
      { raw: '{"name":"x","__proto__":{"version":1}}', headers: { 'content-type': 'application/merge-patch+json', 'if-match': `"${existing.version}"` } },
      400,
      'http.forbidden_property',
      { pointer: '/__proto__' },
    );
  });
});

describe('oversized and deep bodies', () => {
  it('refuses a 2 MB body (413 http.payload_too_large)', async () => {
    await refused('POST', widgets, { raw: JSON.stringify({ ...valid, attributes: { blob: 'x'.repeat(2 * 1024 * 1024) } }) }, 413, 'http.payload_too_large');
  });

  it('refuses a 2 MB body of an unsupported type as 415, before reading it', async () => {
    await refused('POST', widgets, { raw: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'text/plain' } }, 415, 'http.unsupported_media_type');
  });

  it('refuses a lying Content-Length', async () => {
    const before = await database();
    const response = await t.platform.http.inject({ method: 'POST', url: widgets, headers: { 'x-tenant': 'acme', 'content-type': 'application/json', 'content-length': '5' }, payload: JSON.stringify(valid) });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(await database()).toBe(before);
  });

  it.each([65, 1_000, 100_000])('refuses JSON nested %i levels deep (400 http.body_too_deep)', async (depth) => {
    const raw = `{"code":"NEW-1","name":"n","attributes":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    await refused('POST', widgets, { raw }, 400, 'http.body_too_deep');
    await refused('POST', widgets, { raw: `{"attributes":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}` }, 400, 'http.body_too_deep');
  });

  it('stores JSON nested within the bound', async () => {
    let value: unknown = 'leaf';
    for (let level = 0; level < 60; level++) value = { a: value };
    const response = await send('POST', widgets, { body: { code: 'DEEP-OK', name: 'n', attributes: value } });
    expect(response.statusCode).toBe(201);
    expect(response.json().attributes).toEqual(value);
  });
});

describe('SQL meta-characters are data, never SQL', () => {
  const hostile = ["' OR 1=1 --", "'; DROP TABLE kt_widgets; --", '%', '_', '\\', '\\%', "O'Brien", '$1', '"; --', '*/ /*'];

  it('stores and returns hostile text unchanged', async () => {
    for (const [index, name] of hostile.entries()) {
      const response = await send('POST', widgets, { body: { code: `SQL-${index}`, name } });
      expect(response.statusCode).toBe(201);
      const read = await send('GET', `${widgets}/${response.json().id}`);
      expect(read.json().name).toBe(name);
    }
    const count = await sql<{ count: number }>`select count(*)::int as count from kt_widgets where tenant_id = ${tenantId}`.execute(t.database.owner.db);
    expect(count.rows[0]!.count).toBeGreaterThan(hostile.length);
  });

  it.each(hostile)('matches %j literally in an eq filter', async (name) => {
    const response = await send('GET', `${widgets}?name=${encodeURIComponent(name)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().data.map((record: { name: string }) => record.name)).toEqual([name]);
  });

  it.each<[string, string, string]>([
    ['an integer filter', `quantity=${encodeURIComponent('1 OR 1=1')}`, 'quantity'],
    ['an integer filter beyond int4', 'quantity=99999999999', 'quantity'],
    ['a decimal filter', `weight=${encodeURIComponent("1' --")}`, 'weight'],
    ['a date filter', `availableOn=${encodeURIComponent("2024-01-01' OR '1'='1")}`, 'availableOn'],
    ['a date filter that does not exist', 'availableOn=2024-02-30', 'availableOn'],
    ['a timestamp filter that does not exist', 'inspectedAt[gt]=2024-02-30T10:00:00Z', 'inspectedAt[gt]'],
    ['a reference filter', `category=${encodeURIComponent("' OR 1=1 --")}`, 'category'],
    ['an integer in filter', `quantity[in]=${encodeURIComponent("1,' OR 1=1 --")}`, 'quantity[in]'],
    ['U+0000 in a text filter', 'name=a%00b', 'name'],
    ['U+0000 in a prefix', 'name[prefix]=%00', 'name[prefix]'],
    ['a sort', `sort=${encodeURIComponent('name; DROP TABLE kt_widgets')}`, 'sort'],
    ['a sort with a quote', `sort=${encodeURIComponent("name' --")}`, 'sort'],
    ['a sort on an undeclared field', 'sort=ownerEmail', 'sort'],
    ['a sort on money', 'sort=price', 'sort'],
    ['fields', `fields=${encodeURIComponent("name,' OR 1=1 --")}`, 'fields'],
    ['fields naming the tenant', 'fields=tenantId', 'fields'],
  ])('refuses SQL or nonsense in %s (400 records.invalid_query)', async (_label, query, parameter) => {
    await refused('GET', `${widgets}?${query}`, {}, 400, 'records.invalid_query', { parameter });
  });

  it.each<[string, string, string]>([
    ['a filter on an undeclared field', 'serial=x', 'serial'],
    ['a filter on a json field', 'attributes=x', 'attributes'],
    ['eq on money', 'price=5', 'price'],
    ['a filter on the tenant column', `tenant_id=${randomUuid}`, 'tenant_id'],
    ['a parameter named with SQL', `${encodeURIComponent("name' OR '1'='1")}=x`, "name' OR '1'='1"],
    ['__proto__ as a parameter', '__proto__=x', '__proto__'],
    ['constructor[prototype] as a parameter', 'constructor[prototype]=x', 'constructor[prototype]'],
    ['a repeated filter', 'name=a&name=b', 'name'],
    ['limit 0', 'limit=0', 'limit'],
    ['a limit above the maximum', 'limit=201', 'limit'],
    ['limit abc', 'limit=abc', 'limit'],
    ['a negative limit', 'limit=-5', 'limit'],
    ['a fractional limit', 'limit=1.5', 'limit'],
    ['limit with SQL', `limit=${encodeURIComponent('10; DROP TABLE kt_widgets')}`, 'limit'],
    ['includeTotal maybe', 'includeTotal=maybe', 'includeTotal'],
    ['a malformed createdAt bound', 'createdAt[gte]=yesterday', 'createdAt[gte]'],
    ['a createdAt bound that does not exist', 'createdAt[gte]=2024-02-30T00:00:00Z', 'createdAt[gte]'],
    ['a cursor over 4096 characters', `cursor=${'a'.repeat(5000)}`, 'cursor'],
  ])('refuses %s (400 http.validation_failed)', async (_label, query, parameter) => {
    await refused('GET', `${widgets}?${query}`, {}, 400, 'http.validation_failed', { parameter });
  });

  it('refuses a prefix filter on a field that has none, and accepts literal % and _ prefixes', async () => {
    await refused('GET', `${widgets}?status[prefix]=dr`, {}, 400, 'http.validation_failed', { parameter: 'status[prefix]' });
    const percent = await send('GET', `${widgets}?name[prefix]=${encodeURIComponent('%')}`);
    expect(percent.json().data.map((record: { name: string }) => record.name)).toEqual(['%']);
  });
});

describe('cursors', () => {
  const firstPage = async (sort: string) => {
    const response = await send('GET', `${widgets}?limit=1&sort=${sort}`);
    expect(response.statusCode).toBe(200);
    return response.json().nextCursor as string;
  };
  const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['garbage', 'abc'],
    ['SQL', "' OR 1=1 --"],
    ['%, _ and \\', '%_\\'],
    ['base64 of a non-object', Buffer.from('[1,2]').toString('base64url')],
  ])('refuses a %s cursor (400 records.invalid_cursor)', async (_label, cursor) => {
    await refused('GET', `${widgets}?cursor=${encodeURIComponent(cursor)}`, {}, 400, 'records.invalid_cursor', { parameter: 'cursor' });
  });

  it('refuses a cursor reused with a different sort', async () => {
    const cursor = await firstPage('name');
    await refused('GET', `${widgets}?sort=-name&cursor=${cursor}`, {}, 400, 'records.invalid_cursor', { parameter: 'cursor' });
    await refused('GET', `${widgets}?cursor=${cursor}`, {}, 400, 'records.invalid_cursor', { parameter: 'cursor' });
  });

  it('refuses tampered cursors: a non-uuid id, a value of the wrong type, a missing value', async () => {
    const cursor = decode(await firstPage('quantity'));
    for (const tampered of [
      { ...cursor, i: "' OR 1=1 --" },
      { ...cursor, v: ["1' OR '1'='1"] },
      { ...cursor, v: ['99999999999999'] },
      { ...cursor, v: [] },
      { ...cursor, v: [7] },
    ]) {
      await refused('GET', `${widgets}?sort=quantity&cursor=${encode(tampered)}`, {}, 400, 'records.invalid_cursor', { parameter: 'cursor' });
    }
    const dated = decode(await firstPage('availableOn'));
    await refused('GET', `${widgets}?sort=availableOn&cursor=${encode({ ...dated, v: ['2024-02-30'] })}`, {}, 400, 'records.invalid_cursor', { parameter: 'cursor' });
  });

  it('treats SQL in a text cursor value as a plain value', async () => {
    const cursor = decode(await firstPage('name'));
    const response = await send('GET', `${widgets}?sort=name&cursor=${encode({ ...cursor, v: ["' OR 1=1 --"] })}`);
    expect(response.statusCode).toBe(200);
  });
});

describe('ids and routes', () => {
  it.each([
    ['a short id', '123'],
    ['SQL', encodeURIComponent("' OR 1=1 --")],
    ['%, _ and \\', encodeURIComponent('%_\\')],
    ['a uuid with SQL appended', encodeURIComponent(`${randomUuid}' OR '1'='1`)],
    ['U+0000', '%00'],
  ])('refuses %s as an id (400 http.validation_failed)', async (_label, id) => {
    await refused('GET', `${widgets}/${id}`, {}, 400, 'http.validation_failed', { parameter: 'id' });
    await refused('PATCH', `${widgets}/${id}`, { body: { name: 'x' }, headers: { 'if-match': '"1"' } }, 400, 'http.validation_failed', { parameter: 'id' });
    await refused('DELETE', `${widgets}/${id}`, {}, 400, 'http.validation_failed', { parameter: 'id' });
  });

  it('answers 404 records.not_found for a well-formed id that does not exist', async () => {
    await refused('GET', `${widgets}/${randomUuid}`, {}, 404, 'records.not_found');
    await refused('DELETE', `${widgets}/${randomUuid}`, {}, 404, 'records.not_found');
  });

  it("answers 404 for another tenant's record", async () => {
    await refused('GET', `${widgets}/${existing.id}`, { tenant: 'other' }, 404, 'records.not_found');
    await refused('PATCH', `${widgets}/${existing.id}`, { tenant: 'other', body: { name: 'x' }, headers: { 'if-match': '*' } }, 404, 'records.not_found');
    await refused('DELETE', `${widgets}/${existing.id}`, { tenant: 'other' }, 404, 'records.not_found');
  });

  it('accepts an uppercase uuid', async () => {
    const response = await send('GET', `${widgets}/${existing.id.toUpperCase()}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().id).toBe(existing.id);
  });

  it('refuses an id longer than the router accepts (400 http.parameter_too_long)', async () => {
    await refused('GET', `${widgets}/${'a'.repeat(600)}`, {}, 400, 'http.parameter_too_long');
  });

  it('refuses a URL that cannot be decoded (400 http.bad_url) with a request id', async () => {
    const problem = await refused('GET', `${widgets}/%E0%A4%A`, {}, 400, 'http.bad_url');
    expect(problem.traceId).toBeTruthy();
  });

  it.each([
    ['GET', '/v1/nope'],
    ['GET', '/v1/kt-widgets/x/y'],
    ['POST', '/v1/kt-countries'],
    ['PATCH', `/v1/kt-countries/${randomUuid}`],
    ['DELETE', `/v1/kt-countries/${randomUuid}`],
    ['PATCH', widgets],
    ['GET', `/${encodeURIComponent("' OR 1=1 --")}`],
  ] as const)('answers %s %s with 404 http.route_not_found', async (method, url) => {
    await refused(method, url, method === 'GET' || method === 'DELETE' ? {} : { body: { name: 'x' } }, 404, 'http.route_not_found');
  });
});

describe('tenant and other headers', () => {
  it('refuses a tenant route without X-Tenant (401 tenancy.tenant_required)', async () => {
    await refused('GET', widgets, { tenant: null }, 401, 'tenancy.tenant_required');
    await refused('POST', widgets, { tenant: null, body: valid }, 401, 'tenancy.tenant_required');
    await refused('GET', widgets, { tenant: '' }, 401, 'tenancy.tenant_required');
  });

  it('answers an unknown tenant exactly like a missing one', async () => {
    const missing = await refused('GET', widgets, { tenant: null }, 401, 'tenancy.tenant_required');
    for (const tenant of ['nope', randomUuid, "' OR 1=1 --", '%', '_', '\\', 'ACME ', 'a'.repeat(300)]) {
      const unknown = await refused('GET', widgets, { tenant }, 401, 'tenancy.tenant_required');
      expect({ ...unknown, traceId: '' }).toEqual({ ...missing, traceId: '' });
    }
  });

  it('refuses a suspended tenant (403 tenancy.tenant_suspended)', async () => {
    await refused('GET', widgets, { tenant: 'frozen' }, 403, 'tenancy.tenant_suspended');
    await refused('POST', widgets, { tenant: 'frozen', body: valid }, 403, 'tenancy.tenant_suspended');
  });

  it('accepts the tenant by id as well as by slug', async () => {
    expect((await send('GET', widgets, { tenant: tenantId })).statusCode).toBe(200);
  });

  it.each(["' OR 1=1 --", '1', 'W/1', '"1" OR 1=1', '%', '"-1"', '"1.5"'])('refuses If-Match %j (400 records.invalid_if_match)', async (ifMatch) => {
    await refused('PATCH', `${widgets}/${existing.id}`, { body: { name: 'x' }, headers: { 'if-match': ifMatch } }, 400, 'records.invalid_if_match', { parameter: 'If-Match' });
    await refused('DELETE', `${widgets}/${existing.id}`, { headers: { 'if-match': ifMatch } }, 400, 'records.invalid_if_match', { parameter: 'If-Match' });
  });

  it.each(["' OR 1=1 --", 'has space', 'tab\there', 'é'])('refuses Idempotency-Key %j (400 http.invalid_idempotency_key)', async (key) => {
    await refused('POST', widgets, { body: valid, headers: { 'idempotency-key': key } }, 400, 'http.invalid_idempotency_key', { parameter: 'Idempotency-Key' });
  });

  it('treats an Idempotency-Key made of SQL meta-characters as an opaque key', async () => {
    const key = "'OR'1'='1'--%_\\";
    const first = await send('POST', widgets, { body: { code: 'IDEM-SQL', name: 'x' }, headers: { 'idempotency-key': key } });
    const again = await send('POST', widgets, { body: { code: 'IDEM-SQL', name: 'x' }, headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('replaces a hostile X-Request-Id instead of echoing it', async () => {
    const response = await send('GET', `${widgets}?limit=1`, { headers: { 'x-request-id': "' OR 1=1 --" } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
