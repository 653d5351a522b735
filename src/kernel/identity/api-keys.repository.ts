/** SQL of identity_api_keys; reached only through a TenantTx (RLS applies). */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

export interface ApiKeyRow {
  id: string;
  name: string;
  role: string;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const columns = sql`id, name, role, created_at as "createdAt", created_by as "createdBy", expires_at as "expiresAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export async function insertApiKey(
  tx: TenantTx,
  key: { tenantId: string; id: string; name: string; role: string; hash: Buffer; createdBy: string | null; expiresAt: Date | null },
): Promise<ApiKeyRow> {
  const result = await sql<ApiKeyRow>`insert into identity_api_keys (tenant_id, id, name, role, secret_hash, created_by, expires_at)
    values (${key.tenantId}, ${key.id}, ${key.name}, ${key.role}, ${key.hash}, ${key.createdBy}, ${key.expiresAt}) returning ${columns}`.execute(tx);
  return result.rows[0]!;
}

export async function listApiKeys(tx: TenantTx, tenantId: string): Promise<ApiKeyRow[]> {
  const result = await sql<ApiKeyRow>`select ${columns} from identity_api_keys where tenant_id = ${tenantId} order by created_at desc, id desc limit 1000`.execute(tx);
  return result.rows;
}

/** Revokes a live key; returns whether there was one. */
export async function revokeApiKey(tx: TenantTx, tenantId: string, id: string, by: string | null): Promise<boolean> {
  const result = await sql`update identity_api_keys set revoked_at = now(), revoked_by = ${by} where tenant_id = ${tenantId} and id = ${id} and revoked_at is null`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * The role of a live key whose secret hashes to `hash`, in one round trip; marks it used when its
 * last use is older than a minute (so a busy key writes at most once a minute, not per request).
 */
export async function useApiKey(tx: TenantTx, tenantId: string, id: string, hash: Buffer): Promise<string | undefined> {
  const result = await sql<{ role: string }>`
    with key as (
      select id, role, last_used_at from identity_api_keys
      where tenant_id = ${tenantId} and id = ${id} and secret_hash = ${hash} and revoked_at is null and (expires_at is null or expires_at > now())
    ), touched as (
      update identity_api_keys k set last_used_at = now() from key
      where k.tenant_id = ${tenantId} and k.id = key.id and (key.last_used_at is null or key.last_used_at < now() - interval '1 minute')
      returning k.id
    )
    select role from key`.execute(tx);
  return result.rows[0]?.role;
}
