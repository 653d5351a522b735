/**
 * Idempotency-Key on POST: a retry with the same key and body replays the first response and
 * writes nothing; the same key with another body is refused; concurrent retries never create two
 * records; keys belong to a tenant.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { fingerprintRequest } from './idempotency.ts';

let t: TestPlatform;
const widgets = '/v1/kt-widgets';
let counter = 0;
const nextKey = () => `key-${++counter}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  t = await startTestPlatform();
  await t.createTenant('alpha');
  await t.createTenant('beta');
});
afterAll(() => t.close());

function post(body: unknown, key?: string, tenant = 'alpha', url = widgets): Promise<LightMyRequestResponse> {
  return t.platform.http.inject({
    method: 'POST',
    url,
    headers: { 'x-tenant': tenant, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function rowsWithCode(code: string, tenant = 'alpha'): Promise<number> {
  const { id } = await t.platform.tenants.getTenant(tenant);
  const result = await sql<{ count: number }>`select count(*)::int as count from kt_widgets where tenant_id = ${id} and code = ${code}`.execute(t.database.owner.db);
  return result.rows[0]!.count;
}

async function storedKeys(key: string): Promise<number> {
  const result = await sql<{ count: number }>`select count(*)::int as count from idempotency_keys where key = ${key}`.execute(t.database.owner.db);
  return result.rows[0]!.count;
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect({ status: response.statusCode, code: response.json().code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json();
}

describe('fingerprintRequest', () => {
  it('ignores key order but not values, method or path', () => {
    const base = fingerprintRequest('POST', widgets, { a: 1, b: { c: [1, { d: 2, e: 3 }] } });
    expect(fingerprintRequest('POST', widgets, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(base);
    expect(fingerprintRequest('POST', widgets, { a: 1, b: { c: [{ d: 2, e: 3 }, 1] } })).not.toBe(base);
    expect(fingerprintRequest('POST', widgets, { a: '1', b: { c: [1, { d: 2, e: 3 }] } })).not.toBe(base);
    expect(fingerprintRequest('POST', '/v1/kt-categories', { a: 1, b: { c: [1, { d: 2, e: 3 }] } })).not.toBe(base);
    expect(fingerprintRequest('PUT', widgets, { a: 1, b: { c: [1, { d: 2, e: 3 }] } })).not.toBe(base);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, writing one row', async () => {
    const key = nextKey();
    const body = { code: 'IDEM-1', name: 'Once', price: { amount: 100, currency: 'EUR' } };
    const first = await post(body, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    for (let retry = 0; retry < 3; retry++) {
      const again = await post(body, key);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(await rowsWithCode('IDEM-1')).toBe(1);
    expect(await storedKeys(key)).toBe(1);
  });

  it('replays a retry whose body lists the same properties in another order', async () => {
    const key = nextKey();
    const first = await post('{"code":"IDEM-ORDER","name":"x","quantity":1}', key);
    const again = await post('{"quantity":1,"name":"x","code":"IDEM-ORDER"}', key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await rowsWithCode('IDEM-ORDER')).toBe(1);
  });

  it('refuses the same key with another body (422 http.idempotency_key_reused), writing nothing', async () => {
    const key = nextKey();
    expect((await post({ code: 'IDEM-2', name: 'First' }, key)).statusCode).toBe(201);
    expectProblem(await post({ code: 'IDEM-2B', name: 'Second' }, key), 422, 'http.idempotency_key_reused');
    expectProblem(await post({ code: 'IDEM-2', name: 'First', quantity: 1 }, key), 422, 'http.idempotency_key_reused');
    expect(await rowsWithCode('IDEM-2')).toBe(1);
    expect(await rowsWithCode('IDEM-2B')).toBe(0);
  });

  it('refuses the same key on another route (422)', async () => {
    const key = nextKey();
    expect((await post({ code: 'IDEM-R', title: 'Category' }, key, 'alpha', '/v1/kt-categories')).statusCode).toBe(201);
    expectProblem(await post({ code: 'IDEM-R', name: 'Widget' }, key), 422, 'http.idempotency_key_reused');
    expect(await rowsWithCode('IDEM-R')).toBe(0);
  });

  it('replays the stored response even after the record changed', async () => {
    const key = nextKey();
    const first = await post({ code: 'IDEM-3', name: 'Original' }, key);
    const id = first.json().id;
    const patched = await t.platform.http.inject({ method: 'PATCH', url: `${widgets}/${id}`, headers: { 'x-tenant': 'alpha', 'if-match': '"1"' }, payload: { name: 'Changed' } });
    expect(patched.statusCode).toBe(200);
    const again = await post({ code: 'IDEM-3', name: 'Original' }, key);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.etag).toBe('"1"');
  });

  it('lets concurrent requests with one key create one record: the others get 409 in flight or a replay', async () => {
    for (let round = 0; round < 5; round++) {
      const key = nextKey();
      const code = `IDEM-C${round}`;
      const responses = await Promise.all(Array.from({ length: 6 }, () => post({ code, name: 'Race' }, key)));
      const created = responses.filter((response) => response.statusCode === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(created.filter((response) => response.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      expect(new Set(created.map((response) => response.json().id)).size).toBe(1);
      for (const response of responses.filter((candidate) => candidate.statusCode !== 201)) expectProblem(response, 409, 'http.idempotency_in_flight');
      expect(await rowsWithCode(code)).toBe(1);
      expect(await storedKeys(key)).toBe(1);
    }
  });

  it('keeps keys per tenant: another tenant may use the same key', async () => {
    const key = nextKey();
    const body = { code: 'IDEM-T', name: 'Shared key' };
    const mine = await post(body, key, 'alpha');
    const theirs = await post(body, key, 'beta');
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
    const theirsOther = await post({ code: 'IDEM-T2', name: 'Other body' }, nextKey(), 'beta');
    expect(theirsOther.statusCode).toBe(201);
    expect(await rowsWithCode('IDEM-T', 'alpha')).toBe(1);
    expect(await rowsWithCode('IDEM-T', 'beta')).toBe(1);
    expect(await storedKeys(key)).toBe(2);
    // Tenant beta's replay is beta's own response.
    expect((await post(body, key, 'beta')).json().id).toBe(theirs.json().id);
  });

  it('does not store a refused request: a retry after fixing the cause runs', async () => {
    const key = nextKey();
    expect((await post({ code: 'IDEM-DUP', name: 'Holder' })).statusCode).toBe(201);
    expectProblem(await post({ code: 'IDEM-DUP', name: 'Copy' }, key), 409, 'records.unique_violation');
    expect(await storedKeys(key)).toBe(0);
    const holder = (await t.platform.http.inject({ method: 'GET', url: `${widgets}?code=IDEM-DUP`, headers: { 'x-tenant': 'alpha' } })).json().data[0];
    await t.platform.http.inject({ method: 'DELETE', url: `${widgets}/${holder.id}`, headers: { 'x-tenant': 'alpha' } });
    const retried = await post({ code: 'IDEM-DUP', name: 'Copy' }, key);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('stores nothing for a body that does not validate', async () => {
    const key = nextKey();
    expectProblem(await post({ code: 'IDEM-BAD', name: 'x', bogus: 1 }, key), 400, 'http.validation_failed');
    expect(await storedKeys(key)).toBe(0);
    expect((await post({ code: 'IDEM-BAD', name: 'x' }, key)).statusCode).toBe(201);
  });

  it('treats an expired key as new', async () => {
    const key = nextKey();
    const first = await post({ code: 'IDEM-EXP', name: 'Old' }, key);
    await sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = ${key}`.execute(t.database.owner.db);
    const fresh = await post({ code: 'IDEM-EXP2', name: 'New' }, key);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().id).not.toBe(first.json().id);
    expect((await post({ code: 'IDEM-EXP2', name: 'New' }, key)).json().id).toBe(fresh.json().id);
    expect(await storedKeys(key)).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['a space inside', 'a b'],
    ['SQL with spaces', "' OR 1=1 --"],
    ['non-ASCII', 'clé'],
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'a\tb'],
  ])('refuses a key that is %s (400 http.invalid_idempotency_key), writing nothing', async (_label, key) => {
    const problem = expectProblem(await post({ code: 'IDEM-INVALID', name: 'x' }, key), 400, 'http.invalid_idempotency_key');
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'Idempotency-Key' })]);
    expect(await rowsWithCode('IDEM-INVALID')).toBe(0);
  });

  it('accepts a key of 255 visible characters', async () => {
    const key = `${'k'.repeat(250)}!~%_\\`;
    expect((await post({ code: 'IDEM-LONG', name: 'x' }, key)).statusCode).toBe(201);
    expect((await post({ code: 'IDEM-LONG', name: 'x' }, key)).headers['idempotent-replayed']).toBe('true');
  });

  it('creates a record per request without a key', async () => {
    expect((await post({ code: 'IDEM-NONE', name: 'x' })).statusCode).toBe(201);
    expectProblem(await post({ code: 'IDEM-NONE', name: 'x' }), 409, 'records.unique_violation');
  });
});
