import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.ts';
import type { ClientRecord, PullRequest, PullResponse, PushRequest, PushResponse, SyncEvent, SyncTransport } from './sync-client.contract.ts';
import { SyncClient } from './sync-client.ts';
import { syncClientErrors } from './sync-client.errors.ts';

type Handler<Q, A> = (request: Q, call: number) => A | Promise<A>;

/** A transport whose answers the test writes; it records every request and how many ran at once. */
function scripted(push: Handler<PushRequest, PushResponse>, pull: Handler<PullRequest, PullResponse> = () => page()) {
  const calls = { push: [] as PushRequest[], pull: [] as PullRequest[], inFlight: 0, mostInFlight: 0 };
  const track = async <T>(work: () => Promise<T>) => {
    calls.mostInFlight = Math.max(calls.mostInFlight, ++calls.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return await work();
    } finally {
      calls.inFlight -= 1;
    }
  };
  const transport: SyncTransport = {
    push: (request) => track(async () => push(structuredClone(request), calls.push.push(structuredClone(request)))),
    pull: (request) => track(async () => pull(request, calls.pull.push(request))),
  };
  return { transport, calls };
}

const page = (changes: PullResponse['changes'] = {}, options: Partial<PullResponse> = {}): PullResponse => ({ changes, cursor: `c${Math.random()}`, hasMore: false, reset: false, ...options });
const record = (id: string, version: number, fields: Record<string, unknown> = {}): ClientRecord => ({ id, version, ...fields });
const allApplied = (request: PushRequest): PushResponse => ({
  clientId: request.clientId,
  lastMutationId: request.mutations.at(-1)!.id,
  results: request.mutations.map((mutation) => ({ id: mutation.id, status: 'applied' as const, record: record(mutation.recordId, (mutation.baseVersion ?? 0) + 1, mutation.data) })),
});

function clientOf(transport: SyncTransport) {
  const store = createMemoryStore();
  const client = new SyncClient({ store, transport, retry: { attempts: 3, baseDelayMs: 1 } });
  const events: SyncEvent[] = [];
  client.subscribe((event) => events.push(event));
  return { client, store, events };
}

