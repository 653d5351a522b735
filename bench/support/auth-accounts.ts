/**
 * Accounts for the auth part of the bench, made the way a user makes them: POST /v1/auth/sign-up
 * (which creates the user, a home tenant of its own and the owner membership there), then, as the
 * owner connection (superuser of the throwaway cluster), the e-mail marked verified (login does not
 * require it today; IDENTITY_REQUIRE_VERIFIED_EMAIL is planned, so the bench does not depend on it)
 * and a membership with the wanted role in the bench tenant, whose 100,000 products are listed.
 * Tokens come from POST /v1/auth/login and are refreshed through /v1/auth/refresh when one would
 * expire before a round ends.
 */
import pg from 'pg';
import type { BenchTenant } from './bench-database.ts';
import type { BenchServer } from './processes.ts';

export interface BenchAccount {
  role: string;
  email: string;
  password: string;
  userId: string;
}

interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  tenantId: string;
  sessionId: string;
}

/** Not in the shipped top-100k blocklist, long enough, plain ASCII. */
const benchPassword = 'tenantry bench passphrase 7c1e94';

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Signs up one account per role and makes it a member of the bench tenant with that role. */
export async function createAccounts(options: { platformUrl: string; ownerUrl: string; tenant: BenchTenant; roles: string[] }): Promise<BenchAccount[]> {
  const owner = new pg.Client({ connectionString: options.ownerUrl });
  await owner.connect();
  try {
    const accounts: BenchAccount[] = [];
    for (const role of options.roles) {
      const email = `bench-${role}@example.com`;
      const signUp = await postJson(`${options.platformUrl}/v1/auth/sign-up`, {
        email,
        password: benchPassword,
        name: `Bench ${role}`,
        tenant: { slug: `bench-home-${role}`, name: `Home of the bench ${role}` },
      });
      if (signUp.status !== 202) throw new Error(`sign-up of ${email}: ${signUp.status} ${signUp.text.slice(0, 500)}`);
      // Sign-up answers 202 for a known address too (no enumeration): check that the user exists.
      const found = await owner.query<{ id: string }>('select id from identity_users where email_normalized = $1', [email]);
      const userId = found.rows[0]?.id;
      if (!userId) throw new Error(`sign-up of ${email} answered 202 but created no user`);
      await owner.query('update identity_users set email_verified_at = coalesce(email_verified_at, now()) where id = $1', [userId]);
      await owner.query(
        `insert into identity_memberships (tenant_id, id, user_id, role) values ($1, gen_random_uuid(), $2, $3)
         on conflict (tenant_id, user_id) do update set role = excluded.role, updated_at = now()`,
        [options.tenant.id, userId, role],
      );
      accounts.push({ role, email, password: benchPassword, userId });
    }
    return accounts;
  } finally {
    await owner.end();
  }
}

/** The body autocannon posts to /v1/auth/login for an account (into the bench tenant). */
export const loginBody = (account: BenchAccount, tenantSlug: string) => JSON.stringify({ email: account.email, password: account.password, tenant: tenantSlug });

export interface BearerSession {
  readonly account: BenchAccount;
  readonly sessionId: string;
  /** Authorization header with a token valid for at least `validForMs` more (refreshed if not). */
  headers(validForMs: number): Promise<Record<string, string>>;
  /** How many times the token was refreshed. */
  readonly refreshes: number;
  readonly tokenTtlSeconds: number;
}

export async function logIn(platformUrl: string, account: BenchAccount, tenantSlug: string): Promise<BearerSession> {
  const login = await postJson(`${platformUrl}/v1/auth/login`, JSON.parse(loginBody(account, tenantSlug)));
  if (login.status !== 200) throw new Error(`login of ${account.email} into ${tenantSlug}: ${login.status} ${login.text.slice(0, 500)}`);
  let pair = login.json as TokenPair;
  let expiresAt = Date.now() + pair.expiresIn * 1000;
  let refreshes = 0;
  return {
    account,
    sessionId: pair.sessionId,
    tokenTtlSeconds: pair.expiresIn,
    get refreshes() {
      return refreshes;
    },
    async headers(validForMs: number) {
      if (expiresAt - Date.now() < validForMs) {
        const refreshed = await postJson(`${platformUrl}/v1/auth/refresh`, { refreshToken: pair.refreshToken });
        if (refreshed.status !== 200) throw new Error(`refresh for ${account.email}: ${refreshed.status} ${refreshed.text.slice(0, 500)}`);
        pair = refreshed.json as TokenPair;
        expiresAt = Date.now() + pair.expiresIn * 1000;
        refreshes += 1;
      }
      return { authorization: `Bearer ${pair.accessToken}` };
    },
  };
}

interface Page {
  data: { id: string }[];
}

async function getPage(url: string, headers: Record<string, string>): Promise<{ status: number; page?: Page; text: string }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, text, ...(response.status === 200 ? { page: JSON.parse(text) as Page } : {}) };
}

/** Round trips of the platform for one request (the server's pg query counter before and after). */
async function queriesFor(server: BenchServer, url: string, headers: Record<string, string>): Promise<number> {
  const before = (await server.stats()).queries;
  const answer = await getPage(url, headers);
  if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${answer.text.slice(0, 300)}`);
  return (await server.stats()).queries - before;
}

export interface RoundTripProbe {
  devHeader: number;
  /** First bearer request after the session cache entry expired: the session + membership check runs. */
  bearerSessionCheck: number;
  /** The next one, within IDENTITY_SESSION_CACHE_MS. */
  bearerCached: number;
  sessionCacheMs: number;
}

/**
 * Before any load: a bearer token of each account lists the same rows as the development header, a
 * tampered token is refused, and the round trips of a single request, counted with the servers'
 * pg query counter: development header, bearer with the session check, bearer from the cache.
 */
export async function verifyBearer(options: { platform: BenchServer; path: string; tenantSlug: string; sessions: BearerSession[]; sessionCacheMs: number }): Promise<RoundTripProbe> {
  const url = `${options.platform.url}${options.path}`;
  const dev = await getPage(url, { 'x-tenant': options.tenantSlug });
  if (!dev.page) throw new Error(`GET ${url} with X-Tenant: ${dev.status} ${dev.text.slice(0, 300)}`);
  const ids = (page: Page) => page.data.map((row) => row.id).join(',');
  for (const session of options.sessions) {
    const headers = await session.headers(60_000);
    const answer = await getPage(url, headers);
    if (!answer.page) throw new Error(`GET ${url} as ${session.account.role} with a bearer token: ${answer.status} ${answer.text.slice(0, 300)}`);
    if (ids(answer.page) !== ids(dev.page)) throw new Error(`the ${session.account.role} sees other rows with a bearer token than the development header`);
    // One signature character changed (not the last, whose low bits are padding).
    const token = headers.authorization!;
    const at = token.length - 10;
    const tampered = await getPage(url, { authorization: `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}` });
    if (tampered.status !== 401) throw new Error(`a tampered token answered ${tampered.status} (want 401)`);
  }
  const first = options.sessions[0]!;
  const bearer = await first.headers(60_000);
  const devHeader = await queriesFor(options.platform, url, { 'x-tenant': options.tenantSlug });
  await new Promise((resolve) => setTimeout(resolve, options.sessionCacheMs + 250));
  const bearerSessionCheck = await queriesFor(options.platform, url, bearer);
  const bearerCached = await queriesFor(options.platform, url, bearer);
  return { devHeader, bearerSessionCheck, bearerCached, sessionCacheMs: options.sessionCacheMs };
}
