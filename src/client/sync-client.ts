/**
 * The sync client: local edits applied to the view at once and queued, and sync() (push the queue,
 * then pull, the queue refolded on top). Calls of sync() run one after the other.
 */
import { applyToView, readState, type ActionEffects, type StepDeps } from './local-copy.ts';
import { pullChanges } from './pull-step.ts';
import { pushLimits } from './push-batches.ts';
import { pushQueue, type PushTally } from './push-step.ts';
import { defaultRetry } from './retry.ts';
import type { ClientRecord, QueuedMutation, SyncClientOptions, SyncEvent, SyncReport } from './sync-client.contract.ts';
import { SyncClientError, syncClientErrors } from './sync-client.errors.ts';
import { uuidv7 } from './uuid-v7.ts';

type Edit = Omit<QueuedMutation, 'id'>;

export class SyncClient {
  private readonly deps: StepDeps;
  private readonly listeners = new Set<(event: SyncEvent) => void>();
  private turn: Promise<unknown> = Promise.resolve();

  constructor(options: SyncClientOptions) {
    this.deps = {
      store: options.store,
      transport: options.transport,
      effects: (options.actionEffects ?? {}) as ActionEffects,
      retry: { ...defaultRetry, ...options.retry },
      batchSize: Math.min(options.batchSize ?? pushLimits.maxMutations, pushLimits.maxMutations),
      pullLimit: options.pullLimit ?? 1000,
      emit: (event) => {
        for (const listener of this.listeners) listener(event);
      },
    };
  }

  /** Calls `listener` with every settled mutation and every reset; returns the unsubscribe function. */
  subscribe(listener: (event: SyncEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** This installation's client id (made and stored on first use). */
  clientId(): Promise<string> {
    return this.deps.store.transaction(async (tx) => (await readState(tx)).clientId);
  }

  /** Creates a record offline with a client-made id (UUIDv7); returns its view. */
  async create(entity: string, data: Record<string, unknown>): Promise<ClientRecord> {
    return (await this.edit({ entity, op: 'create', recordId: uuidv7(), data: { ...data } }))!;
  }

  /** Changes some fields; the edit rests on the server version the local row has. */
  async update(entity: string, id: string, changes: Record<string, unknown>): Promise<ClientRecord> {
    return (await this.edit({ entity, op: 'update', recordId: id, data: { ...changes } }))!;
  }

  async delete(entity: string, id: string): Promise<void> {
    await this.edit({ entity, op: 'delete', recordId: id });
  }

  /** Runs a custom action (an intent: the server runs it on its current copy); returns the optimistic view. */
  async action(entity: string, id: string, name: string, input: Record<string, unknown> = {}): Promise<ClientRecord> {
    return (await this.edit({ entity, op: 'action', recordId: id, action: name, input: { ...input } }))!;
  }

  /** The view of one record: the server copy with the pending edits on top. */
  get(entity: string, id: string): Promise<ClientRecord | undefined> {
    return this.deps.store.transaction(async (tx) => (await tx.getRecord(entity, id))?.view ?? undefined);
  }

  /** Every record of an entity in the view. */
  list(entity: string): Promise<ClientRecord[]> {
    return this.deps.store.transaction(async (tx) => (await tx.listRecords(entity)).flatMap((stored) => (stored.view ? [stored.view] : [])));
  }

  /** The mutations not yet settled by the server, in order. */
  pending(): Promise<QueuedMutation[]> {
    return this.deps.store.transaction((tx) => tx.listMutations());
  }

  /**
   * Pushes the queue, then pulls until up to date. Throws a SyncClientError when it could not finish
   * (offline, say); the queue is kept and the next sync carries on. A push that fails with an answer
   * from the server (not a network error) still lets the pull run, then throws.
   */
  sync(): Promise<SyncReport> {
    const run = this.turn.then(() => this.syncOnce());
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async syncOnce(): Promise<SyncReport> {
    let tally: PushTally = { pushed: 0, applied: 0, conflicts: 0, rejected: 0 };
    let pushError: unknown;
    try {
      tally = await pushQueue(this.deps);
    } catch (error) {
      if (error instanceof SyncClientError && error.code === 'sync_client.network') throw error;
      pushError = error;
    }
    const pulledPages = await pullChanges(this.deps);
    if (pushError !== undefined) throw pushError;
    return { ...tally, pulledPages };
  }

  /** Queues one edit with the next mutation id and applies it to the view, in one local transaction. */
  private edit(edit: Edit): Promise<ClientRecord | null> {
    return this.deps.store.transaction(async (tx) => {
      const state = await readState(tx);
      const stored = await tx.getRecord(edit.entity, edit.recordId);
      if (edit.op !== 'create' && !stored?.view) throw syncClientErrors.notFound(edit.entity, edit.recordId);
      const versioned = edit.op === 'update' || edit.op === 'delete';
      // 0: made on a create of mine the server has not answered yet (push-batches.ts rebases it).
      const mutation: QueuedMutation = { id: state.lastMutationId + 1, ...edit, ...(versioned ? { baseVersion: stored?.server?.version ?? 0 } : {}) };
      await tx.writeState({ ...state, lastMutationId: mutation.id });
      await tx.putMutation(mutation);
      const view = applyToView(stored?.view ?? null, mutation, this.deps.effects);
      await tx.putRecord(edit.entity, edit.recordId, { server: stored?.server ?? null, view });
      return view;
    });
  }
}
