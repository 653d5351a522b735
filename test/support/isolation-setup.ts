/**
 * Shared setup of the isolation suite: the registry it iterates over (the same entities the test
 * platform composes), a seeded database for the database-level checks, and every check run at once
 * (what the mutation tests run on a sabotaged schema).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { openDatabase, withTenant, withUrlParts, type Database } from '../../src/kernel/db/index.ts';
import { createAuditLog, type AuditLog } from '../../src/kernel/audit/index.ts';
import { createIdempotencyStore } from '../../src/kernel/http/index.ts';
import { createRegistry, type ModelRegistry } from '../../src/kernel/model/index.ts';
import { createRecordService, type RecordChange } from '../../src/kernel/records/index.ts';
import { newId } from '../../src/kernel/shared/index.ts';
import { createTenantDirectory } from '../../src/kernel/tenancy/index.ts';
import { checkAccessAsTenant, checkAccessWithoutTenant } from './isolation-access-checks.ts';
import {
  checkGlobalTablesReadOnly,
  checkRowLevelSecurity,
  checkRuntimeRole,
  checkTenantFunction,
  checkViewsOverTenantTables,
  findTenantTables,
  type Violation,
} from './isolation-catalog-checks.ts';
import { seedMailOutbox } from './isolation-mail.ts';
import { seedIsolationWorld, serviceRecordWriter, type IsolationWorld } from './isolation-world.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { testModules } from './test-env.ts';

/** The registry the test platform composes, available when tests are collected (for describe.each). */
export const isolationRegistry: ModelRegistry = createRegistry(testModules.flatMap((module) => module.entities));

/** Entities the suite must cover at the least: an empty or truncated registry cannot pass it vacuously. */
export const knownTenantEntities = ['ktWidget', 'ktCategory', 'product', 'outlet'] as const;
/** Kernel tables with a tenant_id the suite must find in the catalog besides the model's. */
export const knownKernelTenantTables = ['idempotency_keys', 'audit_events', 'audit_event_items', 'mail_outbox', 'access_roles', 'feature_flags', 'custom_fields', 'ingest_runs', 'ingest_xref', 'ingest_rejects', 'ingest_match_profiles', 'ingest_match_keys', 'ingest_merges'] as const;

/**
 * Global tables the runtime role may write, with the reason. `tenants`: the tenancy module creates,
 * suspends and deletes tenants through the runtime pool (kernel/tenancy/migrations/..._tenancy_tenants.sql).
 * `identity_users`: identities are global; sign-up creates them and password/profile changes update
 * them (kernel/identity/migrations/..._identity_users_sessions.sql); never deleted at runtime.
 * `identity_totp_factors`: a user's second factor belongs to the person, not to a tenant, and login
 * reads it before any tenant session exists; enrolment writes it, each accepted code updates it
 * (replay guard, recovery codes), disabling deletes it so the encrypted secret does not linger
 * (kernel/identity/migrations/..._identity_two_factor.sql). Rows hold no tenant data.
 */
export const globalWriteAllowance: Readonly<Record<string, readonly string[]>> = {
  tenants: ['INSERT', 'UPDATE', 'DELETE'],
  identity_users: ['INSERT', 'UPDATE'],
  identity_totp_factors: ['INSERT', 'UPDATE', 'DELETE'],
};

export interface SeededDatabase {
  database: TestDatabase;
  /** Pool of the runtime role (tenantry_app). */
  app: Database;
  world: IsolationWorld;
  close(): Promise<void>;
}

/** A database of its own, seeded with two tenants through the record service as the runtime role. */
export async function startSeededDatabase(): Promise<SeededDatabase> {
  const database = await createTestDatabase();
  const app = openDatabase(database.appUrl, { max: 4, applicationName: 'tenantry-isolation' });
  try {
    // With the audit listener, as compose.ts wires it, so audit_events holds rows of both tenants.
    const audit = createAuditLog(app.db);
    const records = createRecordService(app.db, isolationRegistry, { listeners: [audit.listener], rules: testModules.flatMap((module) => module.rules ?? []) });
    const tenants = createTenantDirectory(app.db);
    const world = await seedIsolationWorld({
      registry: isolationRegistry,
      owner: database.owner.db,
      writer: serviceRecordWriter(records, createIdempotencyStore(app.db)),
      createTenant: (slug) => tenants.createTenant({ slug, name: `Isolation ${slug}` }),
    });
    await seedMailOutbox(app, [world.a.id, world.b.id]);
    await seedAuditBatches(app, audit, [world.a.id, world.b.id]);
    return {
      database,
      app,
      world,
      async close() {
        await app.close();
        await database.drop();
      },
    };
  } catch (error) {
    await app.close();
    await database.drop();
    throw error;
  }
}

