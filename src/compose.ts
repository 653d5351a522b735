/**
 * The composition root: the one place that wires kernel modules and apps. It resolves the database
 * (embedded or DATABASE_URL), migrates as the owner, then serves as the runtime role only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { retailApp } from './apps/retail/index.ts';
import { accessMigrations, accessRoutes, createAccessControl, createRoleAdmin, createRoleCatalog, createRouteGuards, type AccessControl } from './kernel/access/index.ts';
import { auditMigrations, auditRoutes, createAuditLog } from './kernel/audit/index.ts';
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
import { createIdentity, createSecretPurge, createTenantAdmin, identityMigrations, type IdentityService, type SecretPurge, type TenantAdmin } from './kernel/identity/index.ts';
import { buildHttpApp, clientConfigRoutes, createIdempotencyStore, createRedisRateLimitStore, httpMigrations, metadataRoutes, type ConfigSection } from './kernel/http/index.ts';
import { createIngestFileRetention, createIngestJobs, createIngestService, ingestMigrations, ingestRoutes, type IngestFileRetention, type IngestService } from './kernel/ingest/index.ts';
import { createJobQueue, jobsMigrations, type JobQueue } from './kernel/jobs/index.ts';
import { createMailService, mailMigrations, mailRoutes, type MailService } from './kernel/mail/index.ts';
import { createRegistry, type AppModule, type ModelRegistry, type SeedApi } from './kernel/model/index.ts';
import { createLogger, createMetrics, type Logger } from './kernel/observability/index.ts';
import { createRecordService, type RecordService } from './kernel/records/index.ts';
import { openRedis, type RedisConnection } from './kernel/redis/index.ts';
import { createSyncRetention, createSyncService, syncMigrations, syncRoutes, type SyncRetention, type SyncService } from './kernel/sync/index.ts';
import { createCustomFields, createFeatureFlags, createTenantDirectory, customFieldRoutes, featureFlagRoutes, tenancyMigrations, type FeatureFlags, type TenantDirectory } from './kernel/tenancy/index.ts';

/** The apps this build serves. */
export const appModules: readonly AppModule[] = [retailApp];
export const kernelMigrationDirs = [kernelDbMigrations, tenancyMigrations, httpMigrations, auditMigrations, accessMigrations, jobsMigrations, mailMigrations, identityMigrations, syncMigrations, ingestMigrations];
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
  readonly sync: SyncService;
  /** Mapping specs and ingestion runs (kernel/ingest). */
  readonly ingest: IngestService;
  readonly tenants: TenantDirectory;
  readonly identity: IdentityService;
  /** API keys and members of a tenant (kernel/identity). */
  readonly tenantAdmin: TenantAdmin;
  readonly jobs: JobQueue;
  readonly mail: MailService;
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
  let background: BackgroundWork | undefined;
  let redis: RedisConnection | undefined;
  try {
    if (options.migrate !== false) {
      const applied = await migrateDatabase(urls, config, apps);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    database = openDatabase(urls.appUrl, { max: config.DATABASE_POOL_MAX, applicationName: 'tenantry-api' });
    await assertRuntimeRoleIsSafe(database.db);
    const { registry, audit, access, customFields, records, ingest } = composeDataServices(config, database.db, apps);
    const tenants = createTenantDirectory(database.db);
    background = composeBackgroundWork(config, urls, { tenants, apiDb: database.db, logger, work: config.JOBS_IN_PROCESS ?? config.NODE_ENV !== 'test', ingest });
    const { jobs, mail } = background;
    // Several nodes share rate limits, the login throttle and session evictions through Redis (docs/operations.md).
    redis = config.REDIS_URL ? await openRedis(config.REDIS_URL, { logger }) : undefined;
    const shared = redis;
    const identity = createIdentity(database.db, tenants, config, { audit, mail, logger, roles: createRoleCatalog(database.db), redis });
    const tenantAdmin = createTenantAdmin({ db: database.db, roles: createRoleCatalog(database.db), audit, sessions: identity.sessionCache, cacheMs: config.IDENTITY_SESSION_CACHE_MS, devHeaders: config.TENANT_DEV_HEADER });
    const metrics = createMetrics({ api: database.pool });
    shared?.registerMetrics(metrics.registry);
    ingest.registerMetrics(metrics.registry);
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
    const featureFlags = createFeatureFlags(database.db, { audit });
    const sync = createSyncService(database.db, registry, records, { secret: config.TOKEN_SECRET });
    const guards = createRouteGuards(database.db, { devHeaders: config.TENANT_DEV_HEADER });
    const routes = [
      accessRoutes(createRoleAdmin(database.db, registry), { devHeaders: config.TENANT_DEV_HEADER }),
      auditRoutes(audit, { maxLimit: config.HTTP_LIST_MAX_LIMIT, guard: guards.capability('audit.read', 'the audit log') }),
      mailRoutes(mail, { guard: guards.administrators('the mail outbox'), revealLinkSecrets: !config.SMTP_URL && config.NODE_ENV !== 'production' }),
      syncRoutes(sync, { devHeaders: config.TENANT_DEV_HEADER }),
      featureFlagRoutes(featureFlags, { guard: guards.capability('flags.manage', 'feature flags'), devHeaders: config.TENANT_DEV_HEADER }),
      customFieldRoutes(customFields, { guard: guards.capability('fields.manage', 'custom fields'), devHeaders: config.TENANT_DEV_HEADER }),
      metadataRoutes({ db: database.db, registry, access, customFields, tenantLocale: (tenantId) => tenants.getTenant(tenantId).then((tenant) => tenant.locale), devHeaders: config.TENANT_DEV_HEADER }),
      clientConfigRoutes({ db: database.db, sections: clientConfigSections({ registry, access, tenants, featureFlags, apps }), devHeaders: config.TENANT_DEV_HEADER }),
      ingestRoutes(ingest, {
        guard: guards.capability('ingest.manage', 'data ingestion'),
        devHeaders: config.TENANT_DEV_HEADER,
        filesDir: ingestFilesDir(config),
        maxUploadBytes: config.INGEST_MAX_UPLOAD_BYTES,
        maxBatchBytes: config.INGEST_MAX_BATCH_BYTES,
        startRun: (context, runId) => background!.ingestJobs.enqueue(background!.jobs, context.tenantId, runId, context.userId ?? null),
      }),
    ];
    const http = await buildHttpApp({ config, logger, registry, records, tenants, metrics, health, idempotency: createIdempotencyStore(database.db), rateLimitStore: shared && createRedisRateLimitStore(shared.client, { onFailure: () => shared.countFailure('rate_limits') }), routes: [identity.routes, tenantAdmin.routes, ...routes], authenticator: tenantAdmin.authenticatorWith(identity.service) });
    await jobs.start();
    await background.secretPurge.schedule(jobs);
    await background.syncRetention.schedule(jobs);
    await background.ingestFileRetention.schedule(jobs);
    if (config.SEED_DEMO) await seedDemoTenant({ tenants, records, database, apps, logger, identity: identity.service, dataDir: config.DATA_DIR });
    const work = background;
    return {
      http,
      registry,
      records,
      sync,
      ingest,
      tenants,
      identity: identity.service,
      tenantAdmin,
      jobs,
      mail,
      database,
      logger,
      drain: () => void (draining = true),
      async close() {
        draining = true;
        await http.close();
        await work.close(config.SHUTDOWN_GRACE_MS);
        await shared?.close();
        await db.close();
        await urls.embedded?.stop();
      },
    };
  } catch (error) {
    await background?.close(0);
    await redis?.close();
    await database?.close();
    await urls.embedded?.stop();
    throw error;
  }
}

