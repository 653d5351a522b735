/**
 * What an app (or the kernel test model) hands to the composition root: its entities, the folder of
 * its generated migrations, and an optional seed for the demo tenant.
 */
import type { TSchema } from 'typebox';
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { EntityDef } from './entity.ts';

export interface SeedApi {
  readonly tenantId: string;
  /** Inserts records of an entity for the seeded tenant, through the generic record service (in bulk). */
  insert(entity: EntityDef, records: Record<string, unknown>[]): Promise<Array<Record<string, unknown> & { id: string }>>;
  /** Runs a custom action (a transition and its handler), as the seed's trusted context. */
  perform(entity: EntityDef, id: string, action: string, input?: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }>;
}

/** What an action's server-side work receives: the record as it is (locked), the validated input. */
export interface ActionCall {
  readonly tx: TenantTx;
  readonly context: TenantContext;
  readonly entity: EntityDef;
  readonly record: Readonly<Record<string, unknown>> & { readonly id: string; readonly version: number };
  readonly input: Readonly<Record<string, unknown>>;
  /**
   * Writes another record as part of the action (order lines priced by `submit`), in the action's
   * transaction, as trusted server work: no permission or field mask applies, audit and the sync
   * change log do (the audit row names the acting user).
   */
  updateRecord(entity: EntityDef, id: string, set: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * The server side of a custom action (`order.approve`): checks that throw typed errors (credit limit,
 * minimum order) and the fields it sets, in the action's own transaction. A transition of the
 * entity's state machine needs no handler; with one, the handler runs after the state check.
 */
export interface ActionHandler {
  readonly entity: EntityDef;
  readonly action: string;
  readonly summary?: string;
  /** The request body's schema; none: an empty object. */
  readonly input?: TSchema;
  run?(call: ActionCall): Promise<{ set?: Record<string, unknown> } | void>;
}

/** What a write rule receives: the write as the client sent it (validated; empty for a delete), and the record before an update or delete. */
export interface WriteCall {
  readonly tx: TenantTx;
  readonly context: TenantContext;
  readonly entity: EntityDef;
  readonly operation: 'create' | 'update' | 'delete';
  readonly input: Readonly<Record<string, unknown>>;
  readonly before: (Readonly<Record<string, unknown>> & { readonly id: string; readonly version: number }) | null;
}

/**
 * An app's rule on every create, update and delete of an entity (REST, sync push, ingestion alike), run in the
 * write's transaction before the row is written: it may refuse the write with a typed error (answers
 * that do not fit their form) or set server-owned fields (the territory of a visit, from its outlet).
 */
export interface WriteRule {
  readonly entity: EntityDef;
  /** What it sets is ignored for a delete (a soft delete writes no field). */
  beforeWrite(call: WriteCall): Promise<{ set?: Record<string, unknown> } | void>;
}

/**
 * A principal attribute read from the tenant's own data at request time (kernel/access): the values
 * of `valueField` in the live rows of `entity` whose `userField` holds the principal's user id. A row
 * condition `{ field: 'territory', in: 'principal.attributes.territories' }` then follows the data:
 * reassigning a territory changes what the rep sees on the next request (and resets their sync).
 */
export interface AttributeSource {
  readonly name: string;
  readonly entity: EntityDef;
  readonly userField: string;
  readonly valueField: string;
}

export interface AppModule {
  readonly name: string;
  readonly entities: readonly EntityDef[];
  readonly migrationsDir: string;
  /** Rules on the writes of the app's entities. */
  readonly rules?: readonly WriteRule[];
  /** The app's part of GET /v1/config for one principal (forms, list layouts), in its tenant transaction. */
  clientConfig?(tx: TenantTx, context: TenantContext): Promise<Record<string, unknown>>;
  /** Principal attributes derived from the app's data (territories of a rep). */
  readonly attributes?: readonly AttributeSource[];
  /** Server-side work of the entities' custom actions. */
  readonly actions?: readonly ActionHandler[];
  seed?(api: SeedApi): Promise<void>;
}
