/**
 * Notices and account helpers over a real SMTP server: the account-exists notice on a sign-up with a
 * known address (same answer, throttled in the database), the notice to the address an account
 * leaves, resending a verification link (no enumeration, older links void in every tenant,
 * throttled), and the list of a user's tenants (memberships read under each tenant's RLS).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { startSmtpInbox, type SmtpInbox } from '../../../test/support/smtp-inbox.ts';
import { createAccessTokens } from './access-tokens.ts';
import { createIdentityService } from './identity.service.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { createIdentityEvents, noSecurityEvents } from './security-events.ts';

const strongPassword = 'violet-otter-marmalade-71';
let inbox: SmtpInbox;
let test: TestPlatform;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  test = await startTestPlatform({ SMTP_URL: inbox.url, JOBS_IN_PROCESS: true, JOBS_POLL_INTERVAL_MS: 500, AUTH_RATE_LIMIT_MAX: 1000, APP_BASE_URL: 'https://app.example.com/console' });
});
afterAll(async () => {
  await test?.close();
  await inbox?.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = {}) => test.platform.http.inject({ method: 'POST', url, payload, headers });
const get = (url: string, headers: Record<string, string>) => test.platform.http.inject({ method: 'GET', url, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const owner = () => test.database.owner.db;
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;
const subjectOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
const mailsTo = (address: string, subject?: RegExp) => inbox.received.filter((entry) => entry.to.includes(address) && (!subject || subject.test(entry.mail.subject ?? '')));

function signUp(email: string, options: { locale?: string; name?: string; slug?: string } = {}) {
  return post('/v1/auth/sign-up', { email, password: strongPassword, name: options.name ?? 'Ada Owner', ...(options.locale ? { locale: options.locale } : {}), tenant: { slug: options.slug ?? `acme-${unique()}`, name: `Acme ${unique()}` } });
}

async function signedUpAndIn(options: { locale?: string; tenantName?: string } = {}) {
  const email = `user-${unique()}@example.com`;
  const slug = `acme-${unique()}`;
  const response = await post('/v1/auth/sign-up', { email, password: strongPassword, name: 'Ada Owner', ...(options.locale ? { locale: options.locale } : {}), tenant: { slug, name: options.tenantName ?? `Acme ${unique()}` } });
  expect(response.statusCode).toBe(202);
  const pair = (await post('/v1/auth/login', { email, password: strongPassword })).json() as { accessToken: string; tenantId: string; sessionId: string };
  return { email, slug, pair, userId: subjectOf(pair.accessToken) };
}

/** Waits until a mail queued after everything before it was delivered: then nothing earlier is still on its way. */
async function settle(): Promise<void> {
  const marker = `marker-${unique()}@example.com`;
  expect((await signUp(marker)).statusCode).toBe(202);
  await inbox.nthMailTo(marker);
}

const eventsOf = async (tenantId: string, action: string) =>
  (await sql<{ actor_id: string | null }>`select actor_id from audit_events where tenant_id = ${tenantId} and action = ${action}`.execute(owner())).rows;

describe('account-exists notice', () => {
  it('answers exactly as a new sign-up and mails the owner, in their locale, a sign-in link and a reset link', async () => {
    const { email, userId, pair } = await signedUpAndIn({ locale: 'fr' });
    const fresh = await signUp(`new-${unique()}@example.com`);
    const known = await signUp(email.toUpperCase(), { name: 'Mallory' });
    expect(known.statusCode).toBe(fresh.statusCode);
    expect(known.body).toBe(fresh.body);
    expect(known.headers['content-type']).toBe(fresh.headers['content-type']);

    const { mail, link } = await inbox.nthMailTo(email, { subject: /^Quelqu'un a tenté de s'inscrire/ });
    expect(mail.html).toContain('lang="fr"');
    expect(link.pathname).toBe('/console/login');
    expect(mail.text).toContain('https://app.example.com/console/reset-password');
    expect(mail.text).not.toContain('Mallory');
    expect(await eventsOf(pair.tenantId, 'auth.account_exists_notified')).toEqual([{ actor_id: userId }]);
  });

  it('is written in Arabic, right to left, for an Arabic-speaking owner', async () => {
    const { email } = await signedUpAndIn({ locale: 'ar' });
    await signUp(email);
    const { mail } = await inbox.nthMailTo(email, { subject: /^حاول شخص ما التسجيل/ });
    expect(mail.html).toMatch(/<html[^>]*dir="rtl"/);
  });

  it('mails at most one notice an hour per address, counted in the database', async () => {
    const { email, userId } = await signedUpAndIn();
    for (let attempt = 0; attempt < 3; attempt++) expect((await signUp(email)).statusCode).toBe(202);
    await inbox.nthMailTo(email, { subject: /^Someone tried/ });
    await settle();
    expect(mailsTo(email, /^Someone tried/)).toHaveLength(1);

    // Not a memory of this process: moving the stored time back an hour frees the next notice.
    await sql`update identity_users set account_exists_notice_at = now() - interval '61 minutes' where id = ${userId}`.execute(owner());
    await signUp(email);
    await inbox.nthMailTo(email, { index: 1, subject: /^Someone tried/ });
  });

  it('does not make the sign-up wait for the notice', async () => {
    const { email } = await signedUpAndIn();
    const { platform } = test;
    let noticed = 0;
    const service = createIdentityService({
      db: platform.database.db,
      tenants: platform.tenants,
      tokens: createAccessTokens({ secret: 'notice-test-secret-0123456789-abcdefghij', issuer: 'tenantry', audience: 'tenantry', ttlSeconds: 600 }),
      throttle: createLoginThrottle({ freeAttempts: 5, lockoutAfter: 20, lockoutSeconds: 900, maxDelaySeconds: 300, ipFailuresPerWindow: 100, ipWindowSeconds: 900 }),
      sessionTtlSeconds: 3600,
      sessionCacheMs: 0,
      events: createIdentityEvents(noSecurityEvents),
      // A notice that never finishes: the answer must come anyway.
      onKnownAddress: () => {
        noticed += 1;
        return new Promise<void>(() => {});
      },
    });
    const answer = await service.signUp({ email, password: strongPassword, name: 'Mallory', tenant: { slug: `never-${unique()}`, name: 'Never' } }, { ip: '127.0.0.1' });
    expect(answer).toEqual({ status: 'accepted' });
    expect(noticed).toBe(1);
    // A new address is not a known one.
    await service.signUp({ email: `other-${unique()}@example.com`, password: strongPassword, name: 'Other', tenant: { slug: `other-${unique()}`, name: 'Other' } }, { ip: '127.0.0.1' });
    expect(noticed).toBe(1);
  });
});