/**
 * An audit batch (an `audit.batch` event and its items, as a bulk write appends them) per tenant,
 * through the listener as the runtime role: the records the seed writes go one by one, as the API
 * writes them, and so make events, not batches. The changes name records no table holds: the audit
 * log does not read them.
 */
async function seedAuditBatches(app: Database, audit: AuditLog, tenantIds: readonly string[]): Promise<void> {
  const entity = isolationRegistry.get('ktCategory');
  for (const tenantId of tenantIds) {
    const context = { tenantId };
    const changes = [1, 2].map((index): RecordChange => {
      const id = newId();
      return { entity, action: 'create', id, before: null, after: { id, version: 1, code: `ISO-BATCH-${index}`, title: 'Isolation batch' }, context };
    });
    await withTenant(app.db, context, (tx) => audit.listener.afterWriteMany!(tx, changes));
  }
}

/**
 * Copies of one seeded database (CREATE DATABASE ... TEMPLATE, milliseconds): the seed runs once,
 * and each copy can be sabotaged on its own. The source's pools are closed, as copying requires.
 */
export async function startSeededTemplate(): Promise<{ world: IsolationWorld; clone(): Promise<SeededDatabase>; close(): Promise<void> }> {
  const source = await startSeededDatabase();
  await source.app.close();
  await source.database.owner.close();
  const adminUrl = inject('adminUrl');
  const admin = openDatabase(adminUrl, { max: 1 });
  const clones = new Set<string>();
  const dropDatabase = (name: string) => sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
  return {
    world: source.world,
    async clone() {
      const name = `${source.database.name}_${randomBytes(3).toString('hex')}`;
      await sql.raw(`CREATE DATABASE ${name} TEMPLATE ${source.database.name}`).execute(admin.db);
      clones.add(name);
      const ownerUrl = withUrlParts(source.database.ownerUrl, { database: name });
      const owner = openDatabase(ownerUrl, { max: 2 });
      const app = openDatabase(withUrlParts(source.database.appUrl, { database: name }), { max: 4 });
      const database: TestDatabase = { name, ownerUrl, appUrl: withUrlParts(source.database.appUrl, { database: name }), owner, drop: () => dropDatabase(name).then(() => undefined) };
      return {
        database,
        app,
        world: source.world,
        async close() {
          await app.close();
          await owner.close();
          await dropDatabase(name);
          clones.delete(name);
        },
      };
    },
    async close() {
      for (const name of clones) await dropDatabase(name);
      await dropDatabase(source.database.name);
      await admin.close();
    },
  };
}

/** Every catalog and behavioural check, for tenant A against tenant B. */
export async function runAllIsolationChecks(seeded: Pick<SeededDatabase, 'database' | 'app' | 'world'>): Promise<Violation[]> {
  const owner = seeded.database.owner.db;
  const tables = await findTenantTables(owner);
  const access = { owner, app: seeded.app.db, tables };
  return [
    ...(await checkRowLevelSecurity(owner)),
    ...(await checkTenantFunction(owner)),
    ...(await checkRuntimeRole(owner)),
    ...(await checkGlobalTablesReadOnly(owner, globalWriteAllowance)),
    ...(await checkViewsOverTenantTables(owner)),
    ...(await checkAccessWithoutTenant(access)),
    ...(await checkAccessAsTenant({ ...access, tenantId: seeded.world.a.id, otherTenantId: seeded.world.b.id })),
    ...(await checkAccessAsTenant({ ...access, tenantId: seeded.world.b.id, otherTenantId: seeded.world.a.id })),
  ];
}
