/**
 * Records: the one generic data service every entity's reads and writes pass through (REST now;
 * GraphQL, sync and ingestion later), so tenant scoping, versioning and error mapping live in one
 * place. Glossary: record = an entity row in API form; version = the row's optimistic-concurrency
 * counter, exposed as the ETag; soft delete = deleted_at set, the row kept as a tombstone.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { ActionHandler, EntityDef } from '../model/index.ts';
import type { ListLimits } from './list-query.ts';

export type ApiRecord = Record<string, unknown> & { id: string; version?: number };

export interface ListResult {
  data: ApiRecord[];
  nextCursor: string | null;
  total?: number;
}

export type RecordAction = 'create' | 'update' | 'delete';

/** One write, as listeners see it: in API form, before and after (null where there is none). */
export interface RecordChange {
  entity: EntityDef;
  /** create, update, delete, or a custom action of the entity (`approve`). */
  action: RecordAction | (string & {});
  id: string;
  before: ApiRecord | null;
  after: ApiRecord | null;
  context: TenantContext;
}

/**
 * Called inside the write's own transaction, after the write: what a listener writes (an audit row,
 * a sync change row, an outbox message) commits or rolls back with it. A listener that throws
 * aborts the write.
 */
export interface RecordListener {
  afterWrite(tx: TenantTx, change: RecordChange): Promise<void>;
}

export interface RecordService {
  list(context: TenantContext, entity: EntityDef, rawQuery: Record<string, unknown>, limits: ListLimits): Promise<ListResult>;
  get(context: TenantContext, entity: EntityDef, id: string, fields?: string, tx?: TenantTx): Promise<ApiRecord>;
  /** With `tx`, runs inside that tenant transaction (e.g. with an idempotency record). */
  create(context: TenantContext, entity: EntityDef, input: Record<string, unknown>, tx?: TenantTx): Promise<ApiRecord>;
  /** `expectedVersion` undefined: whatever version is current (If-Match: *); otherwise 412 unless it is current. */
  update(context: TenantContext, entity: EntityDef, id: string, expectedVersion: number | undefined, input: Record<string, unknown>, tx?: TenantTx): Promise<ApiRecord>;
  remove(context: TenantContext, entity: EntityDef, id: string, expectedVersion?: number, tx?: TenantTx): Promise<void>;
  /**
   * Runs a custom action on a record (a state transition, an app handler or both) in one transaction:
   * permission and row scope of the action, the state check, the handler, the write, the listeners.
   */
  perform(context: TenantContext, entity: EntityDef, id: string, action: string, input: Record<string, unknown>, options?: { expectedVersion?: number; tx?: TenantTx }): Promise<ApiRecord>;
  /** The custom actions of an entity that can run (a transition, a handler or both), with their inputs. */
  actionsOf(entity: EntityDef): readonly RunnableAction[];
  /** kernel/sync's reads of an entity in the caller's transaction; null when the principal may not read it. */
  syncView(tx: TenantTx, context: TenantContext, entity: EntityDef): Promise<SyncView | null>;
}

/** What a changed row means for one reader: send it, send a tombstone; absent from the map: nothing. */
export type SyncChangeOutcome = { upsert: ApiRecord } | { delete: true };

export interface SyncView {
  readonly entity: EntityDef;
  /** A fingerprint of the principal's read scope of the entity (see sync-view.ts). */
  readonly scopeKey: string;
  /** Live rows in scope after `afterId`, by id. */
  snapshot(afterId: string | null, limit: number): Promise<ApiRecord[]>;
  /**
   * For changes (the row version each produced, the old values of the scope columns): what this
   * reader receives, keyed `<id>@<version>`. A change whose row has moved on to a later version
   * gives nothing: the later change delivers the row, so each version travels once.
   */
  changed(changes: readonly { id: string; version: number; previous: unknown }[]): Promise<Map<string, SyncChangeOutcome>>;
}

export interface RunnableAction {
  action: string;
  summary: string | undefined;
  input: ActionHandler['input'];
  /** For a transition: the states it leaves and the state it reaches. */
  transition: { from: readonly string[]; to: string } | undefined;
}
