/**
 * The local copy: the view of a record is its server copy with the pending mutations of that record
 * applied in order (view = server copy + queue). Every write to server copies or to the queue ends
 * by refreshing the views it touched, in the same local transaction.
 */
import type { ActionEffect, ClientRecord, LocalStore, LocalTransaction, QueuedMutation, RetryPolicy, StoredRecord, SyncEvent, SyncState, SyncTransport } from './sync-client.contract.ts';
import { uuidv7 } from './uuid-v7.ts';

export type ActionEffects = Record<string, Record<string, ActionEffect>>;

/** What the push and pull steps share with the client. */
export interface StepDeps {
  store: LocalStore;
  transport: SyncTransport;
  effects: ActionEffects;
  retry: RetryPolicy;
  batchSize: number;
  pullLimit: number;
  emit(event: SyncEvent): void;
}

export const recordKey = (entity: string, id: string): string => `${entity}\u0000${id}`;

/** The view after one more mutation. */
export function applyToView(view: ClientRecord | null, mutation: QueuedMutation, effects: ActionEffects): ClientRecord | null {
  switch (mutation.op) {
    case 'create':
      return { ...view, ...mutation.data, id: mutation.recordId, version: view?.version ?? 0 };
    case 'update':
      return view && { ...view, ...mutation.data, id: view.id, version: view.version };
    case 'delete':
      return null;
    case 'action': {
      const effect = effects[mutation.entity]?.[mutation.action ?? ''];
      return view && effect ? { ...view, ...effect(view, mutation.input ?? {}), id: view.id, version: view.version } : view;
    }
  }
}

/** The view of a server copy under the record's pending mutations (in queue order). */
export function foldView(server: ClientRecord | null, pending: readonly QueuedMutation[], effects: ActionEffects): ClientRecord | null {
  return pending.reduce<ClientRecord | null>((view, mutation) => applyToView(view, mutation, effects), server && { ...server });
}

/** The queue grouped by record, each group in id order. */
export function pendingByRecord(queue: readonly QueuedMutation[]): Map<string, QueuedMutation[]> {
  const groups = new Map<string, QueuedMutation[]>();
  for (const mutation of queue) {
    const key = recordKey(mutation.entity, mutation.recordId);
    const group = groups.get(key);
    if (group) group.push(mutation);
    else groups.set(key, [mutation]);
  }
  return groups;
}

/** True when `incoming` should replace the held server copy (versions only go forward; equal versions are the same record). */
export function isNewer(held: ClientRecord | null | undefined, incoming: ClientRecord): boolean {
  return !held || held.version < incoming.version;
}

/** The sync state, made (with a new client id) on first use. */
export async function readState(tx: LocalTransaction): Promise<SyncState> {
  const state = await tx.readState();
  if (state) return state;
  const fresh: SyncState = { clientId: uuidv7(), cursor: null, lastMutationId: 0 };
  await tx.writeState(fresh);
  return fresh;
}

/** A record whose view must be refolded. */
export interface Touched {
  entity: string;
  id: string;
}

/** Stores a server copy (or its absence) and refolds the record's view over the current queue. */
export async function storeServerCopy(tx: LocalTransaction, target: Touched, server: ClientRecord | null, pending: ReadonlyMap<string, QueuedMutation[]>, effects: ActionEffects): Promise<void> {
  const view = foldView(server, pending.get(recordKey(target.entity, target.id)) ?? [], effects);
  await tx.putRecord(target.entity, target.id, { server, view });
}

/** Refolds the views of `targets` over their server copies and the queue as it now is. */
export async function refreshViews(tx: LocalTransaction, targets: Iterable<Touched>, effects: ActionEffects): Promise<void> {
  const pending = pendingByRecord(await tx.listMutations());
  for (const target of targets) {
    const stored: StoredRecord | undefined = await tx.getRecord(target.entity, target.id);
    await storeServerCopy(tx, target, stored?.server ?? null, pending, effects);
  }
}