describe('notice to the old address on an e-mail change', () => {
  it('tells the address the account left, with the new one masked, once the change is applied', async () => {
    const { email, pair } = await signedUpAndIn({ locale: 'fr' });
    await inbox.nthMailTo(email);
    const next = `moved-${unique()}@example.org`;
    expect((await post('/v1/auth/email', { currentPassword: strongPassword, newEmail: next }, bearer(pair.accessToken))).statusCode).toBe(202);
    const { token } = await inbox.nthMailTo(next);
    await settle();
    // Asked for, not applied: the old address has nothing yet.
    expect(mailsTo(email)).toHaveLength(1);

    expect((await post('/v1/auth/verify-email', { token })).statusCode).toBe(204);
    const { mail, link } = await inbox.nthMailTo(email, { subject: /a été modifiée$/ });
    expect(mail.subject).toBe("L'adresse e-mail de votre compte a été modifiée");
    expect(mail.text).toContain('remplacée par m***@example.org');
    expect(mail.html! + mail.text).not.toContain(next);
    expect(link.pathname).toBe('/console/login');
  });
});

describe('resending the verification link', () => {
  const resend = (email: string) => post('/v1/auth/verify-email/resend', { email });
  const verificationsTo = (email: string) => mailsTo(email, /^Confirm your e-mail address$/);

  it('answers the same for an unknown, a verified and an unverified address, and mails only the unverified one', async () => {
    const unverified = `unverified-${unique()}@example.com`;
    expect((await signUp(unverified)).statusCode).toBe(202);
    const verified = `verified-${unique()}@example.com`;
    expect((await signUp(verified)).statusCode).toBe(202);
    expect((await post('/v1/auth/verify-email', { token: (await inbox.nthMailTo(verified)).token })).statusCode).toBe(204);

    const answers = [await resend(`nobody-${unique()}@example.com`), await resend(verified), await resend(unverified.toUpperCase())];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(202);
      expect(answer.body).toBe(answers[0]!.body);
    }
    await inbox.nthMailTo(unverified, { index: 1 });
    await settle();
    expect(verificationsTo(verified)).toHaveLength(1);
    expect(verificationsTo(unverified)).toHaveLength(2);
  });

  it('voids the previous link, also one issued in another tenant of the user', async () => {
    const { email, userId } = await signedUpAndIn();
    const first = await inbox.nthMailTo(email);
    // The user's default tenant moves to another tenant: the next link is issued there.
    const other = await test.createTenant();
    await test.platform.identity.addMembership({ tenantId: other.id, userId, role: 'member' });
    expect((await post('/v1/auth/login', { email, password: strongPassword, tenant: other.slug })).statusCode).toBe(200);
    expect((await resend(email)).statusCode).toBe(202);
    const second = await inbox.nthMailTo(email, { index: 1 });
    expect(second.token!.startsWith(`${other.id}.`)).toBe(true);

    const stale = await post('/v1/auth/verify-email', { token: first.token });
    expect(stale.statusCode).toBe(400);
    expect(stale.json().code).toBe('identity.invalid_verification_token');
    expect((await post('/v1/auth/verify-email', { token: second.token })).statusCode).toBe(204);
    expect(await eventsOf(other.id, 'auth.email_verification_requested')).toEqual([{ actor_id: userId }]);
  });

  it('voids the previous link of the same tenant', async () => {
    const email = `same-${unique()}@example.com`;
    await signUp(email);
    const first = await inbox.nthMailTo(email);
    await resend(email);
    const second = await inbox.nthMailTo(email, { index: 1 });
    expect((await post('/v1/auth/verify-email', { token: first.token })).json().code).toBe('identity.invalid_verification_token');
    expect((await post('/v1/auth/verify-email', { token: second.token })).statusCode).toBe(204);
  });

  it('mails at most 3 verification links an hour per address (the sign-up one included), counted in the database', async () => {
    const email = `flood-${unique()}@example.com`;
    await signUp(email);
    for (let attempt = 0; attempt < 5; attempt++) expect((await resend(email)).statusCode).toBe(202);
    await inbox.nthMailTo(email, { index: 2 });
    await settle();
    expect(verificationsTo(email)).toHaveLength(3);

    await sql`update identity_user_tokens set created_at = created_at - interval '61 minutes' where email = ${email}`.execute(owner());
    await resend(email);
    await inbox.nthMailTo(email, { index: 3 });
  });

  it('is under the stricter per-IP limit of the auth routes', async () => {
    const strict = await startTestPlatform({ AUTH_RATE_LIMIT_MAX: 2 });
    try {
      const attempt = () => strict.platform.http.inject({ method: 'POST', url: '/v1/auth/verify-email/resend', payload: { email: 'anyone@example.com' } });
      expect((await attempt()).statusCode).toBe(202);
      expect((await attempt()).statusCode).toBe(202);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('identity.rate_limited');
    } finally {
      await strict.close();
    }
  });
});

