import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { createLogger } from './index.ts';

const lines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let t: TestPlatform;
let tenantId: string;
beforeAll(async () => {
  t = await startTestPlatform({}, { logger: createLogger({ level: 'info', destination }) });
  const tenant = await t.createTenant('logged');
  tenantId = tenant.id;
});
afterAll(() => t.close());

describe('request logs', () => {
  it('carry the request id and the tenant on every line of a request, and no personal data or secrets', async () => {
    lines.length = 0;
    const response = await t.platform.http.inject({
      method: 'POST',
      url: '/v1/kt-widgets?ownerEmail=alice@example.com',
      headers: { 'x-tenant': 'logged', 'x-request-id': 'req-log-1', authorization: 'Bearer super-secret-token' },
      payload: { code: 'LOG-1', name: 'Logged', ownerEmail: 'alice@example.com' },
    });
    expect(response.statusCode).toBe(201);
    const requestLines = lines.filter((line) => line.reqId === 'req-log-1');
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    const completed = requestLines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ tenantId });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('super-secret-token');
  });

  it('log the cause of an unexpected error with the request id, and send only a generic problem', async () => {
    lines.length = 0;
    // Sabotage this file's own database so that an insert fails in a way no input can cause.
    await sql`ALTER TABLE kt_categories RENAME COLUMN title TO title_gone`.execute(t.database.owner.db);
    const response = await t.platform.http.inject({
      method: 'POST',
      url: '/v1/kt-categories',
      headers: { 'x-tenant': 'logged', 'x-request-id': 'req-boom' },
      payload: { code: 'C-1', title: 'x' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'http.internal_error', traceId: 'req-boom' });
    expect(response.body).not.toMatch(/kt_categories|"title" of|column|insert into|postgres/i);
    expect(lines.find((line) => line.reqId === 'req-boom' && line.level === 50)).toBeDefined();
  });
});