describe('sync client', () => {
  it('sends a failed batch again as is, and pulls after pushing', async () => {
    const { transport, calls } = scripted((request, call) => {
      if (call === 1) throw syncClientErrors.network(new Error('reset by peer'));
      return allApplied(request);
    });
    const { client } = clientOf(transport);
    await client.create('ktTicket', { subject: 'a' });
    await client.create('ktTicket', { subject: 'b' });
    expect(await client.sync()).toMatchObject({ pushed: 2, applied: 2, pulledPages: 1 });
    expect(calls.push).toHaveLength(2);
    expect(calls.push[1]).toEqual(calls.push[0]);
    expect(calls.pull).toHaveLength(1);
  });

  it('keeps pending edits on top of a pulled record until the server settles them', async () => {
    const id = '0190a000-0000-7000-8000-000000000001';
    let pushFails = false;
    const { transport } = scripted(
      (request) => {
        if (pushFails) throw syncClientErrors.http(503, { code: 'http.unavailable' });
        return allApplied(request);
      },
      (_request, call) => page(call === 1 ? { ktWidget: { upserts: [record(id, 1, { name: 'v1', quantity: 1 })], deletes: [] } } : { ktWidget: { upserts: [record(id, 2, { name: 'v2', quantity: 2 })], deletes: [] } }),
    );
    const { client } = clientOf(transport);
    await client.sync();
    await client.update('ktWidget', id, { quantity: 9 });
    pushFails = true;
    await expect(client.sync()).rejects.toMatchObject({ code: 'http.unavailable' });
    expect(await client.get('ktWidget', id)).toEqual({ id, version: 2, name: 'v2', quantity: 9 });
    expect(await client.pending()).toMatchObject([{ op: 'update', baseVersion: 1, data: { quantity: 9 } }]);
  });

  it('drops every local row on a reset page but keeps the queue and what it creates', async () => {
    const kept = '0190a000-0000-7000-8000-000000000002';
    const dropped = '0190a000-0000-7000-8000-000000000003';
    const { transport } = scripted(
      () => {
        throw syncClientErrors.http(503, { code: 'http.unavailable' });
      },
      (_request, call) => page({ ktWidget: { upserts: call === 1 ? [record(dropped, 1), record(kept, 1)] : [record(kept, 3)], deletes: [] } }, { reset: true }),
    );
    const { client, events } = clientOf(transport);
    await client.sync();
    const mine = await client.create('ktWidget', { name: 'mine' });
    await expect(client.sync()).rejects.toMatchObject({ code: 'http.unavailable' });
    expect((await client.list('ktWidget')).map((row) => row.id).sort()).toEqual([kept, mine.id].sort());
    expect(await client.get('ktWidget', kept)).toMatchObject({ version: 3 });
    expect(await client.pending()).toMatchObject([{ op: 'create', recordId: mine.id }]);
    expect(events).toEqual([
      { type: 'reset', reason: 'first_sync' },
      { type: 'reset', reason: 'scope_changed' },
    ]);
  });

  it('runs sync calls one after the other', async () => {
    const { transport, calls } = scripted(allApplied);
    const { client } = clientOf(transport);
    await client.create('ktTicket', { subject: 'a' });
    await Promise.all([client.sync(), client.sync(), client.create('ktTicket', { subject: 'b' }).then(() => client.sync())]);
    expect(calls.mostInFlight).toBe(1);
    expect(calls.push.flatMap((request) => request.mutations.map((mutation) => mutation.id))).toEqual([1, 2]);
  });

  it("drops the later edits of a record whose create was rejected, and tells why", async () => {
    const { transport, calls } = scripted((request) => ({
      clientId: request.clientId,
      lastMutationId: request.mutations.at(-1)!.id,
      results: request.mutations.map((mutation) => (mutation.op === 'create' ? { id: mutation.id, status: 'rejected' as const, problem: { code: 'records.unique_violation' } } : { id: mutation.id, status: 'applied' as const })),
    }));
    const { client, events } = clientOf(transport);
    const widget = await client.create('ktWidget', { code: 'TAKEN' });
    await client.update('ktWidget', widget.id, { name: 'x' });
    await client.delete('ktWidget', widget.id);
    await client.sync();
    expect(calls.push.map((request) => request.mutations.map((mutation) => mutation.id))).toEqual([[1]]);
    expect(events.filter((event) => event.type === 'rejected').map((event) => event.type === 'rejected' && [event.mutation.id, event.problem.code])).toEqual([
      [1, 'records.unique_violation'],
      [2, 'sync_client.create_not_applied'],
      [3, 'sync_client.create_not_applied'],
    ]);
    expect(await client.get('ktWidget', widget.id)).toBeUndefined();
    expect(await client.pending()).toEqual([]);
  });

  it('settles as rejected a mutation the server refuses as too large, and pushes the rest', async () => {
    const { transport } = scripted((request) => {
      if (request.mutations.some((mutation) => mutation.data?.huge)) throw syncClientErrors.http(413, { code: 'http.payload_too_large' });
      return allApplied(request);
    });
    const store = createMemoryStore();
    const client = new SyncClient({ store, transport, batchSize: 1, retry: { attempts: 1 } });
    await client.create('ktMemo', { huge: true });
    await client.create('ktMemo', { body: 'fine' });
    expect(await client.sync()).toMatchObject({ applied: 1, rejected: 1 });
  });

  it('ignores an upsert whose version is not above the held one, and refuses a local edit of an unknown record', async () => {
    const id = '0190a000-0000-7000-8000-000000000004';
    const { transport } = scripted(allApplied, (_request, call) => page({ ktWidget: { upserts: [record(id, call === 1 ? 5 : 4, { name: `call ${call}` })], deletes: [] } }));
    const { client } = clientOf(transport);
    await client.sync();
    await client.sync();
    expect(await client.get('ktWidget', id)).toEqual({ id, version: 5, name: 'call 1' });
    await expect(client.update('ktWidget', 'nope', { name: 'x' })).rejects.toMatchObject({ code: 'sync_client.not_found' });
  });

  it('undoes a local transaction that throws', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => tx.writeState({ clientId: 'c', cursor: 'one', lastMutationId: 1 }));
    await expect(
      store.transaction(async (tx) => {
        await tx.writeState({ clientId: 'c', cursor: 'two', lastMutationId: 2 });
        await tx.putRecord('ktWidget', 'a', { server: record('a', 1), view: record('a', 1) });
        await tx.putMutation({ id: 2, entity: 'ktWidget', op: 'delete', recordId: 'a' });
        await tx.clearRecords();
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    expect(store.dump()).toEqual({ state: { clientId: 'c', cursor: 'one', lastMutationId: 1 }, records: {}, queue: [] });
  });
});
