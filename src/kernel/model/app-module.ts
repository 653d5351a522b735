/**
 * What an app (or the kernel test model) hands to the composition root: its entities, the folder of
 * its generated migrations, and an optional seed for the demo tenant.
 */
import type { EntityDef } from './entity.ts';

export interface SeedApi {
  readonly tenantId: string;
  /** Inserts records of an entity for the seeded tenant, through the generic record service. */
  insert(entity: EntityDef, records: Record<string, unknown>[]): Promise<Array<Record<string, unknown> & { id: string }>>;
}

export interface AppModule {
  readonly name: string;
  readonly entities: readonly EntityDef[];
  readonly migrationsDir: string;
  seed?(api: SeedApi): Promise<void>;
}
