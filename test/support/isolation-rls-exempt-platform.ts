/**
 * The HTTP app wired like compose.ts does, but over a connection that row-level security does not
 * apply to (the owner, a superuser in tests). compose.ts rightly refuses such a role, so the pieces
 * are assembled here. What stays between tenants is the code's own tenant filtering alone: the
 * second layer DESIGN.md asks for ("code filters by tenant too"), tested on its own.
 */
import { composeBackgroundWork, type Platform } from '../../src/compose.ts';
import { createAuditLog } from '../../src/kernel/audit/index.ts';
import { loadConfig } from '../../src/kernel/config/index.ts';
import { openDatabase } from '../../src/kernel/db/index.ts';
import { buildHttpApp, createIdempotencyStore } from '../../src/kernel/http/index.ts';
import { createLogger, createMetrics } from '../../src/kernel/observability/index.ts';
import { createRecordService } from '../../src/kernel/records/index.ts';
import { createIdentity, createTenantAdmin } from '../../src/kernel/identity/index.ts';
import { createAccessControl, createRoleCatalog } from '../../src/kernel/access/index.ts';
import { createSyncService, syncRoutes } from '../../src/kernel/sync/index.ts';
import { createTenantDirectory } from '../../src/kernel/tenancy/index.ts';
import { createTestDatabase } from './database.ts';
import { isolationRegistry } from './isolation-setup.ts';
import { testModules } from './test-env.ts';
import type { TestPlatform } from './platform.ts';
import { join } from 'node:path';
import { createIngestService, ingestRoutes } from '../../src/kernel/ingest/index.ts';
import { makeTempDir } from './temp-dir.ts';

export async function startRlsExemptPlatform(): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const config = loadConfig({
    env: {},
    envFile: false,
    overrides: { NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: false, TENANT_DEV_HEADER: true, DATABASE_URL: database.ownerUrl },
  });
  const logger = createLogger({ level: 'silent' });
  const connection = openDatabase(database.ownerUrl, { max: 4, applicationName: 'tenantry-rls-exempt' });
  // As compose.ts wires it (actions, write rules, derived attributes), on the exempt connection.
  const records = createRecordService(connection.db, isolationRegistry, {
    access: createAccessControl({ attributeSources: testModules.flatMap((app) => app.attributes ?? []) }),
    actions: testModules.flatMap((app) => app.actions ?? []),
    rules: testModules.flatMap((app) => app.rules ?? []),
  });
  const tenants = createTenantDirectory(connection.db);
  const sync = createSyncService(connection.db, isolationRegistry, records, { secret: config.TOKEN_SECRET });
  const ingest = createIngestService({ db: connection.db, registry: isolationRegistry, records, customFields: { allFieldsOf: async () => [] }, audit: createAuditLog(connection.db) });
  const http = await buildHttpApp({
    config,
    logger,
    registry: isolationRegistry,
    records,
    tenants,
    metrics: createMetrics({ api: connection.pool }),
    health: { isDraining: () => false, check: async () => [] },
    idempotency: createIdempotencyStore(connection.db),
    routes: [
      syncRoutes(sync, { devHeaders: true }),
      ingestRoutes(ingest, { guard: async () => {}, devHeaders: true, filesDir: join(makeTempDir('iso-ingest-')), maxUploadBytes: 10_000_000, startRun: async () => {} }),
    ],
  });
  await http.ready();
  const background = composeBackgroundWork(config, { appUrl: database.ownerUrl }, { tenants, apiDb: connection.db, logger, work: false, ingest });
  const platform: Platform = {
    http,
    registry: isolationRegistry,
    records,
    sync,
    ingest,
    tenants,
    identity: createIdentity(connection.db, tenants, config).service,
    tenantAdmin: createTenantAdmin({ db: connection.db, roles: createRoleCatalog(connection.db), sessions: { forgetUserIn: () => {} }, cacheMs: 0, devHeaders: true }),
    jobs: background.jobs,
    mail: background.mail,
    database: connection,
    logger,
    drain: () => {},
    async close() {
      await http.close();
      await background.close(0);
      await connection.close();
    },
  };
  return {
    platform,
    database,
    createTenant: (slug) => tenants.createTenant({ slug: slug ?? `tenant-${Math.random().toString(36).slice(2, 8)}`, name: 'Test tenant' }),
    async close() {
      await platform.close();
      await database.drop();
    },
  };
}
