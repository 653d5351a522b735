/**
 * Identity rules: sign-up, login, refresh with rotation and reuse detection, logout, sessions,
 * tenant switch, and the per-request check of an access token. No Fastify, no SQL strings.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withTenant, type TenantTx } from '../db/index.ts';
import { AppError, isUuid, newId } from '../shared/index.ts';
import type { TenantDirectory } from '../tenancy/index.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { Authenticated, ClientInfo, IdentityService, LoginInput, MemberTenant, SignUpInput, TokenPair } from './identity.contract.ts';
import { invalidCredentials, invalidRefreshToken, invalidSignUp, invalidToken, notAMember, sessionNotFound } from './identity.errors.ts';
import {
  consumeRefreshToken,
  findRole,
  findMembershipTenantIds,
  findSessionState,
  findUserByEmail,
  insertRefreshToken,
  insertSession,
  insertUser,
  listLiveSessions,
  revokeSession,
  setDefaultTenant,
  upsertMembership,
  type UserRow,
} from './identity.repository.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { checkNewPassword, normalizePassword } from './password-policy.ts';
import type { IdentityEvent, IdentityEvents } from './security-events.ts';
import { createSessionCache, type CachedSession, type SessionCache } from './session-cache.ts';

/** A new account, as the sign-up transaction hands it to the verification flow. */
export interface SignedUp {
  tenantId: string;
  userId: string;
  email: string;
  name: string;
  locale: string;
}

export interface IdentityServiceOptions {
  db: Kysely<any>;
  tenants: TenantDirectory;
  tokens: AccessTokens;
  throttle: LoginThrottle;
  sessionTtlSeconds: number;
  sessionCacheMs: number;
  /** Shared with the member admin, which evicts a user's sessions on a role change or removal. */
  sessionCache?: SessionCache;
  events: IdentityEvents;
  /** Runs in the sign-up transaction (the verification mail): rolled back with it. */
  afterSignUp?: (tx: TenantTx, account: SignedUp, client: ClientInfo) => Promise<void>;
  /**
   * After a sign-up with the address of an existing account was rolled back (the account-exists
   * notice). Not awaited: the answer and its time must not depend on it; it must not reject.
   */
  onKnownAddress?: (user: UserRow, client: ClientInfo) => Promise<void>;
  /** Runs in a tenant transaction of the user when a lockout starts (the lockout notice mail). */
  onLockout?: (tx: TenantTx, user: UserRow, tenantId: string, lockedSeconds: number) => Promise<void>;
  /** After a verified password: throws identity.second_factor_required (with a challenge) when the user has a second factor. */
  secondFactor?: (userId: string, tenantId: string) => Promise<void>;
}

