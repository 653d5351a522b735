import { describe, expect, it } from 'vitest';
import { nextBatch, pointedMutations, rebase, toWire } from './push-batches.ts';
import type { QueuedMutation } from './sync-client.contract.ts';

const update = (id: number, recordId: string, baseVersion: number, data: Record<string, unknown> = { name: `n${id}` }): QueuedMutation => ({ id, entity: 'ktWidget', op: 'update', recordId, baseVersion, data });
const action = (id: number, recordId: string): QueuedMutation => ({ id, entity: 'ktTicket', op: 'action', recordId, action: 'start' });
const create = (id: number, recordId: string): QueuedMutation => ({ id, entity: 'ktWidget', op: 'create', recordId, data: { code: `C-${id}`, name: 'x' } });

describe('push batches', () => {
  it('takes the queue in order up to the mutation limit, and never returns an empty batch for a non-empty queue', () => {
    const queue = Array.from({ length: 7 }, (_, index) => create(index + 1, `r${index}`));
    expect(nextBatch(queue, 3).map((mutation) => mutation.id)).toEqual([1, 2, 3]);
    expect(nextBatch(queue, 500).length).toBe(7);
    expect(nextBatch([create(1, 'huge')], 500, 10)).toHaveLength(1);
    expect(nextBatch([], 500)).toEqual([]);
  });

  it('ends a batch at about the byte budget', () => {
    const queue = Array.from({ length: 10 }, (_, index) => update(index + 1, `r${index}`, 1, { name: 'x'.repeat(1000) }));
    expect(nextBatch(queue, 500, 3500).length).toBe(3);
  });

  it('ends a batch before an update or delete of a record the batch already changes, not before an action', () => {
    const queue = [create(1, 'a'), action(2, 'a'), update(3, 'b', 2), update(4, 'a', 0), update(5, 'c', 1)];
    expect(nextBatch(queue).map((mutation) => mutation.id)).toEqual([1, 2, 3]);
    expect(nextBatch([update(1, 'a', 4), { id: 2, entity: 'ktWidget', op: 'delete', recordId: 'a', baseVersion: 4 }]).map((mutation) => mutation.id)).toEqual([1]);
  });

  it('moves the later edits of a record made on the version before an answer onto the version it produced', () => {
    const queue = [update(1, 'a', 3), update(2, 'a', 3), update(3, 'b', 3), update(4, 'a', 7), action(5, 'a')];
    expect(rebase(queue, queue[0]!, 4).map((mutation) => mutation.id)).toEqual([2]);
    expect(queue[1]!.baseVersion).toBe(4);
    expect(queue.map((mutation) => mutation.baseVersion)).toEqual([3, 4, 3, 7, undefined]);
    const afterCreate = [create(1, 'n'), update(2, 'n', 0)];
    rebase(afterCreate, afterCreate[0]!, 1);
    expect(afterCreate[1]!.baseVersion).toBe(1);
  });

  it('leaves out an unknown base version (0) and finds the mutations a validation problem points at', () => {
    expect(toWire(update(1, 'a', 0))).not.toHaveProperty('baseVersion');
    expect(toWire(update(1, 'a', 2))).toHaveProperty('baseVersion', 2);
    const batch = [create(1, 'a'), create(2, 'b'), create(3, 'c')];
    expect(pointedMutations(batch, ['/mutations/2/data/name', '/mutations/2/data', '/clientId', undefined, '/mutations/9']).map((mutation) => mutation.id)).toEqual([3]);
  });
});
