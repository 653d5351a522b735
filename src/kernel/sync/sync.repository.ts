/**
 * SQL of the change log, horizons and sync clients. Every function takes the tenant transaction
 * first and filters by tenant_id as well (defence in depth on top of row-level security).
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';

export interface ChangeRow {
  txid: string;
  seq: string;
  entity_table: string;
  record_id: string;
  version: string;
  previous: unknown;
}

/** The fence of this transaction's snapshot: every transaction with a smaller txid has ended. */
export async function readFence(tx: TenantTx): Promise<{ fence: string; next: string }> {
  const result = await sql<{ fence: string; next: string }>`
    select pg_snapshot_xmin(pg_current_snapshot())::text as fence, pg_snapshot_xmax(pg_current_snapshot())::text as next`.execute(tx);
  return result.rows[0]!;
}

/** Where the tenant's retained log begins (null: nothing purged yet). */
export async function readHorizon(tx: TenantTx, tenantId: string): Promise<string | null> {
  const result = await sql<{ txid: string }>`select txid::text as txid from sync_horizons where tenant_id = ${tenantId}`.execute(tx);
  return result.rows[0]?.txid ?? null;
}

/**
 * Change rows after the position and below the fence, of the given tables, in commit-safe order.
 * The order names the table's columns: the output aliases are text, which would sort '1000' before '991'.
 */
export async function readChanges(tx: TenantTx, tenantId: string, after: { txid: string; seq: string }, fence: string, tables: readonly string[], limit: number): Promise<ChangeRow[]> {
  const result = await sql<ChangeRow>`
    select txid::text as txid, seq::text as seq, entity_table, record_id, version::text as version, previous from sync_changes
    where tenant_id = ${tenantId} and (txid, seq) > (${after.txid}::xid8, ${after.seq}::bigint) and txid < ${fence}::xid8
      and entity_table = any(${tables})
    order by sync_changes.txid, sync_changes.seq limit ${limit}`.execute(tx);
  return result.rows;
}

/**
 * Removes a tenant's change rows older than `cutoff` and raises its horizon to the highest txid
 * removed: a cursor at or below it may have missed a removed row and must refetch.
 */
export async function purgeChanges(tx: TenantTx, tenantId: string, cutoff: Date): Promise<number> {
  const result = await sql<{ removed: number; highest: string | null }>`
    with removed as (delete from sync_changes where tenant_id = ${tenantId} and changed_at < ${cutoff} returning txid)
    select count(*)::int as removed, max(txid)::text as highest from removed`.execute(tx);
  const { removed, highest } = result.rows[0]!;
  if (highest !== null) {
    await sql`
      insert into sync_horizons (tenant_id, txid) values (${tenantId}, ${highest}::xid8)
      on conflict (tenant_id) do update set txid = greatest(sync_horizons.txid, excluded.txid), purged_at = now()`.execute(tx);
  }
  return removed;
}

/** The client's row, locked until the batch ends; registered to `ownerId` when new. */
export async function lockClient(tx: TenantTx, tenantId: string, clientId: string, ownerId: string): Promise<{ ownerId: string; lastMutationId: number }> {
  await sql`insert into sync_clients (tenant_id, client_id, user_id) values (${tenantId}, ${clientId}, ${ownerId}) on conflict (tenant_id, client_id) do nothing`.execute(tx);
  const result = await sql<{ user_id: string; last_mutation_id: string }>`
    select user_id, last_mutation_id from sync_clients where tenant_id = ${tenantId} and client_id = ${clientId} for update`.execute(tx);
  const row = result.rows[0]!;
  return { ownerId: row.user_id, lastMutationId: Number(row.last_mutation_id) };
}

export async function saveLastMutation(tx: TenantTx, tenantId: string, clientId: string, lastMutationId: number): Promise<void> {
  await sql`update sync_clients set last_mutation_id = ${lastMutationId}, updated_at = now() where tenant_id = ${tenantId} and client_id = ${clientId}`.execute(tx);
}