/** Session openings for identity's own flows (two-factor, invitations); not part of the public contract. */
export interface IdentitySessions {
  /** Opens a session for a user already proven (second factor passed, signed in, new account); the membership is checked. */
  openSession(userId: string, tenantId: string, client: ClientInfo, event?: Pick<IdentityEvent, 'action' | 'details'>): Promise<TokenPair>;
  /** After a verified password: a session, or identity.second_factor_required when the user has a second factor. */
  sessionAfterPassword(userId: string, tenantId: string, client: ClientInfo): Promise<TokenPair>;
  /** Password login of a signed-in user (a password change): the session already passed any second factor. */
  loginWithinSession(input: LoginInput, client: ClientInfo): Promise<TokenPair>;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ownerRole = 'owner';
/** A tenant picker lists at most this many tenants. */
const maxListedTenants = 200;
const rollbackSignUp = Symbol('rollback sign-up');

/** NFKC, trimmed, lower-cased: two spellings of one address are one account. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

const hashRefreshSecret = (secret: string) => createHash('sha256').update(secret).digest();

/** A refresh token names its tenant (so it is looked up under that tenant's RLS) and carries 256 random bits. */
function parseRefreshToken(token: string): { tenantId: string; secret: string } {
  const [tenantId, secret, extra] = token.split('.');
  if (extra !== undefined || !tenantId || !isUuid(tenantId) || !secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) throw invalidRefreshToken();
  return { tenantId: tenantId.toLowerCase(), secret };
}

export function createIdentityService(options: IdentityServiceOptions): IdentityService & IdentitySessions {
  const { db, tenants, tokens, throttle, events } = options;
  const sessions = options.sessionCache ?? createSessionCache(options.sessionCacheMs);
  // One database check per session at a time: when a cached entry lapses under load, the requests
  // in flight for that session wait for the same check instead of each opening a transaction
  // (measured with npm run bench: ~40 checks/s for one busy session without this).
  const checking = new Map<string, Promise<CachedSession | undefined>>();
  const checkSession = (tenantId: string, sessionId: string, userId: string): Promise<CachedSession | undefined> => {
    // A check begun before an eviction is neither joined nor cached after it: it may predate the revocation.
    const since = sessions.version();
    const key = `${tenantId}:${sessionId}:${since}`;
    let pending = checking.get(key);
    if (!pending) {
      pending = withTenant(db, { tenantId, userId }, (tx) => findSessionState(tx, tenantId, sessionId))
        .then((state) => {
          if (!state || !state.live || !state.role) return undefined;
          const value = { userId: state.userId, roles: [state.role] };
          sessions.set(tenantId, sessionId, value, since);
          return value;
        })
        .finally(() => checking.delete(key));
      checking.set(key, pending);
    }
    return pending;
  };

  /** Opens a session in the tenant (membership checked under RLS), records why, and issues its first tokens. */
  const openSession = async (userId: string, tenantId: string, client: ClientInfo, event: Pick<IdentityEvent, 'action' | 'details'> = { action: 'auth.login_succeeded' }): Promise<TokenPair> => {
    const sessionId = newId();
    const secret = randomBytes(32).toString('base64url');
    const role = await withTenant(db, { tenantId, userId }, async (tx) => {
      const found = await findRole(tx, tenantId, userId);
      if (!found) return undefined;
      await insertSession(tx, { tenantId, id: sessionId, userId, expiresAt: new Date(Date.now() + options.sessionTtlSeconds * 1000), ip: client.ip, userAgent: client.userAgent?.slice(0, 500) ?? null });
      await insertRefreshToken(tx, { tenantId, id: newId(), sessionId, hash: hashRefreshSecret(secret) });
      await events.record(tx, tenantId, { ...event, userId, sessionId }, client);
      return found;
    });
    if (!role) throw notAMember();
    await setDefaultTenant(db, userId, tenantId);
    return issue({ userId, tenantId, sessionId, roles: [role] }, `${tenantId}.${secret}`);
  };

  const sessionAfterPassword = async (userId: string, tenantId: string, client: ClientInfo): Promise<TokenPair> => {
    await options.secondFactor?.(userId, tenantId);
    return openSession(userId, tenantId, client);
  };

  const issue = async (claims: Authenticated, refreshToken: string): Promise<TokenPair> => ({
    accessToken: await tokens.sign(claims),
    tokenType: 'Bearer',
    expiresIn: tokens.ttlSeconds,
    refreshToken,
    tenantId: claims.tenantId,
    sessionId: claims.sessionId,
  });

  const tenantIdOf = async (idOrSlug: string): Promise<string | undefined> => {
    try {
      return (await tenants.resolveActiveTenant(idOrSlug)).id;
    } catch (error) {
      if ((error as { code?: string }).code === 'tenancy.tenant_not_found') return undefined;
      throw error;
    }
  };

  /**
   * A failed login of a known user goes to the chain of the tenant it aimed at (named, else the
   * default) when the user is a member there; anything else (unknown account, foreign tenant) to the
   * platform chain. The e-mail address is never recorded.
   */
  const recordLoginFailure = async (user: UserRow | undefined, tenant: string | undefined, client: ClientInfo, outcome: { reason: string; lockedSeconds?: number | undefined }) => {
    const { reason, lockedSeconds } = outcome;
    const failure: IdentityEvent = { action: 'auth.login_failed', userId: user?.id ?? null, details: { reason } };
    const lockout: IdentityEvent = { action: 'auth.lockout_started', userId: user?.id ?? null, details: { lockedSeconds: lockedSeconds ?? 0 } };
    const tenantId = user ? ((tenant ? await tenantIdOf(tenant) : undefined) ?? user.defaultTenantId ?? undefined) : undefined;
    if (user && tenantId) {
      const recorded = await withTenant(db, { tenantId, userId: user.id }, async (tx) => {
        if (!(await findRole(tx, tenantId, user.id))) return false;
        await events.record(tx, tenantId, failure, client);
        if (lockedSeconds) {
          await events.record(tx, tenantId, lockout, client);
          await options.onLockout?.(tx, user, tenantId, lockedSeconds);
        }
        return true;
      });
      if (recorded) return;
    }
    await events.recordPlatform(failure, client);
    if (lockedSeconds) await events.recordPlatform(lockout, client);
  };

  const passwordLogin = async (input: LoginInput, client: ClientInfo, secondFactor: boolean): Promise<TokenPair> => {
    const account = normalizeEmail(String(input.email)).slice(0, 320);
    await throttle.check(account, client.ip);
    const password = normalizePassword(input.password);
    const user = await findUserByEmail(db, account);
    // Unknown users verify against a dummy hash: the same work, the same time, the same answer.
    const valid = await verifyPassword(user?.passwordHash, password);
    const tenantId = valid && user ? await (input.tenant ? tenantIdOf(input.tenant) : Promise.resolve(user.defaultTenantId ?? undefined)) : undefined;
    if (!valid || !user || !tenantId) {
      const { lockedSeconds } = await throttle.recordFailure(account, client.ip);
      await recordLoginFailure(user, input.tenant, client, { reason: !user ? 'unknown_account' : valid ? 'tenant_unavailable' : 'bad_password', lockedSeconds });
      throw invalidCredentials();
    }
    try {
      const pair = await (secondFactor ? sessionAfterPassword(user.id, tenantId, client) : openSession(user.id, tenantId, client));
      await throttle.recordSuccess(account);
      return pair;
    } catch (error) {
      const code = (error as AppError).code;
      // The password was right: its counter clears; the second factor keeps a counter of its own.
      if (code === 'identity.second_factor_required') await throttle.recordSuccess(account);
      if (code !== 'identity.not_a_member') throw error;
      const { lockedSeconds } = await throttle.recordFailure(account, client.ip);
      await recordLoginFailure(user, undefined, client, { reason: 'not_a_member', lockedSeconds });
      throw invalidCredentials();
    }
  };

  return {
    openSession,
    sessionAfterPassword,
    loginWithinSession: (input, client) => passwordLogin(input, client, false),

    async signUp(input: SignUpInput, client: ClientInfo) {
      const email = String(input.email).normalize('NFC').trim();
      const name = String(input.name).normalize('NFC').trim();
      const errors: { pointer: string; detail: string }[] = [];
      if (!emailPattern.test(email) || email.length > 254) errors.push({ pointer: '/email', detail: 'an e-mail address' });
      if (name.length < 1 || name.length > 200) errors.push({ pointer: '/name', detail: '1 to 200 characters' });
      if (errors.length > 0) throw invalidSignUp(errors);
      // Password first: its reasons are the same for a known and an unknown address.
      const password = checkNewPassword(input.password);
      const passwordHash = await hashPassword(password);
      const emailNormalized = normalizeEmail(email);
      const existing = await findUserByEmail(db, emailNormalized);
      const tenantId = newId();
      const userId = newId();
      let rolledBack = false;
      try {
        await withTenant(db, { tenantId, userId }, async (tx) => {
          // A known address does the same work (and meets the same slug and name errors), then rolls
          // back: same status, same body, about the same time. Its owner learns of it by mail (below).
          await tenants.createTenant({ slug: input.tenant.slug, name: input.tenant.name, locale: input.locale ?? 'en' }, { id: tenantId, tx });
          const account = { tenantId, userId: existing?.id ?? userId, email, name, locale: input.locale ?? 'en' };
          if (!existing) {
            await insertUser(tx, { id: userId, email, emailNormalized, passwordHash, name, locale: account.locale, defaultTenantId: tenantId });
            await upsertMembership(tx, { id: newId(), tenantId, userId, role: ownerRole });
          }
          // The known address runs this too (and rolls it back), so both paths render and write alike.
          await events.record(tx, tenantId, { action: 'auth.signed_up', userId: account.userId }, client);
          await options.afterSignUp?.(tx, account, client);
          if (existing) throw rollbackSignUp;
        });
      } catch (error) {
        rolledBack = error === rollbackSignUp;
        // A concurrent sign-up with the same address won the race (a double submission, nearly always):
        // answer as for a known account, without a notice.
        if (!rolledBack && (error as { constraint?: string }).constraint !== 'identity_users_email_key') throw error;
      }
      // Not awaited: its own small transaction runs after the answer, so neither the answer nor its time differs.
      if (rolledBack && existing) void options.onKnownAddress?.(existing, client);
      return { status: 'accepted' as const };
    },

    login: (input: LoginInput, client: ClientInfo) => passwordLogin(input, client, true),

    async refresh(refreshToken: string, client: ClientInfo) {
      const { tenantId, secret } = parseRefreshToken(String(refreshToken));
      const next = randomBytes(32).toString('base64url');
      const outcome = await withTenant(db, { tenantId }, async (tx) => {
        const use = await consumeRefreshToken(tx, tenantId, hashRefreshSecret(secret));
        if (!use) return { kind: 'unknown' as const };
        if (use.reused) {
          // RFC 9700 §4.14.2: a rotated token presented again means it leaked; end the whole family.
          await revokeSession(tx, { tenantId, sessionId: use.sessionId }, 'refresh_token_reused');
          await events.record(tx, tenantId, { action: 'auth.refresh_token_reused', userId: use.userId, sessionId: use.sessionId, details: { sessionRevoked: true } }, client);
          return { kind: 'reused' as const, sessionId: use.sessionId };
        }
        if (!use.live) return { kind: 'unknown' as const };
        const role = await findRole(tx, tenantId, use.userId);
        if (!role) return { kind: 'unknown' as const };
        await insertRefreshToken(tx, { tenantId, id: newId(), sessionId: use.sessionId, hash: hashRefreshSecret(next) });
        return { kind: 'rotated' as const, sessionId: use.sessionId, userId: use.userId, role };
      });
      if (outcome.kind === 'reused') sessions.forget(tenantId, outcome.sessionId);
      if (outcome.kind !== 'rotated') throw invalidRefreshToken();
      return issue({ userId: outcome.userId, tenantId, sessionId: outcome.sessionId, roles: [outcome.role] }, `${tenantId}.${next}`);
    },

    async authenticate(token: string) {
      const claims = await tokens.verify(token);
      const cached = sessions.get(claims.tenantId, claims.sessionId) ?? (await checkSession(claims.tenantId, claims.sessionId, claims.userId));
      if (!cached || cached.userId !== claims.userId) throw invalidToken();
      return { ...claims, roles: cached.roles };
    },

    async logout(principal: Authenticated) {
      sessions.forget(principal.tenantId, principal.sessionId);
      await withTenant(db, { tenantId: principal.tenantId, userId: principal.userId }, async (tx) => {
        if (await revokeSession(tx, { tenantId: principal.tenantId, sessionId: principal.sessionId, userId: principal.userId }, 'logout')) {
          await events.record(tx, principal.tenantId, { action: 'auth.logged_out', userId: principal.userId, sessionId: principal.sessionId }, principal.client);
        }
      });
      // Evicted before and after: no node reuses the session once the revocation commits.
      sessions.forget(principal.tenantId, principal.sessionId);
    },

    async listSessions(principal: Authenticated) {
      const rows = await withTenant(db, { tenantId: principal.tenantId, userId: principal.userId }, (tx) => listLiveSessions(tx, principal.tenantId, principal.userId));
      return rows.map((row) => ({ ...row, current: row.id === principal.sessionId }));
    },

    async revokeSession(principal: Authenticated, sessionId: string) {
      if (!isUuid(sessionId)) throw sessionNotFound();
      const id = sessionId.toLowerCase();
      sessions.forget(principal.tenantId, id);
      const revoked = await withTenant(db, { tenantId: principal.tenantId, userId: principal.userId }, async (tx) => {
        const done = await revokeSession(tx, { tenantId: principal.tenantId, sessionId: id, userId: principal.userId }, 'revoked_by_user');
        if (done) await events.record(tx, principal.tenantId, { action: 'auth.session_revoked', userId: principal.userId, sessionId: id, details: { current: id === principal.sessionId } }, principal.client);
        return done;
      });
      if (!revoked) throw sessionNotFound();
      sessions.forget(principal.tenantId, id);
    },

    async switchTenant(principal: Authenticated, tenant: string, client: ClientInfo) {
      const tenantId = await tenantIdOf(tenant);
      if (!tenantId) throw notAMember();
      return openSession(principal.userId, tenantId, client, { action: 'auth.tenant_switched' });
    },

    async listTenants(principal: Authenticated) {
      // The user row points at the tenants (kept by a trigger on memberships); each membership and
      // role is read inside that tenant's withTenant, as login does with the default tenant.
      const listed: MemberTenant[] = [];
      for (const tenantId of (await findMembershipTenantIds(db, principal.userId)).slice(0, maxListedTenants)) {
        const tenant = await tenants.getTenant(tenantId).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'tenancy.tenant_not_found') return undefined;
          throw error;
        });
        if (!tenant || tenant.status !== 'active') continue;
        const role = await withTenant(db, { tenantId, userId: principal.userId }, (tx) => findRole(tx, tenantId, principal.userId));
        if (role) listed.push({ id: tenant.id, slug: tenant.slug, name: tenant.name, role, current: tenant.id === principal.tenantId });
      }
      return listed.sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug));
    },

    async addMembership(membership) {
      await withTenant(db, { tenantId: membership.tenantId }, (tx) => upsertMembership(tx, { id: newId(), ...membership }));
    },
  };
}
