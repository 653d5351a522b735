/**
 * ETag, If-None-Match and If-Match on the generated routes (RFC 9110 §13). The ETag is the row
 * version, strong: "3". Decisions recorded here:
 * - If-Match `*` means "whatever version is current" (§13.1.1): PATCH/DELETE run without a version
 *   check when the record exists, and answer 404 when it does not.
 * - If-Match W/"3" is well-formed but can never match (If-Match compares strongly, §8.8.3.2): 412.
 * - Anything else that is not one of our ETags (unquoted, a list, garbage) is 400 records.invalid_if_match.
 * - If-None-Match compares weakly and accepts `*` and lists (§13.1.2): a match answers 304.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { matchesIfNoneMatch, parseIfMatch } from './entity.routes.ts';

let t: TestPlatform;
const widgets = '/v1/kt-widgets';
let counter = 0;

beforeAll(async () => {
  t = await startTestPlatform();
  await t.createTenant('etags');
});
afterAll(() => t.close());

function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  return t.platform.http.inject({ method, url, headers: { 'x-tenant': 'etags', ...options.headers }, ...(options.body === undefined ? {} : { payload: options.body as object }) });
}

async function createWidget(): Promise<string> {
  const response = await send('POST', widgets, { body: { code: `E-${++counter}`, name: 'Versioned' } });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

async function stored(id: string) {
  const result = await sql<{ version: number; name: string; deleted: boolean }>`
    select version::int as version, name, deleted_at is not null as deleted from kt_widgets where id = ${id}`.execute(t.database.owner.db);
  return result.rows[0];
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect({ status: response.statusCode, code: response.json().code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json();
}

describe('parseIfMatch', () => {
  it.each<[string | undefined, number | 'any' | undefined]>([
    [undefined, undefined],
    ['"3"', 3],
    [' "3" ', 3],
    ['"123456789012345"', 123456789012345],
    ['*', 'any'],
    [' * ', 'any'],
    ['W/"3"', 0],
  ])('reads %j as %j', (value, expected) => {
    expect(parseIfMatch(value)).toBe(expected);
  });

  it.each(['3', 'abc', '"abc"', '"3", "4"', 'W/3', 'w/"3"', '"-1"', '"3.0"', '""', '"1234567890123456"', '**', "' OR 1=1 --"])('refuses %j', (value) => {
    expect(() => parseIfMatch(value)).toThrow(expect.objectContaining({ code: 'records.invalid_if_match' }));
  });
});

describe('matchesIfNoneMatch', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['"3"', true],
    ['W/"3"', true],
    ['*', true],
    ['"1", "3"', true],
    ['"1",W/"3"', true],
    ['"1"', false],
    ['"13"', false],
    ['3', false],
  ])('%j against "3" is %j', (value, expected) => {
    expect(matchesIfNoneMatch(value, '"3"')).toBe(expected);
  });
});

describe('ETag and If-None-Match', () => {
  it('sends the version as a strong ETag on create, read and update', async () => {
    const created = await send('POST', widgets, { body: { code: 'E-ETAG', name: 'x' } });
    expect(created.headers.etag).toBe('"1"');
    const id = created.json().id;
    expect((await send('GET', `${widgets}/${id}`)).headers.etag).toBe('"1"');
    const updated = await send('PATCH', `${widgets}/${id}`, { body: { name: 'y' }, headers: { 'if-match': '"1"' } });
    expect(updated.headers.etag).toBe('"2"');
    expect((await send('GET', `${widgets}/${id}`)).headers.etag).toBe('"2"');
  });

  it.each(['"1"', 'W/"1"', '*', '"7", "1"'])('answers If-None-Match %s with 304, the ETag and no body', async (ifNoneMatch) => {
    const id = await createWidget();
    const response = await send('GET', `${widgets}/${id}`, { headers: { 'if-none-match': ifNoneMatch } });
    expect(response.statusCode).toBe(304);
    expect(response.headers.etag).toBe('"1"');
    expect(response.body).toBe('');
  });

  it('answers 304 for a sparse read too, and its ETag is the version', async () => {
    const id = await createWidget();
    const sparse = await send('GET', `${widgets}/${id}?fields=name`);
    expect(sparse.statusCode).toBe(200);
    expect(sparse.headers.etag).toBe('"1"');
    expect(sparse.json()).toEqual({ id, name: 'Versioned' });
    expect((await send('GET', `${widgets}/${id}?fields=name`, { headers: { 'if-none-match': '"1"' } })).statusCode).toBe(304);
  });

  it('answers 200 with the new representation once the record changed', async () => {
    const id = await createWidget();
    await send('PATCH', `${widgets}/${id}`, { body: { name: 'Changed' }, headers: { 'if-match': '"1"' } });
    const response = await send('GET', `${widgets}/${id}`, { headers: { 'if-none-match': '"1"' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    expect(response.json().name).toBe('Changed');
  });

  it('does not answer 304 for a record that is gone', async () => {
    const id = await createWidget();
    await send('DELETE', `${widgets}/${id}`);
    expectProblem(await send('GET', `${widgets}/${id}`, { headers: { 'if-none-match': '*' } }), 404, 'records.not_found');
  });
});

describe('If-Match on PATCH', () => {
  it('requires If-Match (428 records.version_required)', async () => {
    const id = await createWidget();
    const problem = expectProblem(await send('PATCH', `${widgets}/${id}`, { body: { name: 'x' } }), 428, 'records.version_required');
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'If-Match' })]);
    expect(await stored(id)).toMatchObject({ version: 1, name: 'Versioned' });
  });

  it.each(['abc', '1', 'W/1', '"1", "2"', '"abc"'])('refuses If-Match %j (400 records.invalid_if_match), writing nothing', async (ifMatch) => {
    const id = await createWidget();
    const problem = expectProblem(await send('PATCH', `${widgets}/${id}`, { body: { name: 'x' }, headers: { 'if-match': ifMatch } }), 400, 'records.invalid_if_match');
    expect(problem.errors).toEqual([expect.objectContaining({ parameter: 'If-Match' })]);
    expect(await stored(id)).toMatchObject({ version: 1, name: 'Versioned' });
  });

  it('fails a weak ETag of the current version (412: If-Match compares strongly)', async () => {
    const id = await createWidget();
    const problem = expectProblem(await send('PATCH', `${widgets}/${id}`, { body: { name: 'x' }, headers: { 'if-match': 'W/"1"' } }), 412, 'records.version_mismatch');
    expect(problem.currentVersion).toBe(1);
    expect(await stored(id)).toMatchObject({ version: 1, name: 'Versioned' });
  });

  it('updates whatever version is current with If-Match: *', async () => {
    const id = await createWidget();
    await send('PATCH', `${widgets}/${id}`, { body: { name: 'Second' }, headers: { 'if-match': '"1"' } });
    const response = await send('PATCH', `${widgets}/${id}`, { body: { name: 'Third' }, headers: { 'if-match': '*' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"3"');
    expect(await stored(id)).toMatchObject({ version: 3, name: 'Third' });
  });

  it('refuses a stale or future version (412 with the current version), writing nothing', async () => {
    const id = await createWidget();
    await send('PATCH', `${widgets}/${id}`, { body: { name: 'Second' }, headers: { 'if-match': '"1"' } });
    for (const ifMatch of ['"1"', '"3"', '"999"']) {
      const problem = expectProblem(await send('PATCH', `${widgets}/${id}`, { body: { name: 'Lost' }, headers: { 'if-match': ifMatch } }), 412, 'records.version_mismatch');
      expect(problem.currentVersion).toBe(2);
    }
    expect(await stored(id)).toMatchObject({ version: 2, name: 'Second' });
  });

  it('lets exactly one of several concurrent updates of the same version win', async () => {
    const id = await createWidget();
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) => send('PATCH', `${widgets}/${id}`, { body: { name: `Writer ${index}` }, headers: { 'if-match': '"1"' } })),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
    const winner = responses.find((response) => response.statusCode === 200)!.json();
    expect(await stored(id)).toMatchObject({ version: 2, name: winner.name });
  });

  it('answers 404 for a deleted record, whatever If-Match says', async () => {
    const id = await createWidget();
    expect((await send('DELETE', `${widgets}/${id}`)).statusCode).toBe(204);
    for (const ifMatch of ['"1"', '"2"', '*', 'W/"2"']) {
      expectProblem(await send('PATCH', `${widgets}/${id}`, { body: { name: 'Zombie' }, headers: { 'if-match': ifMatch } }), 404, 'records.not_found');
    }
    expect(await stored(id)).toMatchObject({ version: 2, name: 'Versioned', deleted: true });
  });

  it('answers 404 for a record that never existed, even with If-Match: *', async () => {
    expectProblem(await send('PATCH', `${widgets}/01a1fb3e-6c3a-7c3b-a78c-09221d965cb1`, { body: { name: 'x' }, headers: { 'if-match': '*' } }), 404, 'records.not_found');
  });
});

describe('If-Match on DELETE', () => {
  it('refuses a stale version (412), keeping the record', async () => {
    const id = await createWidget();
    await send('PATCH', `${widgets}/${id}`, { body: { name: 'Second' }, headers: { 'if-match': '"1"' } });
    const problem = expectProblem(await send('DELETE', `${widgets}/${id}`, { headers: { 'if-match': '"1"' } }), 412, 'records.version_mismatch');
    expect(problem.currentVersion).toBe(2);
    expect(await stored(id)).toMatchObject({ version: 2, deleted: false });
    expect((await send('GET', `${widgets}/${id}`)).statusCode).toBe(200);
  });

  it('refuses a weak ETag (412) and a malformed one (400)', async () => {
    const id = await createWidget();
    expectProblem(await send('DELETE', `${widgets}/${id}`, { headers: { 'if-match': 'W/"1"' } }), 412, 'records.version_mismatch');
    expectProblem(await send('DELETE', `${widgets}/${id}`, { headers: { 'if-match': 'one' } }), 400, 'records.invalid_if_match');
    expect(await stored(id)).toMatchObject({ version: 1, deleted: false });
  });

  it('deletes with the current version, with *, or without If-Match', async () => {
    for (const headers of [{ 'if-match': '"1"' }, { 'if-match': '*' }, {}] as Record<string, string>[]) {
      const id = await createWidget();
      const response = await send('DELETE', `${widgets}/${id}`, { headers });
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(await stored(id)).toMatchObject({ version: 2, deleted: true });
    }
  });

  it('answers 404 to a second DELETE, with or without If-Match, and to a GET', async () => {
    const id = await createWidget();
    expect((await send('DELETE', `${widgets}/${id}`)).statusCode).toBe(204);
    expectProblem(await send('DELETE', `${widgets}/${id}`), 404, 'records.not_found');
    expectProblem(await send('DELETE', `${widgets}/${id}`, { headers: { 'if-match': '"2"' } }), 404, 'records.not_found');
    expectProblem(await send('DELETE', `${widgets}/${id}`, { headers: { 'if-match': '*' } }), 404, 'records.not_found');
    expectProblem(await send('GET', `${widgets}/${id}`), 404, 'records.not_found');
    expect(await stored(id)).toMatchObject({ version: 2, deleted: true });
  });

  it('frees a deleted record’s unique code for a new record', async () => {
    const id = await createWidget();
    const { code } = (await send('GET', `${widgets}/${id}`)).json();
    await send('DELETE', `${widgets}/${id}`);
    expect((await send('POST', widgets, { body: { code, name: 'Reborn' } })).statusCode).toBe(201);
  });
});
