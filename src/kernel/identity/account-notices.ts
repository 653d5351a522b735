/**
 * Notices to the owner of an account about something done with its address by someone who may not
 * be them: a sign-up with an address that already has an account. Queued through the outbox of a
 * tenant the user belongs to (membership checked under that tenant's RLS), like every identity mail.
 */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Logger } from '../observability/index.ts';
import type { ClientInfo } from './identity.contract.ts';
import { findMembershipTenantIds, findRole, type UserRow } from './identity.repository.ts';
import type { IdentityEvents } from './security-events.ts';
import { linkTo } from './user-tokens.ts';
import { claimAccountExistsNotice } from './user-tokens.repository.ts';

export interface AccountNoticeOptions {
  db: Kysely<any>;
  mail: MailQueue | undefined;
  events: IdentityEvents;
  linkBase: string;
  logger?: Logger | undefined;
}

/** At most one account-exists notice per account (so per address) an hour: sign-ups cannot flood a mailbox. */
const accountExistsNoticeSeconds = 3600;

/** The tenant whose outbox carries a mail to the user: the default one, else the first they joined (the caller checks the membership). */
export async function mailTenantOf(db: Kysely<any>, user: Pick<UserRow, 'id' | 'defaultTenantId'>): Promise<string | undefined> {
  return user.defaultTenantId ?? (await findMembershipTenantIds(db, user.id))[0];
}

export function createAccountNotices(options: AccountNoticeOptions) {
  const { db, mail, events, linkBase, logger } = options;

  const queueAccountExists = async (user: UserRow, client: ClientInfo) => {
    const tenantId = await mailTenantOf(db, user);
    if (!tenantId || !mail) return;
    await withTenant(db, { tenantId, userId: user.id }, async (tx) => {
      if (!(await findRole(tx, tenantId, user.id))) return;
      // Claimed in the transaction that queues the mail: a failed queue leaves the hour unclaimed.
      if (!(await claimAccountExistsNotice(tx, user.id, accountExistsNoticeSeconds))) return;
      const data = { link: linkTo(linkBase, 'login'), resetLink: linkTo(linkBase, 'reset-password'), name: user.name };
      await mail.queueMail(tx, { template: 'account_exists', to: user.email, locale: user.locale, data });
      await events.record(tx, tenantId, { action: 'auth.account_exists_notified', userId: user.id }, client);
    });
  };

  return {
    /**
     * After a sign-up with the address of an existing account has been rolled back: tells the owner.
     * Runs off the request's path (the caller does not wait), so the answer and its time are those of
     * any sign-up; never rejects (failures are logged).
     */
    noticeAccountExists(user: UserRow, client: ClientInfo): Promise<void> {
      return queueAccountExists(user, client).catch((error: unknown) => logger?.error({ err: error }, 'account-exists notice failed'));
    },
  };
}

export type AccountNotices = ReturnType<typeof createAccountNotices>;
