/**
 * TOTP two-factor over HTTP: enrolment with the current password, confirmation and recovery codes,
 * the second login step, replay and reuse refused, throttling, disabling; the secret encrypted at rest.
 */
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { createSecretBox } from './two-factor.secret-box.ts';

const password = 'violet-otter-marmalade-71';
let t: TestPlatform;
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

beforeAll(async () => {
  t = await startTestPlatform({ AUTH_RATE_LIMIT_MAX: 1000, IDENTITY_LOGIN_FREE_ATTEMPTS: 3, IDENTITY_LOCKOUT_AFTER: 6 });
});
afterAll(() => t?.close());

const post = (url: string, payload: object, token?: string) => t.platform.http.inject({ method: 'POST', url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
const get = (url: string, token: string) => t.platform.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
const login = (email: string, secret = password) => post('/v1/auth/login', { email, password: secret });
/** The code of the authenticator at `offsetSteps` steps from now. */
const codeOf = (secret: string, offsetSteps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 });

async function enrolled() {
  const email = `tfa-${unique()}@example.com`;
  expect((await post('/v1/auth/sign-up', { email, password, name: 'Tess', tenant: { slug: `tfa-${unique()}`, name: 'TFA' } })).statusCode).toBe(202);
  const pair = (await login(email)).json() as { accessToken: string; tenantId: string };
  const userId = JSON.parse(Buffer.from(pair.accessToken.split('.')[1]!, 'base64url').toString()).sub as string;
  const started = await post('/v1/auth/2fa/totp', { currentPassword: password }, pair.accessToken);
  expect(started.statusCode, started.body).toBe(200);
  const { secret } = started.json() as { secret: string };
  const confirmed = await post('/v1/auth/2fa/totp/confirm', { code: codeOf(secret) }, pair.accessToken);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return { email, pair, userId, secret, recoveryCodes: confirmed.json().recoveryCodes as string[] };
}

async function challengeOf(email: string): Promise<string> {
  const response = await login(email);
  expect(response.statusCode).toBe(401);
  expect(response.json()).toMatchObject({ code: 'identity.second_factor_required', expiresIn: 300, methods: ['totp', 'recovery_code'] });
  return response.json().challenge as string;
}

describe('TOTP enrolment', () => {
  it('needs the current password, shows the secret once, stores it encrypted, and turns on with a first code', async () => {
    const email = `enrol-${unique()}@example.com`;
    await post('/v1/auth/sign-up', { email, password, name: 'Enid', tenant: { slug: `enrol-${unique()}`, name: 'Enrol' } });
    const pair = (await login(email)).json();
    expect((await post('/v1/auth/2fa/totp', { currentPassword: 'not-my-password-at-all' }, pair.accessToken)).json().code).toBe('identity.reauthentication_failed');
    const started = await post('/v1/auth/2fa/totp', { currentPassword: password }, pair.accessToken);
    expect(started.headers['cache-control']).toBe('no-store');
    const { secret, uri } = started.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\/tenantry:.+\?.*secret=/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // A pending enrolment does not change the login yet.
    expect((await login(email)).statusCode).toBe(200);
    expect((await get('/v1/auth/2fa', pair.accessToken)).json()).toEqual({ totp: 'pending', recoveryCodesLeft: 0 });

    const stored = await sql<{ secret_encrypted: Buffer; user_id: string }>`select f.secret_encrypted, f.user_id from identity_totp_factors f join identity_users u on u.id = f.user_id where u.email = ${email}`.execute(t.database.owner.db);
    const raw = Buffer.from(Secret.fromBase32(secret).bytes);
    const sealed = stored.rows[0]!.secret_encrypted;
    expect(sealed.includes(raw)).toBe(false);
    expect(sealed.toString('latin1')).not.toContain(secret);
    expect(createSecretBox('tenantry-development-token-secret-not-for-production').open(sealed, stored.rows[0]!.user_id).equals(raw)).toBe(true);

    const wrong = await post('/v1/auth/2fa/totp/confirm', { code: codeOf(secret, 10) }, pair.accessToken);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('identity.invalid_totp_code');
    const confirmed = await post('/v1/auth/2fa/totp/confirm', { code: codeOf(secret) }, pair.accessToken);
    expect(confirmed.statusCode).toBe(200);
    const { recoveryCodes } = confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(recoveryCodes[0]).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const hashes = await sql<{ n: number }>`select cardinality(recovery_code_hashes) as n from identity_totp_factors where user_id = ${stored.rows[0]!.user_id}`.execute(t.database.owner.db);
    expect(hashes.rows[0]!.n).toBe(10);
    expect((await get('/v1/auth/2fa', pair.accessToken)).json()).toEqual({ totp: 'on', recoveryCodesLeft: 10 });
    expect((await post('/v1/auth/2fa/totp', { currentPassword: password }, pair.accessToken)).json().code).toBe('identity.second_factor_enabled');
  });

  it('refuses a sealed secret moved to another user or altered', () => {
    const box = createSecretBox('x'.repeat(32));
    const sealed = box.seal(Buffer.from('secret-bytes'), 'user-a');
    expect(box.open(sealed, 'user-a').toString()).toBe('secret-bytes');
    expect(() => box.open(sealed, 'user-b')).toThrow();
    const altered = Buffer.from(sealed);
    altered[20] = altered[20]! ^ 1;
    expect(() => box.open(altered, 'user-a')).toThrow();
    expect(() => createSecretBox('y'.repeat(32)).open(sealed, 'user-a')).toThrow();
  });
});

describe('login with a second factor', () => {
  it('asks for the code, refuses a wrong one, accepts the right one once, and refuses its replay', async () => {
    const { email, secret, userId, pair } = await enrolled();
    const challenge = await challengeOf(email);
    const wrong = await post('/v1/auth/login/2fa', { challenge, code: codeOf(secret, 20) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('identity.invalid_second_factor_code');
    // The confirmation spent the current step: the next one is the first a login may use.
    const code = codeOf(secret, 1);
    const done = await post('/v1/auth/login/2fa', { challenge, code });
    expect(done.statusCode, done.body).toBe(200);
    expect((await get('/v1/products', done.json().accessToken)).statusCode).toBe(200);
    expect((await post('/v1/auth/login/2fa', { challenge, code })).json().code).toBe('identity.invalid_second_factor_challenge');
    const replay = await post('/v1/auth/login/2fa', { challenge: await challengeOf(email), code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('identity.invalid_second_factor_code');
    expect((await post('/v1/auth/login/2fa', { challenge: 'not-a-challenge', code })).json().code).toBe('identity.invalid_second_factor_challenge');
    // An access token is no challenge.
    expect((await post('/v1/auth/login/2fa', { challenge: pair.accessToken, code })).json().code).toBe('identity.invalid_second_factor_challenge');

    const events = await sql<{ action: string; details: Record<string, unknown> }>`select action, details from audit_events where actor_id = ${userId}
      and action in ('auth.second_factor_enabled', 'auth.second_factor_failed', 'auth.login_succeeded') order by seq`.execute(t.database.owner.db);
    expect(events.rows.map((row) => [row.action, row.details])).toEqual([
      ['auth.login_succeeded', {}],
      ['auth.second_factor_enabled', { method: 'totp' }],
      ['auth.second_factor_failed', { reason: 'bad_code' }],
      ['auth.login_succeeded', { secondFactor: 'totp' }],
      ['auth.second_factor_failed', { reason: 'replayed_code' }],
    ]);
  });

  it('answers a clear 503 (not a 500) when the stored secret no longer opens, as after a key change, and a recovery code still works', async () => {
    const { email, userId, secret, recoveryCodes } = await enrolled();
    // What a changed IDENTITY_TOTP_KEY looks like to the server: a sealed secret its key cannot open.
    await sql`update identity_totp_factors set secret_encrypted = set_byte(secret_encrypted, 20, (get_byte(secret_encrypted, 20) + 1) % 256) where user_id = ${userId}`.execute(t.database.owner.db);
    const response = await post('/v1/auth/login/2fa', { challenge: await challengeOf(email), code: codeOf(secret) });
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json()).toMatchObject({ code: 'identity.second_factor_unavailable' });
    const recovered = await post('/v1/auth/login/2fa', { challenge: await challengeOf(email), code: recoveryCodes[0] });
    expect(recovered.statusCode, recovered.body).toBe(200);
  });

  it('accepts each recovery code once', async () => {
    const { email, recoveryCodes, pair } = await enrolled();
    const first = await post('/v1/auth/login/2fa', { challenge: await challengeOf(email), code: ` ${recoveryCodes[3]!.toUpperCase().replaceAll('-', ' ')} ` });
    expect(first.statusCode, first.body).toBe(200);
    const again = await post('/v1/auth/login/2fa', { challenge: await challengeOf(email), code: recoveryCodes[3] });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('identity.invalid_second_factor_code');
    expect((await get('/v1/auth/2fa', pair.accessToken)).json()).toEqual({ totp: 'on', recoveryCodesLeft: 9 });
  });

  it('throttles wrong codes like failed logins', async () => {
    const { email, secret } = await enrolled();
    const challenge = await challengeOf(email);
    for (let attempt = 0; attempt < 3; attempt++) expect((await post('/v1/auth/login/2fa', { challenge, code: '000000' })).statusCode).toBe(401);
    const throttled = await post('/v1/auth/login/2fa', { challenge, code: codeOf(secret, 1) });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('identity.too_many_attempts');
    // A right password does not reset the second factor's counter.
    const next = await challengeOf(email);
    expect((await post('/v1/auth/login/2fa', { challenge: next, code: codeOf(secret, 1) })).statusCode).toBe(429);
  });

  it('keeps a password change working, and turns off only with the password and a code', async () => {
    const { email, secret, pair, recoveryCodes } = await enrolled();
    const changed = await post('/v1/auth/password', { currentPassword: password, newPassword: 'quiet-harbour-lantern-58' }, pair.accessToken);
    expect(changed.statusCode, changed.body).toBe(200);
    const token = changed.json().accessToken as string;
    expect((await post('/v1/auth/2fa/totp/disable', { currentPassword: 'quiet-harbour-lantern-58', code: codeOf(secret, 15) }, token)).json().code).toBe('identity.reauthentication_failed');
    expect((await post('/v1/auth/2fa/totp/disable', { currentPassword: password, code: recoveryCodes[0] }, token)).json().code).toBe('identity.reauthentication_failed');
    expect((await post('/v1/auth/2fa/totp/disable', { currentPassword: 'quiet-harbour-lantern-58', code: recoveryCodes[0] }, token)).statusCode).toBe(204);
    expect((await login(email, 'quiet-harbour-lantern-58')).statusCode).toBe(200);
    expect((await get('/v1/auth/2fa', token)).json()).toEqual({ totp: 'off', recoveryCodesLeft: 0 });
    expect((await post('/v1/auth/2fa/totp/disable', { currentPassword: 'quiet-harbour-lantern-58', code: '123456' }, token)).json().code).toBe('identity.second_factor_not_enabled');
  });
});
