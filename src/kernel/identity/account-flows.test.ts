/**
 * Account flows end to end: security events in the audit log, e-mail verification and password
 * reset over a real SMTP server (smtp-server on a loopback port, parsed with postal-mime, links
 * followed), credential changes with re-authentication.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { startSmtpInbox, until, type SmtpInbox } from '../../../test/support/smtp-inbox.ts';

const platformChain = '00000000-0000-0000-0000-000000000000';
const strongPassword = 'violet-otter-marmalade-71';
const newPassword = 'quiet-harbour-lantern-58';
let inbox: SmtpInbox;
let test: TestPlatform;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  test = await startTestPlatform({
    SMTP_URL: inbox.url,
    JOBS_IN_PROCESS: true,
    JOBS_POLL_INTERVAL_MS: 500,
    AUTH_RATE_LIMIT_MAX: 1000,
    IDENTITY_LOGIN_FREE_ATTEMPTS: 3,
    IDENTITY_LOCKOUT_AFTER: 4,
    APP_BASE_URL: 'https://app.example.com/console',
  });
});
afterAll(async () => {
  await test?.close();
  await inbox?.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = {}) => test.platform.http.inject({ method: 'POST', url, payload, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;
const login = (email: string, password = strongPassword, tenant?: string) => post('/v1/auth/login', { email, password, ...(tenant ? { tenant } : {}) });
const listProducts = (token: string) => test.platform.http.inject({ method: 'GET', url: '/v1/products', headers: bearer(token) });
const subjectOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;

/** The index-th mail to an address, counting only those whose subject matches (delivery order between templates is not guaranteed). */
const nthMailTo = (address: string, index = 0, subject?: RegExp) => inbox.nthMailTo(address, { index, ...(subject ? { subject } : {}) });
const received = () => inbox.received;

async function signUp(email: string, slug = `acme-${unique()}`) {
  const response = await post('/v1/auth/sign-up', { email, password: strongPassword, name: 'Ada Owner', tenant: { slug, name: 'Acme' } });
  expect(response.statusCode).toBe(202);
  return slug;
}

async function signedUpAndIn(email = `user-${unique()}@example.com`) {
  const slug = await signUp(email);
  const pair = (await login(email)).json() as { accessToken: string; refreshToken: string; tenantId: string; sessionId: string };
  return { email, slug, pair, userId: subjectOf(pair.accessToken) };
}

interface EventRow {
  tenant_id: string;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  record_id: string | null;
  details: Record<string, unknown>;
}
const eventsOf = async (filter: { tenantId?: string; actorId?: string; action?: string }) => {
  const result = await sql<EventRow>`select tenant_id, actor_kind, actor_id, action, record_id, details from audit_events
    where (${filter.tenantId ?? null}::uuid is null or tenant_id = ${filter.tenantId ?? null}::uuid)
      and (${filter.actorId ?? null}::uuid is null or actor_id = ${filter.actorId ?? null})
      and (${filter.action ?? null}::text is null or action = ${filter.action ?? null}) order by occurred_at, seq`.execute(test.database.owner.db);
  return result.rows;
};

describe('security events', () => {
  it('records sign-up, login, refresh reuse, session revocation, tenant switch and logout with the user as actor', async () => {
    const { email, pair, userId } = await signedUpAndIn();
    const tenantId = pair.tenantId;
    const second = (await login(email)).json();
    const rotated = (await post('/v1/auth/refresh', { refreshToken: second.refreshToken })).json();
    expect(rotated.accessToken).toBeDefined();
    await post('/v1/auth/refresh', { refreshToken: second.refreshToken });
    const third = (await login(email)).json();
    expect((await test.platform.http.inject({ method: 'DELETE', url: `/v1/auth/sessions/${third.sessionId}`, headers: bearer(pair.accessToken) })).statusCode).toBe(204);
    const other = await test.createTenant();
    await test.platform.identity.addMembership({ tenantId: other.id, userId, role: 'member' });
    const switched = (await post('/v1/auth/switch-tenant', { tenant: other.slug }, bearer(pair.accessToken))).json();
    expect((await post('/v1/auth/logout', {}, bearer(pair.accessToken))).statusCode).toBe(204);

    const own = await eventsOf({ tenantId, actorId: userId });
    expect(own.map((event) => event.action)).toEqual([
      'auth.signed_up', 'auth.login_succeeded', 'auth.login_succeeded', 'auth.refresh_token_reused', 'auth.login_succeeded', 'auth.session_revoked', 'auth.logged_out',
    ]);
    expect(own.every((event) => event.actor_kind === 'user')).toBe(true);
    expect(own.find((event) => event.action === 'auth.refresh_token_reused')).toMatchObject({ record_id: second.sessionId, details: { sessionRevoked: true } });
    expect(own.find((event) => event.action === 'auth.session_revoked')).toMatchObject({ record_id: third.sessionId });
    expect(await eventsOf({ tenantId: other.id, actorId: userId })).toEqual([expect.objectContaining({ action: 'auth.tenant_switched', record_id: switched.sessionId })]);
    expect(JSON.stringify(own)).not.toContain(email);
  });

  it('records failures and the lockout of a known account in its tenant, and of an unknown one on the platform chain, without the address', async () => {
    const { email, pair, userId } = await signedUpAndIn();
    for (let attempt = 0; attempt < 3; attempt++) await login(email, 'wrong-password-but-long');
    const ghost = `ghost-${unique()}@example.com`;
    await login(ghost, 'wrong-password-but-long');
    const failures = await eventsOf({ tenantId: pair.tenantId, action: 'auth.login_failed' });
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ actor_kind: 'user', actor_id: userId, details: { reason: 'bad_password' } });
    const platform = await eventsOf({ tenantId: platformChain, action: 'auth.login_failed' });
    expect(platform.at(-1)).toMatchObject({ actor_kind: 'anonymous', actor_id: null, details: { reason: 'unknown_account' } });
    // The delay after the free attempts has passed once the 4th attempt is tried; force it by waiting.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await login(email, 'wrong-password-but-long')).statusCode).toBe(401);
    expect(await eventsOf({ tenantId: pair.tenantId, action: 'auth.lockout_started' })).toEqual([expect.objectContaining({ actor_id: userId, details: { lockedSeconds: 900 } })]);
    const notice = await nthMailTo(email, 0, /lock/i);
    expect(notice.mail.subject).toMatch(/lock/i);
    expect(notice.link.pathname).toBe('/console/reset-password');
    const all = JSON.stringify([...(await eventsOf({ tenantId: pair.tenantId })), ...(await eventsOf({ tenantId: platformChain }))]);
    expect(all).not.toContain(email);
    expect(all).not.toContain(ghost);
    expect(all).not.toContain('wrong-password-but-long');
  });
});

