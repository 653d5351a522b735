/**
 * Fuzzing the write routes: whatever JSON (or almost-JSON) a client sends to create or update a
 * record, the answer is never a 5xx, an error never carries a stack, SQL or driver text, and a
 * success is a record of this tenant.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenantId: string;
let target: string;
let categoryId: string;
const widgets = '/v1/kt-widgets';
const leak = /\n\s+at |node_modules|\.ts:\d|SELECT |INSERT INTO|postgres|duplicate key|violates|relation "|syntax error|kt_widgets_\w+/i;

beforeAll(async () => {
  t = await startTestPlatform();
  tenantId = (await t.createTenant('fuzz')).id;
  await t.createTenant('bystander');
  const category = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-categories', headers: { 'x-tenant': 'fuzz' }, payload: { code: 'FUZZ', title: 'Fuzz' } });
  categoryId = category.json().id;
  const created = await post({ code: 'TARGET', name: 'Target' });
  expect(created.statusCode).toBe(201);
  target = created.json().id;
});
afterAll(() => t.close());

function post(body: unknown, contentType = 'application/json'): Promise<LightMyRequestResponse> {
  return t.platform.http.inject({ method: 'POST', url: widgets, headers: { 'x-tenant': 'fuzz', 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

function patch(body: unknown): Promise<LightMyRequestResponse> {
  return t.platform.http.inject({
    method: 'PATCH',
    url: `${widgets}/${target}`,
    headers: { 'x-tenant': 'fuzz', 'content-type': 'application/merge-patch+json', 'if-match': '*' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function expectSafe(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body.slice(0, 500)).toBeLessThan(500);
  if (response.statusCode < 300) {
    expect(response.json().id).toMatch(/^[0-9a-f-]{36}$/);
    return;
  }
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(Object.keys(problem).filter((key) => !['type', 'title', 'status', 'detail', 'code', 'traceId', 'errors', 'currentVersion'].includes(key))).toEqual([]);
  expect(problem.code).toMatch(/^[a-z]+\.[a-z_]+$/);
  expect(problem.status).toBe(response.statusCode);
  expect(`${problem.title} ${problem.detail}`).not.toMatch(leak);
  for (const error of problem.errors ?? []) expect(error.detail).not.toMatch(leak);
}

const fieldNames = ['code', 'name', 'quantity', 'weight', 'price', 'fixedFee', 'enabled', 'availableOn', 'inspectedAt', 'status', 'attributes', 'title', 'category', 'country', 'ownerEmail', 'serial'];
const hostileKeys = ['__proto__', 'constructor', 'prototype', 'tenant_id', 'tenantId', 'version', 'id', 'deletedAt', 'ext', "name' --", '', '\u0000'];
const key = fc.oneof(fc.constantFrom(...fieldNames), fc.constantFrom(...hostileKeys), fc.string({ maxLength: 12, unit: 'binary' }));
const text = fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom("' OR 1=1 --", '%', '_', '\\', 'W-1', '2024-02-30', '0000-01-01', 'EUR', 'draft'));
/** Large strings within the 1 MB body limit (and a few just beyond it). */
const hugeText = fc.tuple(fc.constantFrom('x', 'é', '🥛', '\u0000', '\\'), fc.integer({ min: 10_000, max: 300_000 })).map(([unit, count]) => unit.repeat(count));
const value = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }) },
  { weight: 2, arbitrary: text },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308, 2 ** 31, 0.1, { amount: 1, currency: 'EUR' }, { en: 'x' }) },
);
const binaryText = fc.string({ maxLength: 40, unit: 'binary' });
const isoDate = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => date.toISOString());
/** Mostly a value of the field's type (hostile content inside it), sometimes a wrong one: bodies that reach the database. */
const mostly = <T>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<unknown>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const fieldValuesFor = (categoryId: string) => ({
  id: mostly(fc.uuid(), binaryText),
  code: mostly(fc.stringMatching(/^[A-Z0-9-]{2,12}$/), text),
  name: mostly(binaryText, fc.oneof(text, hugeText)),
  quantity: mostly(fc.integer({ min: 0, max: 1_000_000 }), fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 }))),
  weight: mostly(fc.stringMatching(/^-?[0-9]{1,9}(\.[0-9]{1,3})?$/), fc.oneof(fc.double(), text)),
  price: mostly(fc.record({ amount: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), currency: fc.stringMatching(/^[A-Z]{3}$/) }), fc.record({ amount: fc.double(), currency: text })),
  fixedFee: mostly(fc.record({ amount: fc.maxSafeNat(), currency: fc.constant('EUR') }), fc.record({ amount: fc.maxSafeNat(), currency: fc.constant('USD') })),
  enabled: mostly(fc.boolean(), fc.constantFrom('true', 0, null)),
  availableOn: mostly(isoDate.map((iso) => iso.slice(0, 10)), text),
  inspectedAt: mostly(fc.oneof(isoDate, isoDate.map((iso) => iso.replace('Z', '+14:00'))), text),
  status: mostly(fc.constantFrom('draft', 'active', 'retired'), fc.constantFrom('gone', 'DRAFT')),
  attributes: mostly(fc.dictionary(binaryText, fc.oneof(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), hugeText), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 2 })),
  title: mostly(fc.dictionary(fc.constantFrom('en', 'fr', 'de-CH', 'pt-BR'), binaryText, { maxKeys: 3 }), fc.dictionary(fc.constantFrom('EN', 'x', '__proto__'), text, { maxKeys: 2 })),
  category: mostly(fc.constantFrom(categoryId, null), fc.oneof(fc.uuid(), text)),
  country: mostly(fc.constant(null), fc.oneof(fc.uuid(), text)),
  ownerEmail: mostly(fc.oneof(fc.emailAddress(), binaryText), fc.integer()),
});
const typedCreate = (categoryId: string) => fc
  .tuple(fc.record(fieldValuesFor(categoryId), { requiredKeys: ['code', 'name'] }), fc.dictionary(key, value, { maxKeys: 1 }), fc.integer({ min: 0, max: 9 }))
  .map(([fields, extra, withExtra]) => (withExtra === 0 ? { ...fields, ...extra } : fields));