/**
 * The sections of GET /v1/config: who and where (user, roles, tenant settings), evaluated flags,
 * what the principal may do with each entity, which entities sync, and each app's own part.
 */
function clientConfigSections(deps: { registry: ModelRegistry; access: AccessControl; tenants: TenantDirectory; featureFlags: FeatureFlags; apps: readonly AppModule[] }): ConfigSection[] {
  const exposed = deps.registry.entities.filter((entity) => entity.expose);
  return [
    {
      name: 'session',
      async build(_tx, context) {
        const tenant = await deps.tenants.getTenant(context.tenantId);
        return {
          userId: context.userId ?? null,
          apiKeyId: context.apiKeyId ?? null,
          roles: context.roles ?? [],
          tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, locale: tenant.locale, timezone: tenant.timezone, currency: typeof tenant.settings.currency === 'string' ? tenant.settings.currency : 'EUR' },
        };
      },
    },
    { name: 'flags', build: (tx, context) => deps.featureFlags.evaluate(context, tx) },
    {
      name: 'permissions',
      async build(tx, context) {
        const permissions: Record<string, string[]> = {};
        for (const entity of exposed) {
          const granted = await deps.access.permissionsOn(tx, context, entity);
          const actions = ['read', 'create', 'update', 'delete', ...entity.actions].filter((action) => granted.can(action));
          if (actions.length > 0) permissions[entity.name] = actions;
        }
        return permissions;
      },
    },
    {
      name: 'sync',
      async build(tx, context) {
        const readable: string[] = [];
        for (const entity of deps.registry.entities.filter((candidate) => candidate.sync)) if ((await deps.access.permissionsOn(tx, context, entity)).can('read')) readable.push(entity.name);
        return { entities: readable, pull: '/v1/sync/pull', push: '/v1/sync/push' };
      },
    },
    {
      name: 'apps',
      async build(tx, context) {
        const parts: Record<string, unknown> = {};
        for (const app of deps.apps) if (app.clientConfig) parts[app.name] = await app.clientConfig(tx, context);
        return parts;
      },
    },
  ];
}

