/**
 * E-mail verification and e-mail change. Sign-up queues a verification mail in its own transaction,
 * and a fresh one can be asked for (the answer tells nothing about the address); a change of address
 * (current password required) mails a link to the *new* address and moves the account only when that
 * link is followed, so an address is never taken over without its mailbox; the old address is then
 * told. One endpoint consumes both kinds of link.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantTx } from '../db/index.ts';
import { maskAddress, type MailQueue } from '../mail/index.ts';
import type { Logger } from '../observability/index.ts';
import { newId } from '../shared/index.ts';
import { emailTaken, invalidEmail, invalidVerificationToken } from './account.errors.ts';
import { mailTenantOf } from './account-notices.ts';
import type { Authenticated, ClientInfo } from './identity.contract.ts';
import { findRole, findUserByEmail } from './identity.repository.ts';
import { normalizeEmail, type SignedUp } from './identity.service.ts';
import type { Reauthenticate } from './password-reset.ts';
import type { IdentityEvents } from './security-events.ts';
import { linkTo, newUserToken, parseUserToken } from './user-tokens.ts';
import {
  changeEmail,
  consumeUserToken,
  countRecentTokens,
  findUserById,
  insertUserToken,
  lockUser,
  markEmailVerified,
  spendOpenTokens,
  voidEarlierVerifications,
  type UserTokenPurpose,
} from './user-tokens.repository.ts';

export interface EmailVerificationOptions {
  db: Kysely<any>;
  mail: MailQueue | undefined;
  events: IdentityEvents;
  reauthenticate: Reauthenticate;
  linkBase: string;
  ttlSeconds: number;
  logger?: Logger | undefined;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** At most this many verification mails (the sign-up's included) per account in a window: a resend cannot flood a mailbox. */
const verificationMailLimit = { count: 3, windowSeconds: 3600 };

export function createEmailVerification(options: EmailVerificationOptions) {
  const { db, mail, events } = options;

  /** Writes a token and its mail in the caller's tenant transaction. */
  const sendLink = async (tx: TenantTx, target: { tenantId: string; userId: string; email: string; name: string; locale: string }, purpose: UserTokenPurpose) => {
    if (!mail) return;
    await spendOpenTokens(tx, target.tenantId, target.userId, purpose);
    const { token, hash } = newUserToken(target.tenantId);
    await insertUserToken(tx, { tenantId: target.tenantId, id: newId(), userId: target.userId, purpose, hash, email: target.email, ttlSeconds: options.ttlSeconds });
    await mail.queueMail(tx, { template: 'verification', to: target.email, locale: target.locale, data: { link: linkTo(options.linkBase, 'verify-email', token), name: target.name } });
  };

  /** A fresh link for an unverified account, in a tenant it belongs to; older links die in every tenant. */
  const resendLink = async (account: string, client: ClientInfo) => {
    const user = await findUserByEmail(db, account);
    if (!user) {
      await events.recordPlatform({ action: 'auth.email_verification_requested', userId: null, details: { reason: 'unknown_account' } }, client);
      return;
    }
    if (user.emailVerifiedAt || !mail) return;
    const tenantId = await mailTenantOf(db, user);
    if (!tenantId) return;
    await withTenant(db, { tenantId, userId: user.id }, async (tx) => {
      if (!(await findRole(tx, tenantId, user.id))) return;
      // Two resends at once would both count the same tokens: the second waits here for the first.
      await lockUser(tx, user.id);
      if ((await countRecentTokens(tx, tenantId, user.id, 'email_verification', verificationMailLimit.windowSeconds)) >= verificationMailLimit.count) return;
      await voidEarlierVerifications(tx, user.id);
      await sendLink(tx, { tenantId, userId: user.id, email: user.email, name: user.name, locale: user.locale }, 'email_verification');
      await events.record(tx, tenantId, { action: 'auth.email_verification_requested', userId: user.id }, client);
    });
  };

  return {
    /** In the sign-up transaction: the new account's verification mail. */
    afterSignUp: (tx: TenantTx, account: SignedUp) => sendLink(tx, account, 'email_verification'),

    /** Follows a verification or e-mail change link. */
    async verifyEmail(token: string, client: ClientInfo): Promise<void> {
      const parsed = parseUserToken(token);
      if (!parsed) throw invalidVerificationToken();
      const { tenantId } = parsed;
      const done = await withTenant(db, { tenantId }, async (tx) => {
        const used = await consumeUserToken(tx, tenantId, parsed.hash, ['email_verification', 'email_change']);
        if (!used) return false;
        const address = normalizeEmail(used.email);
        if (used.purpose === 'email_verification') {
          // A link to an address the user has left since, or one a resend replaced, verifies nothing.
          if (!(await markEmailVerified(tx, { tenantId, tokenId: used.id, userId: used.userId, emailNormalized: address }))) return false;
          await events.record(tx, tenantId, { action: 'auth.email_verified', userId: used.userId }, client);
          return true;
        }
        const before = await findUserById(tx, used.userId);
        const moved = await changeEmail(tx, used.userId, used.email, address).catch((error: unknown) => {
          if ((error as { constraint?: string }).constraint === 'identity_users_email_key') return false;
          throw error;
        });
        if (!moved) throw emailTaken();
        await events.record(tx, tenantId, { action: 'auth.email_changed', userId: used.userId }, client);
        // The address just left is told, in the same transaction: no change without its notice.
        if (before && mail) {
          const data = { link: linkTo(options.linkBase, 'login'), newAddress: maskAddress(used.email), name: before.name };
          await mail.queueMail(tx, { template: 'email_changed', to: before.email, locale: before.locale, data });
        }
        return true;
      });
      if (!done) throw invalidVerificationToken();
    },

    /** Answers at once, for any address; a fresh link goes out after the answer, when the account exists and is unverified (throttled). */
    requestVerificationResend(email: string, client: ClientInfo): { status: 'accepted' } {
      const account = normalizeEmail(String(email)).slice(0, 320);
      void resendLink(account, client).catch((error: unknown) => options.logger?.error({ err: error }, 'verification resend failed'));
      return { status: 'accepted' };
    },

    /** Mails a confirmation link to the new address; answers alike whether the address is free or not. */
    async requestEmailChange(principal: Authenticated, input: { currentPassword: string; newEmail: string }, client: ClientInfo): Promise<{ status: 'accepted' }> {
      const email = String(input.newEmail).normalize('NFC').trim();
      if (!emailPattern.test(email) || email.length > 254) throw invalidEmail();
      const user = await findUserById(db, principal.userId);
      await options.reauthenticate(user, input.currentPassword, principal, client);
      if (!user || normalizeEmail(email) === user.emailNormalized) return { status: 'accepted' };
      await withTenant(db, { tenantId: principal.tenantId, userId: user.id }, async (tx) => {
        await sendLink(tx, { tenantId: principal.tenantId, userId: user.id, email, name: user.name, locale: user.locale }, 'email_change');
        await events.record(tx, principal.tenantId, { action: 'auth.email_change_requested', userId: user.id, sessionId: principal.sessionId }, client);
      });
      return { status: 'accepted' };
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;
