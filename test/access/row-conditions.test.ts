/**
 * Row conditions, field masks and tenant roles at the record service choke point, over HTTP with
 * the development principal headers (X-Dev-Roles, X-Dev-User, X-Dev-Attributes).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRequestRoles } from '../../src/kernel/access/index.ts';
import { ktWidget } from '../model/kernel-test.model.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let tenant: string;
const me = randomUUID();
const colleague = randomUUID();
const asMember = (user = me) => ({ 'x-dev-roles': 'member', 'x-dev-user': user });
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: Record<string, string> = {}, body?: unknown) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
let counter = 0;
const widget = async (fields: Record<string, unknown>) => {
  const response = await call('POST', '/v1/kt-widgets', {}, { code: `W-${++counter}`, name: `Widget ${counter}`, ownerEmail: 'a@example.com', ...fields });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number };
};

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant()).slug;
});
afterAll(() => t.close());

describe('row conditions', () => {
  it('shows a member only the rows assigned to them; another row answers like a missing one', async () => {
    const mine = await widget({ assignee: me });
    const theirs = await widget({ assignee: colleague });
    const list = await call('GET', '/v1/kt-widgets?includeTotal=true', asMember());
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((row: { id: string }) => row.id)).toEqual([mine.id]);
    expect(list.json().total).toBe(1);
    const hidden = await call('GET', `/v1/kt-widgets/${theirs.id}`, asMember());
    const missing = await call('GET', `/v1/kt-widgets/${randomUUID()}`, asMember());
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'records.not_found']);
    expect(hidden.json().detail).toBe(missing.json().detail);
    // Not even a version leaks: a stale If-Match on a row out of scope is a 404, not a 412.
    expect((await call('PATCH', `/v1/kt-widgets/${theirs.id}`, { ...asMember(), 'if-match': '"9"' }, { name: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/kt-widgets/${theirs.id}`, asMember())).statusCode).toBe(403); // members never delete
  });

  it('refuses to move a row out of the member’s scope, on update and on create', async () => {
    const mine = await widget({ assignee: me });
    const moved = await call('PATCH', `/v1/kt-widgets/${mine.id}`, { ...asMember(), 'if-match': '*' }, { assignee: colleague });
    expect([moved.statusCode, moved.json().code]).toEqual([403, 'access.denied']);
    expect((await call('GET', `/v1/kt-widgets/${mine.id}`)).json()).toMatchObject({ assignee: me, version: 1 });
    const foreign = await call('POST', '/v1/kt-widgets', asMember(), { code: 'W-FOREIGN', name: 'x', assignee: colleague });
    expect([foreign.statusCode, foreign.json().code]).toEqual([403, 'access.denied']);
    expect((await call('GET', '/v1/kt-widgets?code=W-FOREIGN')).json().data).toEqual([]);
    const renamed = await call('PATCH', `/v1/kt-widgets/${mine.id}`, { ...asMember(), 'if-match': '"1"' }, { name: 'Renamed' });
    expect(renamed.statusCode).toBe(200);
  });

  it('limits a manager to the territories of their attributes, and a member without a user id to nothing', async () => {
    const north = await widget({ territory: 'north' });
    await widget({ territory: 'south' });
    const headers = { 'x-dev-roles': 'manager', 'x-dev-attributes': JSON.stringify({ territories: ['north', 'east'] }) };
    const list = await call('GET', '/v1/kt-widgets?limit=100', headers);
    expect(list.json().data.map((row: { id: string }) => row.id)).toEqual([north.id]);
    expect((await call('GET', '/v1/kt-widgets', { 'x-dev-roles': 'manager', 'x-dev-attributes': '{"territories":"north"}' })).json().data).toEqual([]);
    expect((await call('GET', '/v1/kt-widgets', { 'x-dev-roles': 'member' })).json().data).toEqual([]);
  });
});

describe('field masks', () => {
  it('leaves hidden fields out of reads and refuses them in fields, filters and sorts as unknown', async () => {
    const row = await widget({ assignee: me });
    const read = await call('GET', `/v1/kt-widgets/${row.id}`, asMember());
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('ownerEmail');
    expect(read.json()).toHaveProperty('name');
    for (const query of ['fields=name,ownerEmail', 'ownerEmail=a@example.com']) {
      const refused = await call('GET', `/v1/kt-widgets?${query}`, asMember());
      expect([refused.statusCode, refused.json().code], query).toEqual([400, 'records.invalid_query']);
    }
    const viewer = await call('GET', '/v1/kt-widgets?limit=1', { 'x-dev-roles': 'viewer' });
    expect(Object.keys(viewer.json().data[0])).not.toEqual(expect.arrayContaining(['price']));
    expect((await call('GET', `/v1/kt-widgets/${row.id}?fields=ownerEmail`)).json()).toHaveProperty('ownerEmail'); // the owner sees it
  });

  it('refuses a field the role may not write with a pointer, and keeps server-owned fields out of bodies', async () => {
    const refused = await call('POST', '/v1/kt-widgets', asMember(), { code: 'W-STATUS', name: 'x', assignee: me, status: 'active' });
    expect([refused.statusCode, refused.json().code, refused.json().errors]).toEqual([403, 'access.field_not_writable', [{ pointer: '/status', detail: 'your roles may not write this field' }]]);
    const massAssigned = await call('POST', '/v1/kt-widgets', asMember(), { code: 'W-TENANT', name: 'x', assignee: me, tenantId: randomUUID() });
    expect(massAssigned.statusCode).toBe(400);
    const created = await call('POST', '/v1/kt-widgets', asMember(), { code: 'W-OK', name: 'x', assignee: me, ownerEmail: 'b@example.com' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).not.toHaveProperty('ownerEmail');
  });
});

describe('tenant roles', () => {
  it('lets only owners and admins manage roles, validates them against the model, and applies a change on the next request', async () => {
    const member = await call('POST', '/v1/access/roles', { 'x-dev-roles': 'member' }, { name: 'clerk', permissions: [] });
    expect([member.statusCode, member.json().code]).toEqual([403, 'access.denied']);
    const invalid = await call('POST', '/v1/access/roles', { 'x-dev-roles': 'admin' }, { name: 'clerk', permissions: [{ entity: 'ktWidget', actions: ['fly'], where: ['nowhere'] }] });
    expect([invalid.statusCode, invalid.json().code, invalid.json().errors.map((error: { pointer: string }) => error.pointer)]).toEqual([400, 'access.invalid_role', ['/permissions/0/actions/0', '/permissions/0/where/0']]);
    const reserved = await call('POST', '/v1/access/roles', {}, { name: 'owner', permissions: [] });
    expect(reserved.json().code).toBe('access.reserved_role');

    const created = await call('POST', '/v1/access/roles', { 'x-dev-roles': 'admin' }, { name: 'clerk', permissions: [{ entity: 'ktCategory', actions: ['read'] }] });
    expect(created.statusCode).toBe(201);
    expect((await call('POST', '/v1/access/roles', {}, { name: 'clerk', permissions: [] })).json().code).toBe('access.role_exists');
    const clerk = { 'x-dev-roles': 'clerk' };
    expect((await call('GET', '/v1/kt-categories', clerk)).statusCode).toBe(200);
    expect((await call('GET', '/v1/kt-widgets', clerk)).statusCode).toBe(403);

    await call('PUT', '/v1/access/roles/clerk', {}, { permissions: [{ entity: ktWidget.name, actions: ['read'], hiddenFields: ['ownerEmail'] }] });
    expect((await call('GET', '/v1/kt-categories', clerk)).statusCode).toBe(403);
    expect((await call('GET', '/v1/kt-widgets', clerk)).statusCode).toBe(200);
    const listed = await call('GET', '/v1/access/roles');
    expect(listed.json()).toMatchObject({ builtIn: ['owner', 'admin', 'manager', 'member', 'viewer'], data: [{ name: 'clerk', version: 2 }] });

    expect((await call('DELETE', '/v1/access/roles/clerk')).statusCode).toBe(204);
    expect((await call('GET', '/v1/kt-widgets', clerk)).statusCode).toBe(403);
    expect((await call('GET', '/v1/access/roles/clerk')).statusCode).toBe(404);
  });
});

describe('request roles', () => {
  const principal = { tenantId: randomUUID(), userId: null };
  it('acts as owner with the development header, and ignores X-Dev-* headers without it', () => {
    expect(withRequestRoles(principal, {}, true).roles).toEqual(['owner']);
    expect(withRequestRoles(principal, { 'x-dev-roles': 'viewer' }, true).roles).toEqual(['viewer']);
    expect(withRequestRoles(principal, { 'x-dev-roles': 'owner', 'x-dev-user': randomUUID() }, false)).toEqual({ ...principal, roles: [] });
    expect(withRequestRoles({ ...principal, roles: ['member'] }, { 'x-dev-roles': 'owner' }, false).roles).toEqual(['member']);
  });

  it('refuses malformed development principal headers', async () => {
    const malformed: Record<string, string>[] = [{ 'x-dev-roles': 'Owner!' }, { 'x-dev-user': 'me' }, { 'x-dev-attributes': '[1]' }];
    for (const headers of malformed) {
      const response = await call('GET', '/v1/kt-widgets', headers);
      expect([response.statusCode, response.json().code]).toEqual([400, 'access.invalid_dev_principal']);
    }
  });
});
