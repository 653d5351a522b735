/**
 * The composition root: the one place that wires kernel modules and apps. It resolves the database
 * (embedded or DATABASE_URL), migrates as the owner, then serves as the runtime role only.
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { retailApp } from './apps/retail/index.ts';
import type { Config } from './kernel/config/index.ts';
import {
  assertRuntimeRoleIsSafe,
  collectMigrations,
  ensureRuntimeRole,
  kernelDbMigrations,
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  runtimeRoleName,
  startEmbeddedServer,
  withTenant,
  withUrlParts,
  type Database,
  type EmbeddedServer,
} from './kernel/db/index.ts';
import { buildHttpApp, createIdempotencyStore, httpMigrations } from './kernel/http/index.ts';
import { createRegistry, type AppModule, type ModelRegistry, type SeedApi } from './kernel/model/index.ts';
import { createLogger, createMetrics, type Logger } from './kernel/observability/index.ts';
import { createRecordService, type RecordService } from './kernel/records/index.ts';
import { createTenantDirectory, tenancyMigrations, type TenantDirectory } from './kernel/tenancy/index.ts';

/** The apps this build serves. */
export const appModules: readonly AppModule[] = [retailApp];
export const kernelMigrationDirs = [kernelDbMigrations, tenancyMigrations, httpMigrations];
export const demoTenantSlug = 'demo';

export interface DatabaseUrls {
  ownerUrl: string;
  appUrl: string;
  /** True when Tenantry manages the runtime role's password (no DATABASE_APP_URL given). */
  managedRole: boolean;
  embedded?: EmbeddedServer;
}

/** Starts the embedded server when DATABASE_URL is unset and makes sure the database exists. */
export async function resolveDatabase(config: Config, logger?: Logger): Promise<DatabaseUrls> {
  let embedded: EmbeddedServer | undefined;
  let ownerUrl = config.DATABASE_URL;
  if (!ownerUrl) {
    embedded = await startEmbeddedServer({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, onLog: (line) => logger?.debug({ postgres: line.trim() }) });
    ownerUrl = withUrlParts(embedded.adminUrl, { database: 'tenantry' });
    const admin = openDatabase(embedded.adminUrl, { max: 1 });
    try {
      const exists = await sql`select 1 from pg_database where datname = 'tenantry'`.execute(admin.db);
      if (exists.rows.length === 0) await sql.raw('CREATE DATABASE tenantry').execute(admin.db);
    } finally {
      await admin.close();
    }
  }
  const appUrl = config.DATABASE_APP_URL ?? withUrlParts(ownerUrl, { user: runtimeRoleName, password: config.DATABASE_APP_PASSWORD });
  return { ownerUrl, appUrl, managedRole: !config.DATABASE_APP_URL, ...(embedded ? { embedded } : {}) };
}

export function migrationDirsOf(apps: readonly AppModule[]): string[] {
  return [...kernelMigrationDirs, ...apps.map((app) => app.migrationsDir)];
}

/** Runs pending migrations as the owner (and provisions the runtime role when we manage it). */
export async function migrateDatabase(urls: DatabaseUrls, config: Config, apps: readonly AppModule[]): Promise<string[]> {
  const owner = openDatabase(urls.ownerUrl, { max: 1, applicationName: 'tenantry-migrate' });
  try {
    if (urls.managedRole) {
      const database = new URL(urls.ownerUrl).pathname.slice(1) || 'postgres';
      await ensureRuntimeRole(owner.db, config.DATABASE_APP_PASSWORD, decodeURIComponent(database));
    }
    return await migrateToLatest(owner.db, migrationDirsOf(apps));
  } finally {
    await owner.close();
  }
}

export interface Platform {
  readonly http: FastifyInstance;
  readonly registry: ModelRegistry;
  readonly records: RecordService;
  readonly tenants: TenantDirectory;
  readonly database: Database;
  readonly logger: Logger;
  /** Marks the platform as draining: /readyz answers 503 from now on. */
  drain(): void;
  close(): Promise<void>;
}

export interface ComposeOptions {
  apps?: readonly AppModule[];
  logger?: Logger;
  /** Skip resolving/migrating (tests that prepared the database themselves). */
  urls?: DatabaseUrls;
  migrate?: boolean;
}

export async function composePlatform(config: Config, options: ComposeOptions = {}): Promise<Platform> {
  const apps = options.apps ?? appModules;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const urls = options.urls ?? (await resolveDatabase(config, logger));
  let database: Database | undefined;
  try {
    if (options.migrate !== false) {
      const applied = await migrateDatabase(urls, config, apps);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    database = openDatabase(urls.appUrl, { max: config.DATABASE_POOL_MAX, applicationName: 'tenantry-api' });
    await assertRuntimeRoleIsSafe(database.db);
    const registry = createRegistry(apps.flatMap((app) => app.entities));
    const records = createRecordService(database.db, registry);
    const tenants = createTenantDirectory(database.db);
    const metrics = createMetrics({ api: database.pool });
    const knownMigrations = Object.keys(collectMigrations(migrationDirsOf(apps)));
    let draining = false;
    const db = database;
    const health = {
      isDraining: () => draining,
      async check() {
        try {
          const pending = await pendingMigrations(db.db, knownMigrations);
          return pending.length > 0 ? [`${pending.length} migration(s) pending`] : [];
        } catch {
          return ['database unreachable'];
        }
      },
    };
    const http = await buildHttpApp({ config, logger, registry, records, tenants, metrics, health, idempotency: createIdempotencyStore(database.db) });
    if (config.SEED_DEMO) await seedDemoTenant(tenants, records, database, apps, logger);
    return {
      http,
      registry,
      records,
      tenants,
      database,
      logger,
      drain: () => void (draining = true),
      async close() {
        draining = true;
        await http.close();
        await db.close();
        await urls.embedded?.stop();
      },
    };
  } catch (error) {
    await database?.close();
    await urls.embedded?.stop();
    throw error;
  }
}

/** Creates the demo tenant and runs each app's seed, once (a second start finds the tenant). */
async function seedDemoTenant(tenants: TenantDirectory, records: RecordService, database: Database, apps: readonly AppModule[], logger: Logger): Promise<void> {
  const existing = await tenants.getTenant(demoTenantSlug).catch(() => undefined);
  if (existing) return;
  const tenant = await tenants.createTenant({ slug: demoTenantSlug, name: 'Demo Company', locale: 'en', timezone: 'Europe/Paris' });
  const context = { tenantId: tenant.id };
  const seeding = withTenant(database.db, context, async (tx) => {
    const api: SeedApi = {
      tenantId: tenant.id,
      async insert(entity, rows) {
        const created = [];
        for (const row of rows) created.push(await records.create(context, entity, row, tx));
        return created;
      },
    };
    for (const app of apps) await app.seed?.(api);
  });
  // A failed seed leaves no half-seeded tenant behind: the next start tries again.
  await seeding.catch(async (error: unknown) => {
    await tenants.deleteTenant(tenant.id);
    throw error;
  });
  logger.info({ tenant: demoTenantSlug }, 'demo tenant seeded');
}
