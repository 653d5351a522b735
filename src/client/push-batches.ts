/**
 * Cutting the queue into push batches. A batch is a prefix of the queue (order is the protocol's),
 * at most `maxMutations` long and about `maxBytes` of JSON. It also ends before an update or delete of
 * a record that the batch already changes: such an edit names the version its record will have after
 * the earlier mutation, which is known only once the server has answered for it (see rebase).
 */
import { recordKey } from './local-copy.ts';
import type { QueuedMutation } from './sync-client.contract.ts';

export const pushLimits = { maxMutations: 500, maxBytes: 3.5 * 1024 * 1024 };

const encoder = new TextEncoder();

/** The next batch to push: a prefix of the queue, never empty while the queue is not. */
export function nextBatch(queue: readonly QueuedMutation[], maxMutations: number = pushLimits.maxMutations, maxBytes: number = pushLimits.maxBytes): QueuedMutation[] {
  const batch: QueuedMutation[] = [];
  const changed = new Set<string>();
  let bytes = 0;
  for (const mutation of queue) {
    const key = recordKey(mutation.entity, mutation.recordId);
    const size = encoder.encode(JSON.stringify(toWire(mutation))).byteLength + 1;
    if (batch.length > 0) {
      if (batch.length >= maxMutations || bytes + size > maxBytes) break;
      if ((mutation.op === 'update' || mutation.op === 'delete') && changed.has(key)) break;
    }
    batch.push(mutation);
    changed.add(key);
    bytes += size;
  }
  return batch;
}

/** The mutation as sent: baseVersion 0 (made on a create the server has not confirmed) is left out. */
export function toWire(mutation: QueuedMutation): QueuedMutation {
  if (mutation.baseVersion !== 0) return mutation;
  const { baseVersion: _unknown, ...rest } = mutation;
  return rest;
}

/**
 * After an answer for `settled` that produced `version` of its record, the later mutations of that
 * record that were made on the version before it now rest on `version`. Returns those it moved.
 */
export function rebase(queue: readonly QueuedMutation[], settled: QueuedMutation, version: number): QueuedMutation[] {
  const moved: QueuedMutation[] = [];
  for (const mutation of queue) {
    if (mutation.id <= settled.id || mutation.entity !== settled.entity || mutation.recordId !== settled.recordId) continue;
    if (mutation.baseVersion !== version - 1) continue;
    mutation.baseVersion = version;
    moved.push(mutation);
  }
  return moved;
}

/** The mutations of a batch that a batch-level validation problem points at (`/mutations/<index>/…`). */
export function pointedMutations(batch: readonly QueuedMutation[], pointers: readonly (string | undefined)[]): QueuedMutation[] {
  const indexes = new Set<number>();
  for (const pointer of pointers) {
    const match = /^\/mutations\/(\d+)(\/|$)/.exec(pointer ?? '');
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes].flatMap((index) => (batch[index] ? [batch[index]] : []));
}
