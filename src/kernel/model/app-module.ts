/**
 * What an app (or the kernel test model) hands to the composition root: its entities, the folder of
 * its generated migrations, and an optional seed for the demo tenant.
 */
import type { TSchema } from 'typebox';
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { EntityDef } from './entity.ts';

export interface SeedApi {
  readonly tenantId: string;
  /** Inserts records of an entity for the seeded tenant, through the generic record service. */
  insert(entity: EntityDef, records: Record<string, unknown>[]): Promise<Array<Record<string, unknown> & { id: string }>>;
}

/** What an action's server-side work receives: the record as it is (locked), the validated input. */
export interface ActionCall {
  readonly tx: TenantTx;
  readonly context: TenantContext;
  readonly entity: EntityDef;
  readonly record: Readonly<Record<string, unknown>> & { readonly id: string; readonly version: number };
  readonly input: Readonly<Record<string, unknown>>;
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

export interface AppModule {
  readonly name: string;
  readonly entities: readonly EntityDef[];
  readonly migrationsDir: string;
  /** Server-side work of the entities' custom actions. */
  readonly actions?: readonly ActionHandler[];
  seed?(api: SeedApi): Promise<void>;
}
