/**
 * Invitations end to end over a real SMTP server: invite, receive the mail, follow the link, accept
 * as a new account, with a password or signed in; expired, reused and revoked links refused.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpInbox, type SmtpInbox } from '../../../test/support/smtp-inbox.ts';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

const password = 'violet-otter-marmalade-71';
const newcomerPassword = 'copper-kettle-meadow-42';
let inbox: SmtpInbox;
let t: TestPlatform;
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  t = await startTestPlatform({ SMTP_URL: inbox.url, JOBS_IN_PROCESS: true, JOBS_POLL_INTERVAL_MS: 500, AUTH_RATE_LIMIT_MAX: 1000, APP_BASE_URL: 'https://app.example.com/console' });
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

type Method = 'GET' | 'POST' | 'DELETE';
const call = (method: Method, url: string, token?: string, payload?: object) =>
  t.platform.http.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });
const login = (email: string, secret = password, tenant?: string) => call('POST', '/v1/auth/login', undefined, { email, password: secret, ...(tenant ? { tenant } : {}) });

async function account(name = 'Owner') {
  const email = `inv-${unique()}@example.com`;
  const slug = `inv-${unique()}`;
  expect((await call('POST', '/v1/auth/sign-up', undefined, { email, password, name, tenant: { slug, name: `Tenant ${name}` } })).statusCode).toBe(202);
  const pair = (await login(email)).json() as { accessToken: string; tenantId: string };
  const userId = JSON.parse(Buffer.from(pair.accessToken.split('.')[1]!, 'base64url').toString()).sub as string;
  return { email, slug, pair, userId };
}

async function invite(token: string, email: string, role = 'member') {
  const response = await call('POST', '/v1/invitations', token, { email, role });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; state: string };
}

const subject = /invited to join/;
const eventsOf = async (tenantId: string, prefix: string) =>
  (await sql<{ action: string; actor_id: string | null; record_id: string; details: Record<string, unknown> }>`select action, actor_id, record_id, details from audit_events
    where tenant_id = ${tenantId} and action like ${`${prefix}%`} order by seq`.execute(t.database.owner.db)).rows;

describe('invitations over SMTP', () => {
  it('invites a new address: the mailed link creates the account with the role, once', async () => {
    const owner = await account('Ada');
    const email = `newcomer-${unique()}@example.com`;
    const created = await invite(owner.pair.accessToken, email, 'manager');
    expect(created.state).toBe('pending');
    const { mail, link, token } = await inbox.nthMailTo(email, { subject });
    expect(mail.subject).toBe('You are invited to join Tenant Ada');
    expect(mail.text).toContain('Ada has invited you');
    expect(link.pathname).toBe('/console/accept-invitation');
    const stored = await sql<{ token_hash: Buffer; expires_at: Date }>`select token_hash, expires_at from identity_invitations where id = ${created.id}`.execute(t.database.owner.db);
    expect(stored.rows[0]!.token_hash).toHaveLength(32);
    expect(stored.rows[0]!.expires_at.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const weak = await call('POST', '/v1/invitations/accept', undefined, { token, name: 'Newcomer', password: 'password1' });
    expect(weak.json().code).toBe('identity.password_breached');
    const nameless = await call('POST', '/v1/invitations/accept', undefined, { token, password: newcomerPassword });
    expect(nameless.json().code).toBe('identity.invalid_invitation');
    const accepted = await call('POST', '/v1/invitations/accept', undefined, { token, name: 'Newcomer', password: newcomerPassword });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().tenantId).toBe(owner.pair.tenantId);
    expect((await call('GET', '/v1/products', accepted.json().accessToken)).statusCode).toBe(200);

    const reused = await call('POST', '/v1/invitations/accept', undefined, { token, name: 'Mallory', password: newcomerPassword });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('identity.invalid_invitation_token');
    const members = (await call('GET', '/v1/members', owner.pair.accessToken)).json().items as { email: string; role: string }[];
    expect(members.find((member) => member.email === email)?.role).toBe('manager');
    const user = await sql<{ email_verified_at: Date | null }>`select email_verified_at from identity_users where email = ${email}`.execute(t.database.owner.db);
    expect(user.rows[0]!.email_verified_at).not.toBeNull();
    expect((await login(email, newcomerPassword)).statusCode).toBe(200);

    const listed = (await call('GET', '/v1/invitations', owner.pair.accessToken)).json().items;
    expect(listed).toEqual([expect.objectContaining({ id: created.id, state: 'accepted', role: 'manager' })]);
    const events = await eventsOf(owner.pair.tenantId, 'invitation.');
    expect(events.map((event) => [event.action, event.record_id])).toEqual([['invitation.created', created.id], ['invitation.accepted', created.id]]);
    expect(events[0]!.actor_id).toBe(owner.userId);
    expect(JSON.stringify(events)).not.toContain(email);
  });

  it('lets an existing account join with its password or signed in, and only the invited address', async () => {
    const owner = await account('Bea');
    const existing = await account('Existing');
    const first = await invite(owner.pair.accessToken, existing.email.toUpperCase(), 'viewer');
    const { token } = await inbox.nthMailTo(existing.email.toUpperCase(), { subject });
    const wrong = await call('POST', '/v1/invitations/accept', undefined, { token, password: 'not-the-right-password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('identity.invalid_credentials');
    const stranger = await account('Stranger');
    const mismatch = await call('POST', '/v1/invitations/accept', stranger.pair.accessToken, { token });
    expect(mismatch.statusCode).toBe(403);
    expect(mismatch.json().code).toBe('identity.invitation_email_mismatch');
    const joined = await call('POST', '/v1/invitations/accept', undefined, { token, password });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json().tenantId).toBe(owner.pair.tenantId);
    expect((await call('GET', '/v1/invitations', owner.pair.accessToken)).json().items[0]).toMatchObject({ id: first.id, state: 'accepted', acceptedBy: existing.userId });
    expect((await call('POST', '/v1/invitations', owner.pair.accessToken, { email: existing.email, role: 'member' })).json().code).toBe('identity.already_a_member');

    // Signed in: the bearer token of the invited account is enough.
    const signedIn = await account('Signed');
    await invite(owner.pair.accessToken, signedIn.email, 'member');
    const second = await inbox.nthMailTo(signedIn.email, { subject });
    const viaSession = await call('POST', '/v1/invitations/accept', signedIn.pair.accessToken, { token: second.token });
    expect(viaSession.statusCode, viaSession.body).toBe(200);
    expect(viaSession.json().tenantId).toBe(owner.pair.tenantId);
  });

  it('refuses revoked and expired links, and a replaced one', async () => {
    const owner = await account('Cy');
    const revokedEmail = `revoked-${unique()}@example.com`;
    const revoked = await invite(owner.pair.accessToken, revokedEmail);
    const { token: revokedToken } = await inbox.nthMailTo(revokedEmail, { subject });
    expect((await call('DELETE', `/v1/invitations/${revoked.id}`, owner.pair.accessToken)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/invitations/${revoked.id}`, owner.pair.accessToken)).json().code).toBe('identity.invitation_not_found');
    const refused = await call('POST', '/v1/invitations/accept', undefined, { token: revokedToken, name: 'Late', password: newcomerPassword });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('identity.invalid_invitation_token');

    const expiredEmail = `expired-${unique()}@example.com`;
    const expired = await invite(owner.pair.accessToken, expiredEmail);
    const { token: expiredToken } = await inbox.nthMailTo(expiredEmail, { subject });
    await sql`update identity_invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`.execute(t.database.owner.db);
    expect((await call('POST', '/v1/invitations/accept', undefined, { token: expiredToken, name: 'Late', password: newcomerPassword })).json().code).toBe('identity.invalid_invitation_token');
    expect((await call('GET', '/v1/invitations', owner.pair.accessToken)).json().items.find((item: { id: string }) => item.id === expired.id).state).toBe('expired');

    // A new invitation of the same address voids the previous link.
    const again = `again-${unique()}@example.com`;
    await invite(owner.pair.accessToken, again);
    const { token: oldToken } = await inbox.nthMailTo(again, { subject });
    await invite(owner.pair.accessToken, again, 'viewer');
    const { token: newToken } = await inbox.nthMailTo(again, { subject, index: 1 });
    expect((await call('POST', '/v1/invitations/accept', undefined, { token: oldToken, name: 'Again', password: newcomerPassword })).json().code).toBe('identity.invalid_invitation_token');
    expect((await call('POST', '/v1/invitations/accept', undefined, { token: newToken, name: 'Again', password: newcomerPassword })).statusCode).toBe(200);

    expect((await call('POST', '/v1/invitations/accept', undefined, { token: 'made-up' })).json().code).toBe('identity.invalid_invitation_token');
    expect((await eventsOf(owner.pair.tenantId, 'invitation.revoked')).map((event) => event.record_id)).toContain(revoked.id);
  });

  it('leaves invitations to owners and admins, and the owner role to owners', async () => {
    const owner = await account('Di');
    const admin = await account('Admin');
    const member = await account('Member');
    await t.platform.identity.addMembership({ tenantId: owner.pair.tenantId, userId: admin.userId, role: 'admin' });
    await t.platform.identity.addMembership({ tenantId: owner.pair.tenantId, userId: member.userId, role: 'member' });
    const adminPair = (await login(admin.email, password, owner.slug)).json();
    const memberPair = (await login(member.email, password, owner.slug)).json();
    const target = `target-${unique()}@example.com`;
    expect((await call('POST', '/v1/invitations', memberPair.accessToken, { email: target, role: 'member' })).json().code).toBe('access.denied');
    expect((await call('GET', '/v1/invitations', memberPair.accessToken)).json().code).toBe('access.denied');
    expect((await call('POST', '/v1/invitations', adminPair.accessToken, { email: target, role: 'owner' })).json().code).toBe('access.denied');
    expect((await call('POST', '/v1/invitations', adminPair.accessToken, { email: target, role: 'nobody' })).json().code).toBe('identity.invalid_role');
    expect((await call('POST', '/v1/invitations', adminPair.accessToken, { email: 'not an address', role: 'member' })).json().code).toBe('identity.invalid_invitation');
    const ownerInvite = await invite(owner.pair.accessToken, target, 'owner');
    expect((await call('DELETE', `/v1/invitations/${ownerInvite.id}`, adminPair.accessToken)).json().code).toBe('access.denied');
    // An owner invitation dies with its inviter's ownership.
    const { token } = await inbox.nthMailTo(target, { subject });
    await sql`update identity_memberships set role = 'admin' where tenant_id = ${owner.pair.tenantId} and user_id = ${owner.userId}`.execute(t.database.owner.db);
    expect((await call('POST', '/v1/invitations/accept', undefined, { token, name: 'Target', password: newcomerPassword })).json().code).toBe('identity.invalid_invitation_token');
  });
});
