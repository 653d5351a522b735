/**
 * Password reset, password change and re-authentication. A reset answers the same at once for any
 * address (the lookup, token and mail run after the answer), mails a single-use link that expires
 * within the hour, and its use sets `sessions_not_before`: every session of the user, in every
 * tenant, dies at once. Login throttling never applies here, and a completed reset clears it, so a
 * lockout cannot keep the owner of the mailbox out.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantTx } from '../db/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Logger } from '../observability/index.ts';
import { newId } from '../shared/index.ts';
import { invalidResetToken, reauthenticationFailed } from './account.errors.ts';
import type { Authenticated, ClientInfo, IdentityService, TokenPair } from './identity.contract.ts';
import { invalidToken } from './identity.errors.ts';
import { findRole, findUserByEmail, type UserRow } from './identity.repository.ts';
import { normalizeEmail } from './identity.service.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { checkNewPassword, normalizePassword } from './password-policy.ts';
import type { IdentityEvents } from './security-events.ts';
import type { SessionCache } from './session-cache.ts';
import { linkTo, newUserToken, parseUserToken } from './user-tokens.ts';
import { consumeUserToken, countRecentTokens, findUserById, insertUserToken, lockUser, setPassword, spendOpenTokens, type UserRecord } from './user-tokens.repository.ts';

export interface PasswordResetOptions {
  db: Kysely<any>;
  mail: MailQueue | undefined;
  events: IdentityEvents;
  throttle: LoginThrottle;
  sessions: SessionCache;
  login: IdentityService['login'];
  linkBase: string;
  ttlSeconds: number;
  logger?: Logger | undefined;
}

/** Checks the current password of a signed-in user (throttled like a login); throws identity.reauthentication_failed. */
export type Reauthenticate = (user: UserRecord | undefined, password: string, principal: Authenticated, client: ClientInfo) => Promise<void>;

/** At most one reset mail per account per minute: a flood of requests cannot flood a mailbox. */
const resetCooldownSeconds = 60;

export function createPasswordReset(options: PasswordResetOptions) {
  const { db, mail, events, throttle, sessions } = options;

  const sendResetLink = async (account: string, client: ClientInfo) => {
    const user = await findUserByEmail(db, account);
    const tenantId = user?.defaultTenantId;
    if (!user || !tenantId || !mail) {
      await events.recordPlatform({ action: 'auth.password_reset_requested', userId: user?.id ?? null, details: { reason: user ? 'no_tenant' : 'unknown_account' } }, client);
      return;
    }
    await withTenant(db, { tenantId, userId: user.id }, async (tx) => {
      // The mail lives in this tenant's outbox: only while the user is still a member of it.
      if (!(await findRole(tx, tenantId, user.id))) return;
      // Two requests at once would both count the same tokens: the second waits here for the first.
      await lockUser(tx, user.id);
      if ((await countRecentTokens(tx, tenantId, user.id, 'password_reset', resetCooldownSeconds)) > 0) return;
      await spendOpenTokens(tx, tenantId, user.id, 'password_reset');
      const { token, hash } = newUserToken(tenantId);
      await insertUserToken(tx, { tenantId, id: newId(), userId: user.id, purpose: 'password_reset', hash, email: user.email, ttlSeconds: options.ttlSeconds });
      const link = linkTo(options.linkBase, 'reset-password', token);
      await mail.queueMail(tx, { template: 'password_reset', to: user.email, locale: user.locale, data: { link, expiresInMinutes: Math.floor(options.ttlSeconds / 60), name: user.name } });
      await events.record(tx, tenantId, { action: 'auth.password_reset_requested', userId: user.id }, client);
    });
  };

  const reauthenticate: Reauthenticate = async (user, password, principal, client) => {
    if (!user) throw invalidToken();
    await throttle.check(user.emailNormalized, client.ip);
    if (await verifyPassword(user.passwordHash, normalizePassword(String(password)))) {
      await throttle.recordSuccess(user.emailNormalized);
      return;
    }
    const { lockedSeconds } = await throttle.recordFailure(user.emailNormalized, client.ip);
    await withTenant(db, { tenantId: principal.tenantId, userId: user.id }, async (tx) => {
      await events.record(tx, principal.tenantId, { action: 'auth.login_failed', userId: user.id, sessionId: principal.sessionId, details: { reason: 'reauthentication' } }, client);
      if (lockedSeconds) await events.record(tx, principal.tenantId, { action: 'auth.lockout_started', userId: user.id, details: { lockedSeconds } }, client);
    });
    throw reauthenticationFailed();
  };

  return {
    reauthenticate,

    /** Answers at once, for any address; the work runs after the answer so its time tells nothing. */
    requestPasswordReset(email: string, client: ClientInfo): { status: 'accepted' } {
      const account = normalizeEmail(String(email)).slice(0, 320);
      void sendResetLink(account, client).catch((error: unknown) => options.logger?.error({ err: error }, 'password reset request failed'));
      return { status: 'accepted' };
    },

    /** Sets the new password (policy applies) and ends every session of the user, in every tenant. */
    async confirmPasswordReset(token: string, password: string, client: ClientInfo): Promise<void> {
      const parsed = parseUserToken(token);
      if (!parsed) throw invalidResetToken();
      // The policy first: a refused password leaves the link usable.
      const passwordHash = await hashPassword(checkNewPassword(password));
      const { tenantId } = parsed;
      const user = await withTenant(db, { tenantId }, async (tx) => {
        const used = await consumeUserToken(tx, tenantId, parsed.hash, ['password_reset']);
        const found = used && (await findUserById(tx, used.userId));
        // A link to an address the user has left since resets nothing.
        if (!used || !found || found.emailNormalized !== normalizeEmail(used.email)) return undefined;
        await setPassword(tx, found.id, passwordHash, { verifyEmail: found.emailNormalized });
        await events.record(tx, tenantId, { action: 'auth.password_reset_completed', userId: found.id, details: { sessionsRevoked: true } }, client);
        return found;
      });
      if (!user) throw invalidResetToken();
      sessions.forgetUser(user.id);
      await throttle.recordSuccess(user.emailNormalized);
    },

    /** Re-authenticates, sets the new password, ends every session, and answers with a fresh pair for this tenant. */
    async changePassword(principal: Authenticated, input: { currentPassword: string; newPassword: string }, client: ClientInfo): Promise<TokenPair> {
      const user = await findUserById(db, principal.userId);
      await reauthenticate(user, input.currentPassword, principal, client);
      const passwordHash = await hashPassword(checkNewPassword(input.newPassword));
      await withTenant(db, { tenantId: principal.tenantId, userId: principal.userId }, async (tx) => {
        await setPassword(tx, principal.userId, passwordHash);
        await events.record(tx, principal.tenantId, { action: 'auth.password_changed', userId: principal.userId, sessionId: principal.sessionId, details: { sessionsRevoked: true } }, client);
      });
      sessions.forgetUser(principal.userId);
      return options.login({ email: user!.email, password: input.newPassword, tenant: principal.tenantId }, client);
    },

    /** In the failed login's transaction: tells the owner, with the way out (a reset). */
    async queueLockoutNotice(tx: TenantTx, user: UserRow, lockedSeconds: number): Promise<void> {
      await mail?.queueMail(tx, { template: 'lockout', to: user.email, locale: user.locale, data: { link: linkTo(options.linkBase, 'reset-password'), lockedMinutes: Math.ceil(lockedSeconds / 60), name: user.name } });
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
