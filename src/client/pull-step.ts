/**
 * Pull: pages of changes until the server has no more, each applied with its cursor in one local
 * transaction (a reset first drops every local row, never the queue), the pending mutations refolded
 * on top. A cursor the server no longer serves (410 sync.must_refetch, 400 sync.invalid_cursor) is
 * dropped and the copy fetched again from scratch.
 */
import { isNewer, pendingByRecord, readState, storeServerCopy, type StepDeps } from './local-copy.ts';
import { withRetry } from './retry.ts';
import type { LocalTransaction, PullResponse, SyncEvent } from './sync-client.contract.ts';
import { SyncClientError } from './sync-client.errors.ts';

type ResetReason = Extract<SyncEvent, { type: 'reset' }>['reason'];

const refetchReasons: Record<string, ResetReason> = { 'sync.must_refetch': 'must_refetch', 'sync.invalid_cursor': 'invalid_cursor' };
/** Fetches from scratch per sync at most this often; then the error goes to the caller (the next sync tries again). */
const maxRefetches = 3;

/** Pulls until hasMore is false; returns the number of pages applied. */
export async function pullChanges(deps: StepDeps): Promise<number> {
  let pages = 0;
  let refetch: ResetReason | undefined;
  let refetches = 0;
  for (;;) {
    const cursor = await deps.store.transaction(async (tx) => (await readState(tx)).cursor);
    let page: PullResponse;
    try {
      page = await withRetry(deps.retry, () => deps.transport.pull({ ...(cursor ? { cursor } : {}), limit: deps.pullLimit }));
    } catch (error) {
      const reason = error instanceof SyncClientError ? refetchReasons[error.code] : undefined;
      if (!cursor || !reason || ++refetches > maxRefetches) throw error;
      // The local rows stay until the first page of the new copy replaces them (reset), in one transaction.
      await deps.store.transaction(async (tx) => tx.writeState({ ...(await readState(tx)), cursor: null }));
      refetch = reason;
      continue;
    }
    const reset = page.reset || cursor === null;
    await deps.store.transaction((tx) => applyPage(tx, deps, page, reset));
    if (reset) deps.emit({ type: 'reset', reason: refetch ?? (cursor === null ? 'first_sync' : 'scope_changed') });
    refetch = undefined;
    pages += 1;
    if (!page.hasMore) return pages;
  }
}

async function applyPage(tx: LocalTransaction, deps: StepDeps, page: PullResponse, reset: boolean): Promise<void> {
  const pending = pendingByRecord(await tx.listMutations());
  if (reset) {
    await tx.clearRecords();
    // What the queue creates stays visible; edits of rows not (yet) in the new copy wait for them.
    for (const [first] of pending.values()) await storeServerCopy(tx, { entity: first!.entity, id: first!.recordId }, null, pending, deps.effects);
  }
  for (const [entity, changes] of Object.entries(page.changes)) {
    for (const record of changes.upserts) {
      const stored = await tx.getRecord(entity, record.id);
      if (isNewer(stored?.server, record)) await storeServerCopy(tx, { entity, id: record.id }, record, pending, deps.effects);
    }
    for (const id of changes.deletes) {
      if (await tx.getRecord(entity, id)) await storeServerCopy(tx, { entity, id }, null, pending, deps.effects);
    }
  }
  await tx.writeState({ ...(await readState(tx)), cursor: page.cursor });
}
