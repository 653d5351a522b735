import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let test: TestPlatform;
const secret = 'identity-test-secret-0123456789-abcdefghij';
const strongPassword = 'violet-otter-marmalade-71';

beforeAll(async () => {
  test = await startTestPlatform({ TOKEN_SECRET: secret, AUTH_RATE_LIMIT_MAX: 1000, IDENTITY_LOGIN_FREE_ATTEMPTS: 3, IDENTITY_LOCKOUT_AFTER: 6 });
});
afterAll(async () => test?.close());

const post = (url: string, payload: object, headers: Record<string, string> = {}) => test.platform.http.inject({ method: 'POST', url, payload, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

async function signUp(email: string, password = strongPassword, slug = `acme-${unique()}`) {
  const response = await post('/v1/auth/sign-up', { email, password, name: 'Ada Owner', tenant: { slug, name: 'Acme' } });
  return { response, slug };
}
async function login(email: string, password = strongPassword, tenant?: string) {
  return post('/v1/auth/login', { email, password, ...(tenant ? { tenant } : {}) });
}
const listProducts = (headers: Record<string, string>) => test.platform.http.inject({ method: 'GET', url: '/v1/products', headers });

describe('sign-up, login, refresh, logout', () => {
  it('signs up, logs in, refreshes, and refuses the access token at once after logout', async () => {
    const email = `ada-${unique()}@example.com`;
    const { response, slug } = await signUp(email);
    expect(response.statusCode).toBe(202);
    const loggedIn = await login(email.toUpperCase());
    expect(loggedIn.statusCode).toBe(200);
    const pair = loggedIn.json();
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
    expect((await listProducts(bearer(pair.accessToken))).statusCode).toBe(200);

    const refreshed = await post('/v1/auth/refresh', { refreshToken: pair.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json();
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    expect(next.sessionId).toBe(pair.sessionId);

    const sessions = await test.platform.http.inject({ method: 'GET', url: '/v1/auth/sessions', headers: bearer(next.accessToken) });
    expect(sessions.json().items).toEqual([expect.objectContaining({ id: pair.sessionId, current: true })]);
    expect((await post('/v1/auth/login', { email, password: strongPassword, tenant: slug })).statusCode).toBe(200);

    expect((await post('/v1/auth/logout', {}, bearer(next.accessToken))).statusCode).toBe(204);
    const after = await listProducts(bearer(next.accessToken));
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('identity.invalid_token');
    expect((await post('/v1/auth/refresh', { refreshToken: next.refreshToken })).json().code).toBe('identity.invalid_refresh_token');
  });

  it('creates nothing when sign-up fails half-way (slug taken): no user, no membership', async () => {
    const taken = await test.createTenant();
    const email = `half-${unique()}@example.com`;
    const { response } = await signUp(email, strongPassword, taken.slug);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('tenancy.slug_taken');
    const users = await test.database.owner.db.selectFrom('identity_users').select('id').where('email_normalized', '=', email).execute();
    expect(users).toEqual([]);
  });

  it('revokes the whole family when a rotated refresh token is used again', async () => {
    const email = `reuse-${unique()}@example.com`;
    await signUp(email);
    const first = (await login(email)).json();
    const second = (await post('/v1/auth/refresh', { refreshToken: first.refreshToken })).json();
    const reuse = await post('/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('identity.invalid_refresh_token');
    // The attacker's reuse ends the session: the legitimate holder's newer tokens die too.
    expect((await post('/v1/auth/refresh', { refreshToken: second.refreshToken })).statusCode).toBe(401);
    expect((await listProducts(bearer(second.accessToken))).statusCode).toBe(401);
  });

  it('lists and revokes own sessions, and switches tenant with a new token', async () => {
    const email = `multi-${unique()}@example.com`;
    await signUp(email);
    const one = (await login(email)).json();
    const two = (await login(email)).json();
    const other = await test.createTenant();
    const userId = JSON.parse(Buffer.from(one.accessToken.split('.')[1], 'base64url').toString()).sub as string;
    await test.platform.identity.addMembership({ tenantId: other.id, userId, role: 'viewer' });

    expect((await test.platform.http.inject({ method: 'DELETE', url: `/v1/auth/sessions/${two.sessionId}`, headers: bearer(one.accessToken) })).statusCode).toBe(204);
    expect((await listProducts(bearer(two.accessToken))).statusCode).toBe(401);
    expect((await test.platform.http.inject({ method: 'DELETE', url: `/v1/auth/sessions/${two.sessionId}`, headers: bearer(one.accessToken) })).json().code).toBe('identity.session_not_found');

    const switched = await post('/v1/auth/switch-tenant', { tenant: other.slug }, bearer(one.accessToken));
    expect(switched.statusCode).toBe(200);
    const claims = JSON.parse(Buffer.from(switched.json().accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ tid: other.id, roles: ['viewer'], sub: userId });
    const stranger = await test.createTenant();
    expect((await post('/v1/auth/switch-tenant', { tenant: stranger.slug }, bearer(one.accessToken))).json().code).toBe('identity.not_a_member');
  });

  it('keeps the development header working as role owner', async () => {
    const tenant = await test.createTenant();
    expect((await listProducts({ 'x-tenant': tenant.slug })).statusCode).toBe(200);
  });

  it('serves the flow over real HTTP', async () => {
    const email = `http-${unique()}@example.com`;
    await signUp(email);
    const address = await test.platform.http.listen({ port: 0, host: '127.0.0.1' });
    const call = (path: string, init: RequestInit = {}) => fetch(`${address}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const pair = (await (await call('/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password: strongPassword }) })).json()) as { accessToken: string };
    expect((await call('/v1/products', { headers: bearer(pair.accessToken) })).status).toBe(200);
    expect((await call('/v1/auth/logout', { method: 'POST', headers: bearer(pair.accessToken), body: '{}' })).status).toBe(204);
    expect((await call('/v1/products', { headers: bearer(pair.accessToken) })).status).toBe(401);
  });
});

describe('token attacks', () => {
  let valid: { accessToken: string };
  let claims: Record<string, unknown>;
  beforeAll(async () => {
    const email = `target-${unique()}@example.com`;
    await signUp(email);
    valid = (await login(email)).json();
    claims = JSON.parse(Buffer.from(valid.accessToken.split('.')[1]!, 'base64url').toString());
  });
  const refused = async (token: string) => {
    const response = await listProducts(bearer(token));
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('identity.invalid_token');
  };
  const key = new TextEncoder().encode(secret);
  const forge = (patch: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ ...claims, ...patch }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header }).sign(key);

  it('accepts a well-formed token (the control)', async () => {
    expect((await listProducts(bearer(await forge({})))).statusCode).toBe(200);
  });
  it('refuses alg none', async () => refused(new UnsecuredJWT({ ...claims }).encode()));
  it('refuses HS/RS confusion: a token HMAC-signed with a public key and alg RS256', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', pem).update(`${head}.${body}`).digest('base64url');
    await refused(`${head}.${body}.${signature}`);
    const signedWithSecretAsRs = `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
    await refused(signedWithSecretAsRs);
  });
  it('refuses a wrong audience or issuer', async () => {
    await refused(await forge({ aud: 'another-api' }));
    await refused(await forge({ iss: 'someone-else' }));
  });
  it('refuses an expired token', async () => refused(await forge({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })));
  it('refuses a tampered payload or signature', async () => {
    const [head, body, signature] = valid.accessToken.split('.');
    const otherBody = Buffer.from(JSON.stringify({ ...claims, roles: ['owner', 'admin'] })).toString('base64url');
    await refused(`${head}.${otherBody}.${signature}`);
    await refused(`${head}.${body}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`);
  });
  it('refuses a token of another key, and a token naming a session that does not exist', async () => {
    await refused(await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode('x'.repeat(48))));
    await refused(await forge({ sid: '01900000-0000-7000-8000-000000000000' }));
  });
  it('refuses a malformed Authorization header', async () => refused('not a jwt'));
});

describe('passwords over HTTP', () => {
  it('answers each reason with its code', async () => {
    expect((await signUp(`short-${unique()}@example.com`, 'abc')).response.json().code).toBe('identity.password_too_short');
    expect((await signUp(`common-${unique()}@example.com`, 'qwertyuiop')).response.json().code).toBe('identity.password_breached');
    expect((await signUp(`long-${unique()}@example.com`, 'x'.repeat(1025))).response.json().code).toBe('identity.password_too_long');
  });
  it('answers a 1 MB password with a 4xx, quickly', async () => {
    const started = performance.now();
    const response = await login(`big-${unique()}@example.com`, 'x'.repeat(1_048_576));
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(500);
  });
  it('logs in with an NFKC-equivalent spelling of the password', async () => {
    const email = `unicode-${unique()}@example.com`;
    await signUp(email, 'Ｔｅｎａｎｔｒｙ－ｐａｓｓ－４２');
    expect((await login(email, 'Tenantry-pass-42')).statusCode).toBe(200);
  });
});

describe('enumeration and brute force', () => {
  it('answers sign-up alike for a known and an unknown e-mail', async () => {
    const email = `known-${unique()}@example.com`;
    await signUp(email);
    const known = await signUp(email);
    const unknown = await signUp(`unknown-${unique()}@example.com`);
    expect(known.response.statusCode).toBe(unknown.response.statusCode);
    expect(known.response.body).toBe(unknown.response.body);
  });

  it('answers a failed login alike for a known and an unknown e-mail, in about the same time', async () => {
    const time = async (address: string) => {
      const started = performance.now();
      const response = await login(address, 'wrong-password-but-long');
      return { response, ms: performance.now() - started };
    };
    // Three of each, interleaved, one attempt per account (no throttling); the fastest of each is
    // compared, which a busy machine's pauses do not move (a single pair failed once in CI: 112 ms
    // known against 22 ms unknown, both paths hashing).
    const known: Awaited<ReturnType<typeof time>>[] = [];
    const unknown: Awaited<ReturnType<typeof time>>[] = [];
    for (let sample = 0; sample < 3; sample++) {
      const email = `victim-${unique()}@example.com`;
      await signUp(email);
      known.push(await time(email));
      unknown.push(await time(`nobody-${unique()}@example.com`));
    }
    const strip = (body: string) => ({ ...JSON.parse(body), traceId: undefined });
    for (const [index, sample] of known.entries()) {
      expect(sample.response.statusCode).toBe(401);
      expect(sample.response.json().code).toBe('identity.invalid_credentials');
      expect(strip(sample.response.body)).toEqual(strip(unknown[index]!.response.body));
    }
    // Both paths verify an argon2id hash; a missing hash would make the unknown path ~10x faster.
    const fastest = (samples: readonly { ms: number }[]) => Math.min(...samples.map((sample) => sample.ms));
    expect(fastest(unknown)).toBeGreaterThan(fastest(known) / 3);
  });

  it('throttles an account after a few failures, locks it, and answers unknown accounts the same', async () => {
    const email = `brute-${unique()}@example.com`;
    await signUp(email);
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) codes.push((await login(email, 'wrong-password-but-long')).json().code);
    expect(codes.slice(0, 3)).toEqual(['identity.invalid_credentials', 'identity.invalid_credentials', 'identity.invalid_credentials']);
    expect(codes[3]).toBe('identity.too_many_attempts');
    const limited = await login(email);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('identity.too_many_attempts');
    const ghost = `ghost-${unique()}@example.com`;
    const ghostCodes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) ghostCodes.push((await login(ghost, 'wrong-password-but-long')).json().code);
    expect(ghostCodes).toEqual(codes.slice(0, 4));
  });
});

describe('rate limits on auth routes', () => {
  it('answers 429 problem+json with Retry-After beyond the per-IP limit', async () => {
    const strict = await startTestPlatform({ AUTH_RATE_LIMIT_MAX: 2 });
    try {
      const attempt = () => strict.platform.http.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: 'x' } });
      await attempt();
      await attempt();
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json().code).toBe('identity.rate_limited');
    } finally {
      await strict.close();
    }
  });
});
