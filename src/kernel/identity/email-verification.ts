/**
 * E-mail verification and e-mail change. Sign-up queues a verification mail in its own transaction;
 * a change of address (current password required) mails a link to the *new* address and moves the
 * account only when that link is followed, so an address is never taken over without its mailbox.
 * One endpoint consumes both kinds of link.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantTx } from '../db/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { newId } from '../shared/index.ts';
import { emailTaken, invalidEmail, invalidVerificationToken } from './account.errors.ts';
import type { Authenticated, ClientInfo } from './identity.contract.ts';
import { normalizeEmail, type SignedUp } from './identity.service.ts';
import type { Reauthenticate } from './password-reset.ts';
import type { IdentityEvents } from './security-events.ts';
import { linkTo, newUserToken, parseUserToken } from './user-tokens.ts';
import { changeEmail, consumeUserToken, findUserById, insertUserToken, markEmailVerified, spendOpenTokens, type UserTokenPurpose } from './user-tokens.repository.ts';

export interface EmailVerificationOptions {
  db: Kysely<any>;
  mail: MailQueue | undefined;
  events: IdentityEvents;
  reauthenticate: Reauthenticate;
  linkBase: string;
  ttlSeconds: number;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
          // A link to an address the user has left since verifies nothing.
          if (!(await markEmailVerified(tx, used.userId, address))) return false;
          await events.record(tx, tenantId, { action: 'auth.email_verified', userId: used.userId }, client);
          return true;
        }
        const moved = await changeEmail(tx, used.userId, used.email, address).catch((error: unknown) => {
          if ((error as { constraint?: string }).constraint === 'identity_users_email_key') return false;
          throw error;
        });
        if (!moved) throw emailTaken();
        await events.record(tx, tenantId, { action: 'auth.email_changed', userId: used.userId }, client);
        return true;
      });
      if (!done) throw invalidVerificationToken();
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
