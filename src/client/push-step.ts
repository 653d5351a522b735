/**
 * Push: the queue in batches, each sent again as is while its failure is transient (exactly once on
 * the server), each answer applied in one local transaction: server copies, the queue, the views.
 */
import { isNewer, readState, recordKey, refreshViews, type StepDeps, type Touched } from './local-copy.ts';
import { nextBatch, pointedMutations, rebase, toWire } from './push-batches.ts';
import { withRetry } from './retry.ts';
import type { ClientRecord, LocalTransaction, Problem, PushResponse, QueuedMutation, SyncEvent } from './sync-client.contract.ts';
import { SyncClientError, syncClientErrors } from './sync-client.errors.ts';

export interface PushTally {
  pushed: number;
  applied: number;
  conflicts: number;
  rejected: number;
}

/** Pushes until the queue is empty; throws (the queue kept) when a batch fails for good or keeps failing. */
export async function pushQueue(deps: StepDeps): Promise<PushTally> {
  const tally: PushTally = { pushed: 0, applied: 0, conflicts: 0, rejected: 0 };
  for (;;) {
    const { clientId, batch } = await deps.store.transaction(async (tx) => ({ clientId: (await readState(tx)).clientId, batch: nextBatch(await tx.listMutations(), deps.batchSize) }));
    if (batch.length === 0) return tally;
    let response: PushResponse;
    try {
      response = await withRetry(deps.retry, () => deps.transport.push({ clientId, mutations: batch.map(toWire) }));
    } catch (error) {
      const refused = refusedByBatchProblem(error, batch);
      if (refused.length === 0) throw error;
      const problem = (error as SyncClientError).details.problem!;
      await settleLocally(deps, refused.map((mutation) => ({ type: 'rejected', mutation, problem })));
      tally.rejected += refused.length;
      continue;
    }
    const events = await deps.store.transaction((tx) => applyPushResponse(tx, deps, batch, response));
    tally.pushed += batch.length;
    for (const event of events) {
      if (event.type === 'applied') tally.applied += 1;
      else if (event.type === 'conflict') tally.conflicts += 1;
      else if (event.type === 'rejected') tally.rejected += 1;
      deps.emit(event);
    }
  }
}

/**
 * A batch refused as a whole because of some of its mutations (too large, malformed): those are wrong
 * for good and would block the queue forever, so they are settled as rejected here.
 */
function refusedByBatchProblem(error: unknown, batch: readonly QueuedMutation[]): QueuedMutation[] {
  if (!(error instanceof SyncClientError) || !error.details.problem) return [];
  if (error.code === 'http.payload_too_large') return batch.length === 1 ? [...batch] : [];
  if (error.code === 'http.validation_failed') return pointedMutations(batch, (error.details.problem.errors ?? []).map((entry) => entry.pointer));
  return [];
}

/** Removes mutations the server never settled and refolds their records' views. */
async function settleLocally(deps: StepDeps, events: Extract<SyncEvent, { mutation: QueuedMutation }>[]): Promise<void> {
  await deps.store.transaction(async (tx) => {
    await tx.deleteMutations(events.map((event) => event.mutation.id));
    await refreshViews(tx, events.map(({ mutation }) => ({ entity: mutation.entity, id: mutation.recordId })), deps.effects);
  });
  for (const event of events) deps.emit(event);
}

async function keepServerCopy(tx: LocalTransaction, entity: string, id: string, record: ClientRecord | null): Promise<void> {
  const stored = await tx.getRecord(entity, id);
  if (record && !isNewer(stored?.server, record)) return;
  await tx.putRecord(entity, id, { server: record, view: stored?.view ?? null });
}

const notCreated = (create: QueuedMutation): Problem => ({
  code: 'sync_client.create_not_applied',
  title: 'Record never created',
  detail: `The create of ${create.entity} ${create.recordId} was not applied, so this later edit of it was dropped.`,
});

/** Applies one push answer: results in order, then the queue and the views of every record touched. */
async function applyPushResponse(tx: LocalTransaction, deps: StepDeps, batch: readonly QueuedMutation[], response: PushResponse): Promise<SyncEvent[]> {
  const sent = new Map(batch.map((mutation) => [mutation.id, mutation]));
  const queue = await tx.listMutations();
  const settled = new Set<number>();
  const touched = new Map<string, Touched>();
  const failedCreates = new Map<string, QueuedMutation>();
  const events: SyncEvent[] = [];
  const moveOn = async (mutation: QueuedMutation, version: number) => {
    for (const moved of rebase(queue, mutation, version)) await tx.putMutation(moved);
  };
  for (const result of response.results) {
    const mutation = sent.get(result.id);
    if (!mutation || settled.has(mutation.id)) continue;
    settled.add(mutation.id);
    const key = recordKey(mutation.entity, mutation.recordId);
    touched.set(key, { entity: mutation.entity, id: mutation.recordId });
    switch (result.status) {
      case 'applied':
        if (result.record) {
          await keepServerCopy(tx, mutation.entity, mutation.recordId, result.record);
          await moveOn(mutation, result.record.version);
        } else if (mutation.op === 'delete') await keepServerCopy(tx, mutation.entity, mutation.recordId, null);
        events.push({ type: 'applied', mutation, ...(result.record ? { record: result.record } : {}) });
        break;
      case 'duplicate':
        // Applied by an earlier delivery whose answer was lost: a create made version 1; other versions are unknown.
        if (mutation.op === 'create') await moveOn(mutation, 1);
        events.push({ type: 'duplicate', mutation });
        break;
      case 'conflict':
        await keepServerCopy(tx, mutation.entity, mutation.recordId, result.serverRecord ?? null);
        if (mutation.op === 'create') failedCreates.set(key, mutation);
        events.push({ type: 'conflict', mutation, ...(result.problem ? { problem: result.problem } : {}), ...(result.serverRecord ? { serverRecord: result.serverRecord } : {}) });
        break;
      case 'rejected':
        if (mutation.op === 'create') failedCreates.set(key, mutation);
        events.push({ type: 'rejected', mutation, problem: result.problem ?? { code: 'sync_client.rejected' } });
        break;
    }
  }
  // Settled without a result of their own: at or below the server's last mutation id.
  for (const mutation of batch) if (mutation.id <= response.lastMutationId) settled.add(mutation.id);
  if (settled.size === 0) throw syncClientErrors.badResponse(200, 'a push answer that settles nothing');
  // Later edits of a record whose create failed can never apply.
  for (const mutation of queue) {
    const create = failedCreates.get(recordKey(mutation.entity, mutation.recordId));
    if (!create || settled.has(mutation.id) || mutation.id < create.id) continue;
    settled.add(mutation.id);
    events.push({ type: 'rejected', mutation, problem: notCreated(create) });
  }
  await tx.deleteMutations([...settled]);
  await refreshViews(tx, touched.values(), deps.effects);
  return events;
}
