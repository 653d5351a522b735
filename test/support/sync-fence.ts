/**
 * Pulls serve changes below the fence pg_snapshot_xmin(pg_current_snapshot()), which is cluster-wide:
 * while the suite runs, transactions of other test files' databases hold it back for a moment. A test
 * that expects its own committed writes in the next pull first waits for the fence to pass them.
 */
import { sql, type Kysely } from 'kysely';

export async function awaitSyncFence(owner: Kysely<any>, tenantId: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const result = await sql<{ passed: boolean }>`
      select coalesce(pg_snapshot_xmin(pg_current_snapshot()) > (select max(txid) from sync_changes where tenant_id = ${tenantId}), true) as passed`.execute(owner);
    if (result.rows[0]!.passed) return;
    if (Date.now() - started > timeoutMs) throw new Error('the sync fence did not pass the latest writes');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
