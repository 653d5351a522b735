/**
 * Records: the one generic data service every entity's reads and writes pass through (REST now;
 * GraphQL, sync and ingestion later), so tenant scoping, versioning and error mapping live in one
 * place. Glossary: record = an entity row in API form; version = the row's optimistic-concurrency
 * counter, exposed as the ETag; soft delete = deleted_at set, the row kept as a tombstone.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { ActionHandler, CustomField, EntityDef } from '../model/index.ts';
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
  /**
   * The tenant's custom fields of the entity when the write read them (it wrote `ext`, a create that
   * may need a required one, a delete of a record holding custom values): audit shows the values of
   * those not marked personal data. Absent: none were read, and `ext` did not change.
   */
  customFields?: readonly CustomField[];
  /** What the writer said about the write (ingestion: its run and source row); audit keeps it in the event's details. */
  details?: WriteDetails;
}

/**
 * What a caller says about one write, kept with its audit event (`details`): ingestion names the run,
 * source system, source key and row a record came from (its lineage). A JSON object.
 */
export type WriteDetails = Readonly<Record<string, unknown>>;

/**
 * A tenant's custom field definitions as records checks `ext` against them (kernel/tenancy
 * implements it, compose.ts injects it). Without one, `ext` accepts no key.
 */
export interface CustomFieldSource {
  /** The tenant's custom fields of the entity, read in the write's own transaction. */
  fieldsOf(tx: TenantTx, tenantId: string, entity: EntityDef): Promise<readonly CustomField[]>;
  /**
   * False when a recent read showed no required custom field on the entity in this tenant: a create
   * without `ext` then skips fieldsOf (no round trip). May lag a change made on another node by a few seconds.
   */
  mayRequire(tenantId: string, entity: EntityDef): boolean;
}

/**
 * Called inside the write's own transaction, after the write: what a listener writes (an audit row,
 * a sync change row, an outbox message) commits or rolls back with it. A listener that throws
 * aborts the write.
 */
export interface RecordListener {
  afterWrite(tx: TenantTx, change: RecordChange): Promise<void>;
  /** Many writes of one tenant at once (bulk creates), in order; without it afterWrite runs for each. */
  afterWriteMany?(tx: TenantTx, changes: readonly RecordChange[]): Promise<void>;
}

export interface RecordService {
  list(context: TenantContext, entity: EntityDef, rawQuery: Record<string, unknown>, limits: ListLimits): Promise<ListResult>;
  get(context: TenantContext, entity: EntityDef, id: string, fields?: string, tx?: TenantTx): Promise<ApiRecord>;
  /**
   * Creates many records of one entity in one transaction (a seed, a bulk load): the same checks as
   * create, set-based inserts and listeners told in one call each. All or nothing. `details[i]` goes
   * with the write of `inputs[i]`.
   */
  createMany(context: TenantContext, entity: EntityDef, inputs: readonly Record<string, unknown>[], tx?: TenantTx, details?: readonly (WriteDetails | undefined)[]): Promise<ApiRecord[]>;
  /**
   * Updates many records of one entity in one transaction (a bulk load): each at its current version,
   * locked, with the same checks as update (field masks, lifecycle state, custom fields, write rules,
   * row scope); one statement per set of columns written; listeners told in one call. Ids not live in
   * the scope come back in `missing`. An id given twice is updated twice, in the order given (each
   * write its own change). `details` goes with its update's audit event. All or nothing.
   */
  updateMany(context: TenantContext, entity: EntityDef, updates: readonly { id: string; input: Record<string, unknown>; details?: WriteDetails }[], tx?: TenantTx): Promise<{ updated: ApiRecord[]; missing: string[] }>;
  /** Live records of the principal's read scope whose property (a field or `id`) equals one of the values. */
  findBy(context: TenantContext, entity: EntityDef, property: string, values: readonly unknown[], tx?: TenantTx): Promise<ApiRecord[]>;
  /** With `tx`, runs inside that tenant transaction (e.g. with an idempotency record). */
  create(context: TenantContext, entity: EntityDef, input: Record<string, unknown>, tx?: TenantTx): Promise<ApiRecord>;
  /** `expectedVersion` undefined: whatever version is current (If-Match: *); otherwise 412 unless it is current. */
  update(context: TenantContext, entity: EntityDef, id: string, expectedVersion: number | undefined, input: Record<string, unknown>, tx?: TenantTx): Promise<ApiRecord>;
  remove(context: TenantContext, entity: EntityDef, id: string, expectedVersion?: number, tx?: TenantTx, details?: WriteDetails): Promise<void>;
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

/**
 * A record as sync sends it: its id and its API form as JSON text, written by PostgreSQL (the text
 * `JSON.stringify` gives of the record `get` returns; json values as PostgreSQL prints jsonb).
 */
export interface SyncRecord {
  id: string;
  json: string;
}

/** What a changed row means for one reader: send it (as JSON text), send a tombstone; absent from the map: nothing. */
export type SyncChangeOutcome = { upsert: SyncRecord } | { delete: true };

export interface SyncView {
  readonly entity: EntityDef;
  /** A fingerprint of the principal's read scope of the entity (see sync-view.ts). */
  readonly scopeKey: string;
  /** Live rows in scope after `afterId`, by id. */
  snapshot(afterId: string | null, limit: number): Promise<SyncRecord[]>;
  /**
   * For changes (the row version each produced, the old values of the scope columns): what this
   * reader receives, keyed `<id>@<version>`. A row in scope travels with the change that made its
   * current version (each version once); a row out of scope gets a tombstone from every change whose
   * old values were in scope (tombstones may repeat; they are idempotent).
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
