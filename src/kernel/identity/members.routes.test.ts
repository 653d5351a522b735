import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
const password = 'violet-otter-marmalade-71';
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

beforeAll(async () => {
  t = await startTestPlatform({ AUTH_RATE_LIMIT_MAX: 1000 });
});
afterAll(() => t?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) =>
  t.platform.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

async function account(tenant?: { slug: string; id: string }, role = 'member') {
  const email = `m-${unique()}@example.com`;
  const slug = `home-${unique()}`;
  expect((await t.platform.http.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { email, password, name: 'Member', tenant: { slug, name: 'Home' } } })).statusCode).toBe(202);
  const user = await sql<{ id: string; default_tenant_id: string }>`select id, default_tenant_id from identity_users where email = ${email}`.execute(t.database.owner.db);
  const userId = user.rows[0]!.id;
  if (tenant) await t.platform.identity.addMembership({ tenantId: tenant.id, userId, role });
  const login = await t.platform.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, tenant: tenant?.slug ?? slug } });
  expect(login.statusCode, login.body).toBe(200);
  const pair = login.json() as { accessToken: string; refreshToken: string; tenantId: string; sessionId: string };
  return { userId, pair, slug };
}

describe('members admin', () => {
  it('lists members, and a role change applies to the next request with the same access token', async () => {
    const owner = await account();
    const tenant = { id: owner.pair.tenantId, slug: owner.slug };
    const member = await account(tenant, 'member');
    const denied = await call('GET', '/v1/members', member.pair.accessToken);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('access.denied');
    expect((await call('GET', '/v1/api-keys', member.pair.accessToken)).statusCode).toBe(403);

    const listed = await call('GET', '/v1/members', owner.pair.accessToken);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((item: { userId: string; role: string }) => [item.userId, item.role])).toEqual([[owner.userId, 'owner'], [member.userId, 'member']]);

    const changed = await call('PATCH', `/v1/members/${member.userId}`, owner.pair.accessToken, { role: 'admin' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ userId: member.userId, role: 'admin' });
    // Same token, next request: the new role's permissions.
    expect((await call('GET', '/v1/api-keys', member.pair.accessToken)).statusCode).toBe(200);
    expect((await call('GET', '/v1/members', member.pair.accessToken)).statusCode).toBe(200);

    expect((await call('PATCH', `/v1/members/${member.userId}`, owner.pair.accessToken, { role: 'viewer' })).statusCode).toBe(200);
    expect((await call('GET', '/v1/api-keys', member.pair.accessToken)).statusCode).toBe(403);

    const events = (await call('GET', `/v1/audit-events?action=member.role_changed&recordId=${member.userId}`, owner.pair.accessToken)).json().data;
    expect(events.map((event: { details: object; actor: object }) => [event.details, event.actor])).toEqual([
      [{ before: 'admin', after: 'viewer' }, { kind: 'user', id: owner.userId }],
      [{ before: 'member', after: 'admin' }, { kind: 'user', id: owner.userId }],
    ]);
  });

  it('removes a member: their sessions in the tenant are revoked at once', async () => {
    const owner = await account();
    const tenant = { id: owner.pair.tenantId, slug: owner.slug };
    const member = await account(tenant, 'manager');
    expect((await call('GET', '/v1/products', member.pair.accessToken)).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/members/${member.userId}`, owner.pair.accessToken)).statusCode).toBe(204);
    const after = await call('GET', '/v1/products', member.pair.accessToken);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('identity.invalid_token');
    const refresh = await t.platform.http.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: member.pair.refreshToken } });
    expect(refresh.json().code).toBe('identity.invalid_refresh_token');
    const sessions = await sql<{ revoked_reason: string }>`select revoked_reason from identity_sessions where tenant_id = ${tenant.id} and user_id = ${member.userId}`.execute(t.database.owner.db);
    expect(sessions.rows.map((row) => row.revoked_reason)).toEqual(['member_removed']);
    expect((await call('DELETE', `/v1/members/${member.userId}`, owner.pair.accessToken)).json().code).toBe('identity.member_not_found');
    const removed = (await call('GET', `/v1/audit-events?action=member.removed`, owner.pair.accessToken)).json().data;
    expect(removed).toEqual([expect.objectContaining({ recordId: member.userId, details: { role: 'manager' } })]);
  });

  it('keeps at least one owner, and leaves the owner role to owners', async () => {
    const owner = await account();
    const tenant = { id: owner.pair.tenantId, slug: owner.slug };
    const admin = await account(tenant, 'admin');
    const last = await call('PATCH', `/v1/members/${owner.userId}`, owner.pair.accessToken, { role: 'member' });
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('identity.last_owner');
    expect((await call('DELETE', `/v1/members/${owner.userId}`, owner.pair.accessToken)).json().code).toBe('identity.last_owner');
    expect((await call('PATCH', `/v1/members/${owner.userId}`, admin.pair.accessToken, { role: 'member' })).json().code).toBe('access.denied');
    expect((await call('PATCH', `/v1/members/${admin.userId}`, admin.pair.accessToken, { role: 'owner' })).json().code).toBe('access.denied');
    expect((await call('DELETE', `/v1/members/${owner.userId}`, admin.pair.accessToken)).json().code).toBe('access.denied');
    expect((await call('PATCH', `/v1/members/${admin.userId}`, owner.pair.accessToken, { role: 'nobody' })).json().code).toBe('identity.invalid_role');
    expect((await call('PATCH', '/v1/members/not-a-uuid', owner.pair.accessToken, { role: 'viewer' })).json().code).toBe('identity.member_not_found');
    // A second owner may then step down.
    expect((await call('PATCH', `/v1/members/${admin.userId}`, owner.pair.accessToken, { role: 'owner' })).statusCode).toBe(200);
    expect((await call('PATCH', `/v1/members/${owner.userId}`, owner.pair.accessToken, { role: 'admin' })).statusCode).toBe(200);
  });
});