describe('e-mail verification over SMTP', () => {
  it('sign-up -> verification mail -> follow the link -> verified -> login', async () => {
    const email = `verify-${unique()}@example.com`;
    await signUp(email);
    const { mail, link, token } = await nthMailTo(email);
    expect(mail.subject).toBe('Confirm your e-mail address');
    expect(link.origin + link.pathname).toBe('https://app.example.com/console/verify-email');
    expect(mail.text).toContain(token);
    // Only the hash is stored.
    const stored = await sql<{ token_hash: Buffer; expires_at: Date }>`select token_hash, expires_at from identity_user_tokens where email = ${email}`.execute(test.database.owner.db);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.token_hash.toString('hex')).not.toContain(Buffer.from(token!.split('.')[1]!).toString('hex'));
    expect(stored.rows[0]!.expires_at.getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);

    expect((await post('/v1/auth/verify-email', { token })).statusCode).toBe(204);
    const user = await sql<{ email_verified_at: Date | null; id: string }>`select id, email_verified_at from identity_users where email = ${email}`.execute(test.database.owner.db);
    expect(user.rows[0]!.email_verified_at).not.toBeNull();
    const again = await post('/v1/auth/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('identity.invalid_verification_token');
    expect((await login(email)).statusCode).toBe(200);
    expect(await eventsOf({ actorId: user.rows[0]!.id, action: 'auth.email_verified' })).toHaveLength(1);
  });

  it('answers a sign-up with a known address the same, and mails its owner a notice, never a verification link', async () => {
    const email = `twice-${unique()}@example.com`;
    await signUp(email);
    await nthMailTo(email);
    const second = await post('/v1/auth/sign-up', { email, password: strongPassword, name: 'Mallory', tenant: { slug: `other-${unique()}`, name: 'Other' } });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ status: 'accepted' });
    const notice = await nthMailTo(email, 0, /^Someone tried to sign up with your address$/);
    expect(notice.link.pathname).toBe('/console/login');
    const marker = `marker-${unique()}@example.com`;
    await signUp(marker);
    await nthMailTo(marker);
    expect(received().filter((entry) => entry.to.includes(email)).map((entry) => entry.mail.subject)).toEqual(['Confirm your e-mail address', 'Someone tried to sign up with your address']);
  });

  it('refuses a malformed or made-up token', async () => {
    for (const token of ['nope', `${'0'.repeat(8)}-0000-7000-8000-000000000000.${'a'.repeat(43)}`]) {
      const response = await post('/v1/auth/verify-email', { token });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('identity.invalid_verification_token');
    }
  });
});

