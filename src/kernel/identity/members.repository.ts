/** SQL of tenant members: memberships (RLS) joined with the global identities they belong to. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: string;
  createdAt: Date;
  updatedAt: Date;
}

const columns = sql`m.user_id as "userId", u.email, u.name, m.role, m.created_at as "createdAt", m.updated_at as "updatedAt"`;

export async function listMembers(tx: TenantTx, tenantId: string): Promise<MemberRow[]> {
  const result = await sql<MemberRow>`select ${columns} from identity_memberships m join identity_users u on u.id = m.user_id
    where m.tenant_id = ${tenantId} order by m.created_at, m.id limit 1000`.execute(tx);
  return result.rows;
}

/** The member's role, with the owners' rows locked: two concurrent demotions cannot remove the last owner. */
export async function lockMemberRoles(tx: TenantTx, tenantId: string, userId: string): Promise<{ role: string | undefined; owners: number }> {
  const result = await sql<{ userId: string; role: string }>`select user_id as "userId", role from identity_memberships
    where tenant_id = ${tenantId} and (user_id = ${userId} or role = 'owner') order by id for update`.execute(tx);
  return { role: result.rows.find((row) => row.userId === userId)?.role, owners: result.rows.filter((row) => row.role === 'owner').length };
}

export async function setMemberRole(tx: TenantTx, tenantId: string, userId: string, role: string): Promise<MemberRow | undefined> {
  const result = await sql<MemberRow>`with changed as (
      update identity_memberships set role = ${role}, updated_at = now() where tenant_id = ${tenantId} and user_id = ${userId} returning *
    ) select ${columns} from changed m join identity_users u on u.id = m.user_id`.execute(tx);
  return result.rows[0];
}

/** Deletes the membership and revokes the user's live sessions in this tenant, in the caller's transaction. */
export async function removeMember(tx: TenantTx, tenantId: string, userId: string): Promise<boolean> {
  const result = await sql`delete from identity_memberships where tenant_id = ${tenantId} and user_id = ${userId}`.execute(tx);
  if (Number(result.numAffectedRows ?? 0) === 0) return false;
  await sql`update identity_sessions set revoked_at = now(), revoked_reason = 'member_removed'
    where tenant_id = ${tenantId} and user_id = ${userId} and revoked_at is null`.execute(tx);
  // A login without a tenant must not aim at a tenant the user has left.
  await sql`update identity_users set default_tenant_id = null where id = ${userId} and default_tenant_id = ${tenantId}`.execute(tx);
  return true;
}
