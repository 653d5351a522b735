/**
 * The admin routes of other modules are guarded by kernel/access: the audit log for owners, admins
 * and tenant roles granted `audit.read`; feature flags for those granted `flags.manage`; custom
 * fields for those granted `fields.manage`; the mail outbox for owners and admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/kernel/tenancy/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let tenant: Tenant;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant();
  const created = await t.platform.http.inject({ method: 'POST', url: '/v1/kt-categories', headers: { 'x-tenant': tenant.slug }, payload: { code: 'G-1', title: 'Guarded' } });
  expect(created.statusCode).toBe(201);
  for (const role of [
    { name: 'auditor', permissions: [{ entity: 'audit', actions: ['read'] }] },
    { name: 'fielder', permissions: [{ entity: 'fields', actions: ['manage'] }] },
    { name: 'reader', permissions: [{ entity: 'product', actions: ['read'] }] },
  ]) {
    expect((await t.platform.http.inject({ method: 'POST', url: '/v1/access/roles', headers: { 'x-tenant': tenant.slug }, payload: role })).statusCode).toBe(201);
  }
});
afterAll(() => t?.close());

const get = (url: string, roles: string) => t.platform.http.inject({ method: 'GET', url, headers: { 'x-tenant': tenant.slug, 'x-dev-roles': roles } });
const routes = { audit: ['/v1/audit-events', '/v1/audit-events/1'], flags: ['/v1/feature-flags'], fields: ['/v1/custom-fields'], mail: ['/v1/admin/mails'] };

describe('admin routes of the audit log and the mail outbox', () => {
  it.each(['member', 'viewer', 'manager', 'reader'])('refuses %s with 403 access.denied', async (role) => {
    for (const url of [...routes.audit, ...routes.flags, ...routes.fields, ...routes.mail]) {
      const response = await get(url, role);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().code).toBe('access.denied');
    }
  });

  it.each(['owner', 'admin', 'member,admin'])('lets %s read all of them', async (roles) => {
    for (const url of [...routes.audit, ...routes.flags, ...routes.fields, ...routes.mail]) expect((await get(url, roles)).statusCode, url).toBe(200);
  });

  it('lets a tenant role granted audit.read read the audit log, and nothing more', async () => {
    for (const url of routes.audit) expect((await get(url, 'member,auditor')).statusCode, url).toBe(200);
    expect((await get('/v1/admin/mails', 'auditor')).json().code).toBe('access.denied');
    expect((await get('/v1/feature-flags', 'auditor')).json().code).toBe('access.denied');
    expect((await get('/v1/custom-fields', 'auditor')).json().code).toBe('access.denied');
    expect((await get('/v1/products', 'auditor')).statusCode).toBe(403);
  });

  it('lets a tenant role granted fields.manage manage custom fields, and nothing more', async () => {
    expect((await get('/v1/custom-fields', 'member,fielder')).statusCode).toBe(200);
    expect((await get('/v1/feature-flags', 'fielder')).json().code).toBe('access.denied');
    expect((await get('/v1/audit-events', 'fielder')).json().code).toBe('access.denied');
  });

  it('accepts only declared capability actions in a tenant role', async () => {
    const response = await t.platform.http.inject({
      method: 'POST',
      url: '/v1/access/roles',
      headers: { 'x-tenant': tenant.slug },
      payload: { name: 'forger', permissions: [{ entity: 'audit', actions: ['read', 'delete'], where: ['own'] }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'access.invalid_role', errors: [{ pointer: '/permissions/0/actions/1' }, { pointer: '/permissions/0/where' }] });
  });
});
