/** SQL of the identity tables. Tenant tables are reached only through a TenantTx (RLS applies). */
import { sql, type Kysely } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { SessionInfo, User } from './identity.contract.ts';

export interface UserRow extends User {
  passwordHash: string | null;
  defaultTenantId: string | null;
}

const userColumns = sql`id, email, email_verified_at as "emailVerifiedAt", name, locale, created_at as "createdAt", password_hash as "passwordHash", default_tenant_id as "defaultTenantId"`;
const iso = (value: Date | null) => (value ? value.toISOString() : null);
/** A session `s` of user `u` opened before the user's `sessions_not_before` (password reset or change) is dead in every tenant. */
const openedAfterNotBefore = sql`(u.sessions_not_before is null or s.created_at >= u.sessions_not_before)`;

export async function findUserByEmail(db: Kysely<any>, emailNormalized: string): Promise<UserRow | undefined> {
  const result = await sql<UserRow & { emailVerifiedAt: Date | null; createdAt: Date }>`select ${userColumns} from identity_users where email_normalized = ${emailNormalized}`.execute(db);
  const row = result.rows[0];
  return row && { ...row, emailVerifiedAt: iso(row.emailVerifiedAt as unknown as Date | null), createdAt: iso(row.createdAt as unknown as Date)! };
}

export async function insertUser(tx: TenantTx, user: { id: string; email: string; emailNormalized: string; passwordHash: string; name: string; locale: string; defaultTenantId: string }): Promise<void> {
  await sql`insert into identity_users (id, email, email_normalized, password_hash, name, locale, default_tenant_id)
    values (${user.id}, ${user.email}, ${user.emailNormalized}, ${user.passwordHash}, ${user.name}, ${user.locale}, ${user.defaultTenantId})`.execute(tx);
}

export async function setDefaultTenant(db: Kysely<any>, userId: string, tenantId: string): Promise<void> {
  await sql`update identity_users set default_tenant_id = ${tenantId} where id = ${userId} and default_tenant_id is distinct from ${tenantId}`.execute(db);
}

/** The tenants the user has (or recently had) a membership in: pointers to check under each tenant's RLS, never proof. */
export async function findMembershipTenantIds(db: Kysely<any>, userId: string): Promise<string[]> {
  const result = await sql<{ ids: string[] }>`select membership_tenant_ids as ids from identity_users where id = ${userId}`.execute(db);
  return result.rows[0]?.ids ?? [];
}

export async function upsertMembership(tx: TenantTx, membership: { id: string; tenantId: string; userId: string; role: string }): Promise<void> {
  await sql`insert into identity_memberships (tenant_id, id, user_id, role) values (${membership.tenantId}, ${membership.id}, ${membership.userId}, ${membership.role})
    on conflict (tenant_id, user_id) do update set role = excluded.role, updated_at = now()`.execute(tx);
}

export async function findRole(tx: TenantTx, tenantId: string, userId: string): Promise<string | undefined> {
  const result = await sql<{ role: string }>`select role from identity_memberships where tenant_id = ${tenantId} and user_id = ${userId}`.execute(tx);
  return result.rows[0]?.role;
}

export async function insertSession(tx: TenantTx, session: { tenantId: string; id: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null }): Promise<void> {
  await sql`insert into identity_sessions (tenant_id, id, user_id, expires_at, ip, user_agent)
    values (${session.tenantId}, ${session.id}, ${session.userId}, ${session.expiresAt}, ${session.ip}, ${session.userAgent})`.execute(tx);
}

export async function insertRefreshToken(tx: TenantTx, token: { tenantId: string; id: string; sessionId: string; hash: Buffer }): Promise<void> {
  await sql`insert into identity_refresh_tokens (tenant_id, id, session_id, token_hash) values (${token.tenantId}, ${token.id}, ${token.sessionId}, ${token.hash})`.execute(tx);
}

export interface RefreshUse {
  sessionId: string;
  userId: string;
  /** The token had been used before: reuse, the family must be revoked. */
  reused: boolean;
  live: boolean;
}

/** Marks a refresh token used, atomically: of two concurrent uses exactly one sees `reused: false`. */
export async function consumeRefreshToken(tx: TenantTx, tenantId: string, hash: Buffer): Promise<RefreshUse | undefined> {
  const result = await sql<{ sessionId: string; userId: string; reused: boolean; live: boolean }>`
    with token as (select id, session_id, used_at from identity_refresh_tokens where tenant_id = ${tenantId} and token_hash = ${hash} for update),
    used as (update identity_refresh_tokens r set used_at = now() from token where r.tenant_id = ${tenantId} and r.id = token.id and token.used_at is null returning r.id)
    select token.session_id as "sessionId", s.user_id as "userId", token.used_at is not null as reused,
           (s.revoked_at is null and s.expires_at > now() and ${openedAfterNotBefore}) as live
    from token join identity_sessions s on s.tenant_id = ${tenantId} and s.id = token.session_id
    join identity_users u on u.id = s.user_id`.execute(tx);
  return result.rows[0];
}

export interface SessionState {
  userId: string;
  role: string | null;
  live: boolean;
}

/** The session with its user's current role in the tenant (no membership: role null). */
export async function findSessionState(tx: TenantTx, tenantId: string, sessionId: string): Promise<SessionState | undefined> {
  const result = await sql<SessionState>`
    select s.user_id as "userId", m.role, (s.revoked_at is null and s.expires_at > now() and ${openedAfterNotBefore}) as live
    from identity_sessions s left join identity_memberships m on m.tenant_id = s.tenant_id and m.user_id = s.user_id
    join identity_users u on u.id = s.user_id
    where s.tenant_id = ${tenantId} and s.id = ${sessionId}`.execute(tx);
  return result.rows[0];
}

export async function touchSession(tx: TenantTx, tenantId: string, sessionId: string): Promise<void> {
  await sql`update identity_sessions set last_used_at = now() where tenant_id = ${tenantId} and id = ${sessionId}`.execute(tx);
}

/** Revokes one session of a user; returns whether it existed and was live. */
export async function revokeSession(tx: TenantTx, by: { tenantId: string; sessionId: string; userId?: string }, reason: string): Promise<boolean> {
  const owner = by.userId ? sql`and user_id = ${by.userId}` : sql``;
  const result = await sql`update identity_sessions set revoked_at = now(), revoked_reason = ${reason}
    where tenant_id = ${by.tenantId} and id = ${by.sessionId} ${owner} and revoked_at is null`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export async function listLiveSessions(tx: TenantTx, tenantId: string, userId: string): Promise<Omit<SessionInfo, 'current'>[]> {
  const result = await sql<{ id: string; tenantId: string; createdAt: Date; lastUsedAt: Date; expiresAt: Date; ip: string | null; userAgent: string | null }>`
    select s.id, s.tenant_id as "tenantId", s.created_at as "createdAt", s.last_used_at as "lastUsedAt", s.expires_at as "expiresAt", s.ip, s.user_agent as "userAgent"
    from identity_sessions s join identity_users u on u.id = s.user_id
    where s.tenant_id = ${tenantId} and s.user_id = ${userId} and s.revoked_at is null and s.expires_at > now() and ${openedAfterNotBefore}
    order by s.created_at desc limit 200`.execute(tx);
  return result.rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt.toISOString(), expiresAt: row.expiresAt.toISOString() }));
}