/** The model and the services every write goes through (the server and `tenantry worker` alike). */
export function composeDataServices(config: Config, db: Database['db'], apps: readonly AppModule[]) {
  const registry = createRegistry(apps.flatMap((app) => app.entities));
  const audit = createAuditLog(db, { defaultLimit: config.HTTP_LIST_DEFAULT_LIMIT, maxLimit: config.HTTP_LIST_MAX_LIMIT });
  const access = createAccessControl({ attributeSources: apps.flatMap((app) => app.attributes ?? []) });
  // Custom fields (kernel/tenancy): records checks every write's ext against them; metadata describes them.
  const customFields = createCustomFields(db, { registry, audit });
  const records = createRecordService(db, registry, { access, listeners: [audit.listener], actions: apps.flatMap((app) => app.actions ?? []), rules: apps.flatMap((app) => app.rules ?? []), customFields });
  // Tenant settings (kernel/tenancy) may override the fuzzy matching thresholds of the specs (PUT /v1/ingest/settings).
  const tenantDirectory = createTenantDirectory(db);
  const ingest = createIngestService({ db, registry, records, customFields, chunkSize: config.INGEST_CHUNK_ROWS, chunkBytes: config.INGEST_CHUNK_BYTES, audit,
    tenantSettings: { read: (tenantId) => tenantDirectory.getTenant(tenantId).then((tenant) => tenant.settings), write: (tx, tenantId, key, value) => tenantDirectory.setSetting(tenantId, key, value, tx).then((updated) => updated.previous) },
  });
  return { registry, audit, access, customFields, records, ingest };
}

/** Where ingestion keeps uploaded, pushed and re-submitted files (a folder per tenant). */
export const ingestFilesDir = (config: Pick<Config, 'DATA_DIR'>): string => join(config.DATA_DIR, 'ingest');

export interface BackgroundWork {
  readonly jobs: JobQueue;
  readonly mail: MailService;
  /** Spent tokens, ended sessions and invitations, link secrets of old mails: purged daily per tenant. */
  readonly secretPurge: SecretPurge;
  /** The sync change log beyond SYNC_RETENTION_DAYS: purged daily per tenant. */
  readonly syncRetention: SyncRetention;
  /** Ingestion runs of uploaded files (queued by the HTTP routes). */
  readonly ingestJobs: ReturnType<typeof createIngestJobs>;
  /** Ingestion files beyond INGEST_FILE_RETENTION_DAYS: removed daily per tenant. */
  readonly ingestFileRetention: IngestFileRetention;
  /** Stops the workers (running jobs get up to graceMs) and closes the jobs pool and SMTP transport. */
  close(graceMs: number): Promise<void>;
}

/**
 * The job queue with every module's queues registered, on a pool of its own (runtime role). The
 * server and `tenantry worker` both compose it, so they know the same queues; only a worker polls.
 */
export function composeBackgroundWork(
  config: Config,
  urls: Pick<DatabaseUrls, 'appUrl'>,
  deps: { tenants: TenantDirectory; apiDb: Database['db']; logger: Logger; work: boolean; ingest: IngestService },
): BackgroundWork {
  const jobsDatabase = openDatabase(urls.appUrl, { max: config.JOBS_POOL_MAX, applicationName: deps.work ? 'tenantry-worker' : 'tenantry-jobs' });
  const jobs = createJobQueue({ database: jobsDatabase, logger: deps.logger, work: deps.work, pollIntervalMs: config.JOBS_POLL_INTERVAL_MS, concurrency: config.JOBS_CONCURRENCY });
  const mail = createMailService({ db: deps.apiDb, jobs, settings: config, logger: deps.logger, tenantLocale: (tenantId) => deps.tenants.getTenant(tenantId).then((tenant) => tenant.locale) });
  const secretPurge = createSecretPurge({ db: deps.apiDb, tenants: deps.tenants, mail, logger: deps.logger });
  secretPurge.register(jobs);
  const syncRetention = createSyncRetention({ db: deps.apiDb, tenants: deps.tenants, retentionDays: config.SYNC_RETENTION_DAYS, logger: deps.logger });
  syncRetention.register(jobs);
  const ingestJobs = createIngestJobs(deps.ingest, { concurrency: config.INGEST_CONCURRENCY });
  ingestJobs.register(jobs);
  const ingestFileRetention = createIngestFileRetention({ db: deps.apiDb, tenants: deps.tenants, filesDir: ingestFilesDir(config), retentionDays: config.INGEST_FILE_RETENTION_DAYS, logger: deps.logger });
  ingestFileRetention.register(jobs);
  return {
    jobs,
    mail,
    secretPurge,
    syncRetention,
    ingestJobs,
    ingestFileRetention,
    async close(graceMs) {
      await jobs.stop({ timeoutMs: graceMs });
      await mail.close();
      await jobsDatabase.close();
    },
  };
}