const typedUpdate = (categoryId: string) => {
  const { id: _id, ...updatable } = fieldValuesFor(categoryId);
  return fc.record(updatable, { requiredKeys: [] });
};
/** Bodies near the real shape (valid fields with a few replaced) find more than pure noise does. */
const nearlyValid = fc
  .record({ code: fc.stringMatching(/^[A-Z0-9-]{2,12}$/), name: fc.string({ minLength: 1, maxLength: 30 }) })
  .chain((base) => fc.dictionary(key, value, { maxKeys: 5 }).map((extra) => ({ ...base, ...extra })));
const nested = fc.integer({ min: 1, max: 300 }).map((depth) => {
  let inner: unknown = 'leaf';
  for (let level = 0; level < depth; level++) inner = level % 2 === 0 ? { a: inner } : [inner];
  return { code: 'NEST', name: 'n', attributes: inner };
});
const body = (typed: fc.Arbitrary<unknown>) => fc.oneof(
  { weight: 6, arbitrary: typed },
  { weight: 2, arbitrary: nearlyValid },
  { weight: 2, arbitrary: fc.dictionary(key, value, { maxKeys: 8 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: nested },
);
const rawText = fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.json({ maxDepth: 3 }).map((json) => json.slice(0, Math.max(1, json.length - 1))));

async function rowsOutsideTenant(): Promise<number> {
  const result = await sql<{ count: number }>`select count(*)::int as count from kt_widgets where tenant_id <> ${tenantId}`.execute(t.database.owner.db);
  return result.rows[0]!.count;
}

describe('fuzzed write bodies', () => {
  it('never answer a 5xx or leak internals when POSTed', async () => {
    await fc.assert(
      fc.asyncProperty(body(typedCreate(categoryId)), async (candidate) => expectSafe(await post(candidate))),
      { seed: 20261120, numRuns: 300 },
    );
    expect(await rowsOutsideTenant()).toBe(0);
  });

  it('never answer a 5xx or leak internals when PATCHed', async () => {
    await fc.assert(
      fc.asyncProperty(body(typedUpdate(categoryId)), async (candidate) => expectSafe(await patch(candidate))),
      { seed: 20261121, numRuns: 300 },
    );
    const row = await sql<{ tenant_id: string }>`select tenant_id from kt_widgets where id = ${target}`.execute(t.database.owner.db);
    expect(row.rows).toEqual([{ tenant_id: tenantId }]);
  });

  it('never answer a 5xx for text that is not JSON, whatever its declared type', async () => {
    const contentType = fc.constantFrom('application/json', 'application/merge-patch+json', 'text/plain', 'application/xml', 'application/json; charset=latin1', '');
    await fc.assert(
      fc.asyncProperty(rawText, contentType, async (raw, type) => expectSafe(await post(raw, type))),
      { seed: 20261122, numRuns: 150 },
    );
  });
});
