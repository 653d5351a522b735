/** SQL of the purge of spent secrets. Each function deletes in one tenant's transaction, with the cutoffs the caller gives. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);

/** Mailed tokens that can no longer be used (used or expired) and were issued before `issuedBefore`. */
export async function deleteSpentUserTokens(tx: TenantTx, tenantId: string, cutoffs: { now: Date; issuedBefore: Date }): Promise<number> {
  return count(await sql`delete from identity_user_tokens
    where tenant_id = ${tenantId} and created_at < ${cutoffs.issuedBefore} and (used_at is not null or expires_at <= ${cutoffs.now})`.execute(tx));
}

/** Invitations accepted, revoked or expired before `endedBefore`. */
export async function deleteEndedInvitations(tx: TenantTx, tenantId: string, endedBefore: Date): Promise<number> {
  return count(await sql`delete from identity_invitations
    where tenant_id = ${tenantId} and (accepted_at < ${endedBefore} or revoked_at < ${endedBefore} or (accepted_at is null and revoked_at is null and expires_at < ${endedBefore}))`.execute(tx));
}

/** Sessions revoked, expired, or ended by the user's `sessions_not_before`, before `endedBefore`. */
const endedSessions = (tenantId: string, endedBefore: Date) => sql`select s.id from identity_sessions s join identity_users u on u.id = s.user_id
  where s.tenant_id = ${tenantId} and (s.revoked_at < ${endedBefore} or s.expires_at < ${endedBefore}
    or (u.sessions_not_before < ${endedBefore} and s.created_at < u.sessions_not_before))`;

/** Ended sessions and their refresh tokens, and refresh tokens of other sessions used before `endedBefore`. */
export async function deleteEndedSessions(tx: TenantTx, tenantId: string, endedBefore: Date): Promise<{ sessions: number; refreshTokens: number }> {
  // Tokens first (the foreign key would cascade them uncounted).
  const refreshTokens = count(await sql`delete from identity_refresh_tokens
    where tenant_id = ${tenantId} and (used_at < ${endedBefore} or session_id in (${endedSessions(tenantId, endedBefore)}))`.execute(tx));
  const sessions = count(await sql`delete from identity_sessions where tenant_id = ${tenantId} and id in (${endedSessions(tenantId, endedBefore)})`.execute(tx));
  return { sessions, refreshTokens };
}