describe('GET /v1/auth/tenants', () => {
  const tenantsOf = async (token: string) => {
    const response = await get('/v1/auth/tenants', bearer(token));
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: { id: string; slug: string; name: string; role: string; current: boolean }[] }).items;
  };

  it("lists the user's tenants with the role there and the current one, follows a switch, and drops a tenant the user leaves", async () => {
    const user = await signedUpAndIn({ tenantName: 'Beta Works' });
    const admin = await signedUpAndIn({ tenantName: 'Alpha Trading' });
    const alpha = { id: admin.pair.tenantId, slug: admin.slug };
    await test.platform.identity.addMembership({ tenantId: alpha.id, userId: user.userId, role: 'member' });
    // A tenant the user has nothing to do with.
    await signedUpAndIn({ tenantName: 'Aardvark Ltd' });

    expect(await tenantsOf(user.pair.accessToken)).toEqual([
      { id: alpha.id, slug: alpha.slug, name: 'Alpha Trading', role: 'member', current: false },
      { id: user.pair.tenantId, slug: user.slug, name: 'Beta Works', role: 'owner', current: true },
    ]);
    const switched = (await post('/v1/auth/switch-tenant', { tenant: alpha.slug }, bearer(user.pair.accessToken))).json() as { accessToken: string };
    expect((await tenantsOf(switched.accessToken)).map((tenant) => [tenant.name, tenant.current])).toEqual([['Alpha Trading', true], ['Beta Works', false]]);

    const removed = await test.platform.http.inject({ method: 'DELETE', url: `/v1/members/${user.userId}`, headers: bearer(admin.pair.accessToken) });
    expect(removed.statusCode).toBe(204);
    expect((await tenantsOf(user.pair.accessToken)).map((tenant) => tenant.name)).toEqual(['Beta Works']);
  });

  it('lists only tenants whose membership RLS confirms, and only active ones', async () => {
    const user = await signedUpAndIn();
    const stranger = await test.createTenant();
    const suspended = await test.createTenant();
    await test.platform.identity.addMembership({ tenantId: suspended.id, userId: user.userId, role: 'member' });
    await test.platform.tenants.suspendTenant(suspended.id);
    // A pointer to a tenant without a membership (written behind the trigger's back) is not enough.
    await sql`update identity_users set membership_tenant_ids = array_append(membership_tenant_ids, ${stranger.id}::uuid) where id = ${user.userId}`.execute(owner());
    const stored = await sql<{ ids: string[] }>`select membership_tenant_ids as ids from identity_users where id = ${user.userId}`.execute(owner());
    expect(stored.rows[0]!.ids).toEqual([user.pair.tenantId, suspended.id, stranger.id]);

    expect((await tenantsOf(user.pair.accessToken)).map((tenant) => tenant.id)).toEqual([user.pair.tenantId]);
  });

  it('needs a signed-in user: the development header is refused', async () => {
    const tenant = await test.createTenant();
    const response = await get('/v1/auth/tenants', { 'x-tenant': tenant.slug });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('identity.invalid_token');
  });
});

describe('membership pointers', () => {
  it('are kept by the database for every membership written, and cleared with the tenant', async () => {
    const user = await signedUpAndIn();
    const other = await test.createTenant();
    await test.platform.identity.addMembership({ tenantId: other.id, userId: user.userId, role: 'member' });
    const idsOf = async () => (await sql<{ ids: string[] }>`select membership_tenant_ids as ids from identity_users where id = ${user.userId}`.execute(owner())).rows[0]!.ids;
    expect(await idsOf()).toEqual([user.pair.tenantId, other.id]);
    await test.platform.tenants.deleteTenant(other.id);
    expect(await idsOf()).toEqual([user.pair.tenantId]);
  });
});