/**
 * `tenantry worker`: migrations as the owner (like the server), then a worker polling every queue as
 * the runtime role until close(). With the embedded database, run it while no server holds DATA_DIR.
 */
export async function startWorker(config: Config, logger: Logger): Promise<{ close(): Promise<void> }> {
  const urls = await resolveDatabase(config, logger);
  const api = openDatabase(urls.appUrl, { max: 2, applicationName: 'tenantry-worker' });
  let background: BackgroundWork | undefined;
  try {
    await migrateDatabase(urls, config, appModules);
    await assertRuntimeRoleIsSafe(api.db);
    background = composeBackgroundWork(config, urls, { tenants: createTenantDirectory(api.db), apiDb: api.db, logger, work: true, ingest: composeDataServices(config, api.db, appModules).ingest });
    await background.jobs.start();
    await background.secretPurge.schedule(background.jobs);
    await background.syncRetention.schedule(background.jobs);
    await background.ingestFileRetention.schedule(background.jobs);
  } catch (error) {
    await background?.close(0);
    await api.close();
    await urls.embedded?.stop();
    throw error;
  }
  const work = background;
  return {
    async close() {
      await work.close(config.SHUTDOWN_GRACE_MS);
      await api.close();
      await urls.embedded?.stop();
    },
  };
}

/** Creates the demo tenant and runs each app's seed, once (a second start finds the tenant). */
export const demoOwnerEmail = 'owner@demo.example';

/** Where the demo owner's generated password is kept (mode 0600), so every start can print it. */
export function demoCredentialsFile(dataDir: string): string {
  return join(resolvePath(dataDir), 'demo-owner.txt');
}

interface DemoSeed {
  tenants: TenantDirectory;
  records: RecordService;
  database: Database;
  apps: readonly AppModule[];
  logger: Logger;
  identity: IdentityService;
  dataDir: string;
}

/**
 * Creates the demo tenant through the real sign-up (so its owner can log in), then each app's seed,
 * once: a second start finds the tenant. The owner's password is random and kept beside the data.
 */
async function seedDemoTenant({ tenants, records, database, apps, logger, identity, dataDir }: DemoSeed): Promise<void> {
  const existing = await tenants.getTenant(demoTenantSlug).catch(() => undefined);
  if (existing) return;
  const password = `demo-${randomBytes(15).toString('base64url')}`;
  await identity.signUp({ email: demoOwnerEmail, password, name: 'Demo Owner', tenant: { slug: demoTenantSlug, name: 'Demo Company' } }, { ip: '127.0.0.1', userAgent: 'tenantry seed' });
  const tenant = await tenants.getTenant(demoTenantSlug).catch(() => {
    throw new Error(`Seeding the demo tenant failed: sign-up of ${demoOwnerEmail} created no tenant "${demoTenantSlug}" (does that user already exist?)`);
  });
  mkdirSync(resolvePath(dataDir), { recursive: true });
  writeFileSync(demoCredentialsFile(dataDir), `${demoOwnerEmail}\n${password}\n`, { mode: 0o600 });
  const context = { tenantId: tenant.id };
  const seeding = withTenant(database.db, context, async (tx) => {
    const api: SeedApi = {
      tenantId: tenant.id,
      async insert(entity, rows) {
        const created = [];
        for (let start = 0; start < rows.length; start += 1000) created.push(...(await records.createMany(context, entity, rows.slice(start, start + 1000), tx)));
        return created;
      },
      perform: (entity, id, action, input = {}) => records.perform(context, entity, id, action, input, { tx }),
    };
    for (const app of apps) await app.seed?.(api);
  });
  // A failed seed leaves no half-seeded tenant behind (the demo user stays: identities are global).
  await seeding.catch(async (error: unknown) => {
    await tenants.deleteTenant(tenant.id);
    throw error;
  });
  logger.info({ tenant: demoTenantSlug }, 'demo tenant seeded');
}