describe('password reset over SMTP', () => {
  it('answers known and unknown addresses alike, mails a single-use link, ends every session in every tenant', async () => {
    const { email, pair, userId } = await signedUpAndIn();
    const other = await test.createTenant();
    await test.platform.identity.addMembership({ tenantId: other.id, userId, role: 'member' });
    const elsewhere = (await login(email, strongPassword, other.slug)).json();
    expect((await listProducts(elsewhere.accessToken)).statusCode).toBe(200);

    const known = await post('/v1/auth/password-reset', { email: email.toUpperCase() });
    const unknown = await post('/v1/auth/password-reset', { email: `nobody-${unique()}@example.com` });
    expect(known.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const { mail, link, token } = await nthMailTo(email, 0, /^Reset your password$/);
    expect(mail.subject).toBe('Reset your password');
    expect(link.pathname).toBe('/console/reset-password');

    const weak = await post('/v1/auth/password-reset/confirm', { token, password: 'password1' });
    expect(weak.json().code).toBe('identity.password_breached');
    expect((await post('/v1/auth/password-reset/confirm', { token, password: newPassword })).statusCode).toBe(204);
    const reused = await post('/v1/auth/password-reset/confirm', { token, password: 'another-fine-passphrase-9' });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('identity.invalid_reset_token');

    // Both tenants' sessions are dead at once: access and refresh tokens.
    for (const session of [pair, elsewhere]) {
      expect((await listProducts(session.accessToken)).json().code).toBe('identity.invalid_token');
      expect((await post('/v1/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(401);
    }
    expect((await login(email)).statusCode).toBe(401);
    const fresh = await login(email, newPassword);
    expect(fresh.statusCode).toBe(200);
    expect((await listProducts(fresh.json().accessToken)).statusCode).toBe(200);
    // The link (and its event) belongs to the user's default tenant: the last one logged into.
    expect(await eventsOf({ actorId: userId, action: 'auth.password_reset_completed' })).toEqual([expect.objectContaining({ tenant_id: other.id, actor_kind: 'user' })]);
    expect(await eventsOf({ tenantId: platformChain, action: 'auth.password_reset_requested' })).toContainEqual(expect.objectContaining({ actor_kind: 'anonymous', details: { reason: 'unknown_account' } }));
  });

  it('mails one link however many requests for an account arrive at once (one a minute)', async () => {
    const { email, userId } = await signedUpAndIn();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/v1/auth/password-reset', { email })));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(8).fill(202));
    // Each request's work runs after its answer: wait until none is left running.
    const tokens = () => sql<{ count: number }>`select count(*)::int as count from identity_user_tokens where user_id = ${userId} and purpose = 'password_reset'`.execute(test.database.owner.db);
    await until(async () => ((await eventsOf({ actorId: userId, action: 'auth.password_reset_requested' })).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await tokens()).rows[0]!.count).toBe(1);
    expect(await eventsOf({ actorId: userId, action: 'auth.password_reset_requested' })).toHaveLength(1);
  });

  it('lets the owner of a locked account out through a reset', async () => {
    const { email } = await signedUpAndIn();
    for (let attempt = 0; attempt < 3; attempt++) await login(email, 'wrong-password-but-long');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await login(email, 'wrong-password-but-long');
    expect((await login(email)).json().code).toBe('identity.too_many_attempts');
    await post('/v1/auth/password-reset', { email });
    const reset = await until(async () => {
      for (let index = 1; index < 4; index++) {
        const entry = received().filter((item) => item.to.includes(email))[index];
        if (entry?.mail.subject === 'Reset your password') return nthMailTo(email, index);
      }
      return undefined;
    });
    expect((await post('/v1/auth/password-reset/confirm', { token: reset.token, password: newPassword })).statusCode).toBe(204);
    expect((await login(email, newPassword)).statusCode).toBe(200);
  });
});

describe('credential changes', () => {
  it('changes the password only with the current one, ends the other sessions and returns a new pair', async () => {
    const { email, pair } = await signedUpAndIn();
    const other = (await login(email)).json();
    const wrong = await post('/v1/auth/password', { currentPassword: 'not-my-password-at-all', newPassword }, bearer(pair.accessToken));
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('identity.reauthentication_failed');
    const changed = await post('/v1/auth/password', { currentPassword: strongPassword, newPassword }, bearer(pair.accessToken));
    expect(changed.statusCode).toBe(200);
    expect((await listProducts(changed.json().accessToken)).statusCode).toBe(200);
    expect((await listProducts(other.accessToken)).statusCode).toBe(401);
    expect((await listProducts(pair.accessToken)).statusCode).toBe(401);
    expect((await login(email)).statusCode).toBe(401);
    expect((await login(email, newPassword)).statusCode).toBe(200);
  });

  it('changes the e-mail address once the link mailed to the new address is followed', async () => {
    const { email, pair, userId } = await signedUpAndIn();
    const next = `moved-${unique()}@example.com`;
    const wrong = await post('/v1/auth/email', { currentPassword: 'not-my-password-at-all', newEmail: next }, bearer(pair.accessToken));
    expect(wrong.json().code).toBe('identity.reauthentication_failed');
    expect((await post('/v1/auth/email', { currentPassword: strongPassword, newEmail: next }, bearer(pair.accessToken))).statusCode).toBe(202);
    expect((await login(next)).statusCode).toBe(401);
    const { token } = await nthMailTo(next);
    expect((await post('/v1/auth/verify-email', { token })).statusCode).toBe(204);
    expect((await login(next)).statusCode).toBe(200);
    expect((await login(email)).statusCode).toBe(401);
    expect((await eventsOf({ actorId: userId, action: 'auth.email_changed' }))).toHaveLength(1);
  });
});
