/** SQL of invitations (identity_invitations, RLS). Every function takes the tenant transaction. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

export interface InvitationRow {
  id: string;
  email: string;
  emailNormalized: string;
  role: string;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
}

const columns = sql`id, email, email_normalized as "emailNormalized", role, invited_by as "invitedBy", created_at as "createdAt", expires_at as "expiresAt",
  accepted_at as "acceptedAt", accepted_by as "acceptedBy", revoked_at as "revokedAt"`;

export async function insertInvitation(
  tx: TenantTx,
  row: { tenantId: string; id: string; email: string; emailNormalized: string; role: string; hash: Buffer; invitedBy: string | null; ttlSeconds: number },
): Promise<InvitationRow> {
  const result = await sql<InvitationRow>`insert into identity_invitations (tenant_id, id, email, email_normalized, role, token_hash, invited_by, expires_at)
    values (${row.tenantId}, ${row.id}, ${row.email}, ${row.emailNormalized}, ${row.role}, ${row.hash}, ${row.invitedBy}, now() + make_interval(secs => ${row.ttlSeconds}))
    returning ${columns}`.execute(tx);
  return result.rows[0]!;
}

/** Revokes the open invitation of an address (a new one replaces it); returns its id. */
export async function revokeOpenInvitationOf(tx: TenantTx, tenantId: string, emailNormalized: string, by: string | null): Promise<string | undefined> {
  const result = await sql<{ id: string }>`update identity_invitations set revoked_at = now(), revoked_by = ${by}
    where tenant_id = ${tenantId} and email_normalized = ${emailNormalized} and accepted_at is null and revoked_at is null returning id`.execute(tx);
  return result.rows[0]?.id;
}

/** Pending (open, unexpired) invitations first, newest first; at most 1,000. */
export async function listInvitations(tx: TenantTx, tenantId: string): Promise<InvitationRow[]> {
  const result = await sql<InvitationRow>`select ${columns} from identity_invitations where tenant_id = ${tenantId}
    order by (accepted_at is null and revoked_at is null and expires_at > now()) desc, created_at desc, id limit 1000`.execute(tx);
  return result.rows;
}

/** Revokes an open invitation; undefined when there is none with this id (accepted, revoked, unknown). */
export async function revokeInvitation(tx: TenantTx, tenantId: string, id: string, by: string | null): Promise<InvitationRow | undefined> {
  const result = await sql<InvitationRow>`update identity_invitations set revoked_at = now(), revoked_by = ${by}
    where tenant_id = ${tenantId} and id = ${id} and accepted_at is null and revoked_at is null returning ${columns}`.execute(tx);
  return result.rows[0];
}

/** The live invitation of a token hash (open, unexpired); with `lock`, locked until the transaction ends: of two concurrent accepts, one wins. */
export async function findLiveInvitation(tx: TenantTx, tenantId: string, hash: Buffer, lock: boolean): Promise<InvitationRow | undefined> {
  const result = await sql<InvitationRow>`select ${columns} from identity_invitations
    where tenant_id = ${tenantId} and token_hash = ${hash} and accepted_at is null and revoked_at is null and expires_at > now() ${lock ? sql`for update` : sql``}`.execute(tx);
  return result.rows[0];
}

export async function markAccepted(tx: TenantTx, tenantId: string, id: string, userId: string): Promise<void> {
  await sql`update identity_invitations set accepted_at = now(), accepted_by = ${userId} where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

/** Whether an account with this address is already a member of the tenant. */
export async function isMemberByEmail(tx: TenantTx, tenantId: string, emailNormalized: string): Promise<boolean> {
  const result = await sql`select 1 from identity_memberships m join identity_users u on u.id = m.user_id
    where m.tenant_id = ${tenantId} and u.email_normalized = ${emailNormalized}`.execute(tx);
  return result.rows.length > 0;
}

/** The account of an invited address: verified, since following the link proved the mailbox. */
export async function insertInvitedUser(tx: TenantTx, user: { id: string; email: string; emailNormalized: string; passwordHash: string; name: string; locale: string; tenantId: string }): Promise<void> {
  await sql`insert into identity_users (id, email, email_normalized, email_verified_at, password_hash, name, locale, default_tenant_id)
    values (${user.id}, ${user.email}, ${user.emailNormalized}, now(), ${user.passwordHash}, ${user.name}, ${user.locale}, ${user.tenantId})`.execute(tx);
}
