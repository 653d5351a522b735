/** SQL of the single-use mail tokens (identity_user_tokens, RLS) and the user-row changes they lead to. */
import { sql, type Kysely } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { UserRow } from './identity.repository.ts';

export type UserTokenPurpose = 'email_verification' | 'email_change' | 'password_reset';

export async function insertUserToken(
  tx: TenantTx,
  token: { tenantId: string; id: string; userId: string; purpose: UserTokenPurpose; hash: Buffer; email: string; ttlSeconds: number },
): Promise<void> {
  await sql`insert into identity_user_tokens (tenant_id, id, user_id, purpose, token_hash, email, expires_at)
    values (${token.tenantId}, ${token.id}, ${token.userId}, ${token.purpose}, ${token.hash}, ${token.email}, now() + make_interval(secs => ${token.ttlSeconds}))`.execute(tx);
}

export interface ConsumedToken {
  id: string;
  userId: string;
  purpose: UserTokenPurpose;
  email: string;
}

/** Spends a live token of one of the purposes, atomically: of two concurrent uses, one wins. */
export async function consumeUserToken(tx: TenantTx, tenantId: string, hash: Buffer, purposes: readonly UserTokenPurpose[]): Promise<ConsumedToken | undefined> {
  const result = await sql<ConsumedToken>`update identity_user_tokens set used_at = now()
    where tenant_id = ${tenantId} and token_hash = ${hash} and purpose = any(${[...purposes]}::text[]) and used_at is null and expires_at > now()
    returning id, user_id as "userId", purpose, email`.execute(tx);
  return result.rows[0];
}

/** Voids the user's other open tokens of a purpose in this tenant (a newer link, or the flow is done). */
export async function spendOpenTokens(tx: TenantTx, tenantId: string, userId: string, purpose: UserTokenPurpose): Promise<void> {
  await sql`update identity_user_tokens set used_at = now() where tenant_id = ${tenantId} and user_id = ${userId} and purpose = ${purpose} and used_at is null`.execute(tx);
}

/** Tokens of a purpose issued to the user in this tenant within the last `seconds` (mail-bombing guard). */
export async function countRecentTokens(tx: TenantTx, tenantId: string, userId: string, purpose: UserTokenPurpose, seconds: number): Promise<number> {
  const result = await sql<{ count: string }>`select count(*) as count from identity_user_tokens
    where tenant_id = ${tenantId} and user_id = ${userId} and purpose = ${purpose} and created_at > now() - make_interval(secs => ${seconds})`.execute(tx);
  return Number(result.rows[0]?.count ?? 0);
}

const userColumns = sql`id, email, email_normalized as "emailNormalized", email_verified_at as "emailVerifiedAt", name, locale, created_at as "createdAt", password_hash as "passwordHash", default_tenant_id as "defaultTenantId"`;

export type UserRecord = UserRow & { emailNormalized: string };

export async function findUserById(db: Kysely<any>, id: string): Promise<UserRecord | undefined> {
  const result = await sql<UserRecord & { emailVerifiedAt: Date | null; createdAt: Date }>`select ${userColumns} from identity_users where id = ${id}`.execute(db);
  const row = result.rows[0];
  return row && { ...row, emailVerifiedAt: row.emailVerifiedAt ? new Date(row.emailVerifiedAt).toISOString() : null, createdAt: new Date(row.createdAt).toISOString() };
}

/**
 * Marks the address verified if it is still the user's and the verification token (of this tenant) was
 * issued no earlier than the user's `email_verification_not_before` (a resend voids older links in
 * every tenant); returns whether it was. Compared in SQL: the database keeps microseconds.
 */
export async function markEmailVerified(tx: TenantTx, by: { tenantId: string; tokenId: string; userId: string; emailNormalized: string }): Promise<boolean> {
  const result = await sql`update identity_users u set email_verified_at = coalesce(email_verified_at, now()), updated_at = now(), version = version + 1
    where u.id = ${by.userId} and u.email_normalized = ${by.emailNormalized}
      and (u.email_verification_not_before is null
        or u.email_verification_not_before <= (select t.created_at from identity_user_tokens t where t.tenant_id = ${by.tenantId} and t.id = ${by.tokenId}))`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Locks the user's row until the transaction ends: mail throttles that count recent tokens then see every earlier commit. */
export async function lockUser(tx: TenantTx, userId: string): Promise<void> {
  await sql`select 1 from identity_users where id = ${userId} for update`.execute(tx);
}

/** Voids the user's verification links issued before now, in every tenant (a resend issues the one that counts). */
export async function voidEarlierVerifications(tx: TenantTx, userId: string): Promise<void> {
  await sql`update identity_users set email_verification_not_before = now() where id = ${userId}`.execute(tx);
}

/**
 * Claims the account-exists notice of a user: true (and the time recorded) when none was sent within
 * `seconds`. One statement, so of two concurrent claims one wins.
 */
export async function claimAccountExistsNotice(tx: TenantTx, userId: string, seconds: number): Promise<boolean> {
  const result = await sql`update identity_users set account_exists_notice_at = now()
    where id = ${userId} and (account_exists_notice_at is null or account_exists_notice_at <= now() - make_interval(secs => ${seconds}))`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Sets a new password and ends every session opened before now, in every tenant (sessions_not_before). */
export async function setPassword(tx: TenantTx, userId: string, passwordHash: string, options: { verifyEmail?: string } = {}): Promise<void> {
  // A reset proves control of the mailbox: the address counts as verified if it is still the one the link went to.
  const verify = options.verifyEmail ? sql`case when email_normalized = ${options.verifyEmail} then coalesce(email_verified_at, now()) else email_verified_at end` : sql`email_verified_at`;
  await sql`update identity_users set password_hash = ${passwordHash}, sessions_not_before = now(), email_verified_at = ${verify}, updated_at = now(), version = version + 1
    where id = ${userId}`.execute(tx);
}

/** Moves the user to a new, verified address; false if another account holds it. */
export async function changeEmail(tx: TenantTx, userId: string, email: string, emailNormalized: string): Promise<boolean> {
  const result = await sql`update identity_users set email = ${email}, email_normalized = ${emailNormalized}, email_verified_at = now(), updated_at = now(), version = version + 1
    where id = ${userId} and not exists (select 1 from identity_users other where other.email_normalized = ${emailNormalized} and other.id <> ${userId})`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}
