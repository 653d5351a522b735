/**
 * The `tenantry` command: database migrations and the migration generator, tenant lifecycle, audit
 * verification, data ingestion (ingest.command.ts) and the worker.
 */
import closeWithGrace from 'close-with-grace';
import { Command } from 'commander';
import { appModules, ingestFilesDir, migrateDatabase, resolveDatabase, startWorker } from '../compose.ts';
import { createAuditLog, platformChainId } from '../kernel/audit/index.ts';
import { loadConfig } from '../kernel/config/index.ts';
import { assertRuntimeRoleIsSafe, openDatabase, type Database } from '../kernel/db/index.ts';
import { createRegistry, generateMigration } from '../kernel/model/index.ts';
import { removeTenantFiles } from '../kernel/ingest/index.ts';
import { createLogger } from '../kernel/observability/index.ts';
import { AppError } from '../kernel/shared/index.ts';
import { createTenantDirectory, type TenantDirectory } from '../kernel/tenancy/index.ts';
import { registerIngestCommands } from './ingest.command.ts';
import { printRows } from './print-rows.ts';

const program = new Command('tenantry').description('Tenantry platform command line').showHelpAfterError()
  // Each command parses its own options after its name (`ingest rejects <run> --tenant x` goes to `rejects`).
  .enablePositionalOptions();

const db = program.command('db').description('Database schema');
db.command('migrate')
  .description('Apply pending migrations (as the owner role), provisioning the runtime role')
  .action(async () => {
    const config = loadConfig();
    const urls = await resolveDatabase(config);
    try {
      const applied = await migrateDatabase(urls, config, appModules);
      console.log(applied.length === 0 ? 'Database is up to date.' : `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}`);
    } finally {
      await urls.embedded?.stop();
    }
  });
db.command('generate')
  .description('Write SQL migrations for model changes of each app (additive changes only)')
  .requiredOption('-n, --name <name>', 'short description for the file name, e.g. add_product_gtin')
  .option('-m, --module <module>', 'only this app')
  .action((options: { name: string; module?: string }) => {
    const registry = createRegistry(appModules.flatMap((app) => app.entities));
    let failed = false;
    for (const app of appModules) {
      if (options.module && app.name !== options.module) continue;
      const result = generateMigration({ registry, module: app.name, dir: app.migrationsDir, name: options.name });
      if (result.status === 'written') console.log(`${app.name}: wrote ${result.file} (${result.statements} statements)`);
      else if (result.status === 'unchanged') console.log(`${app.name}: no model changes`);
      else {
        failed = true;
        console.error(`${app.name}: refused; write these by hand:\n  - ${result.reasons.join('\n  - ')}`);
      }
    }
    if (failed) process.exitCode = 1;
  });

const tenant = program.command('tenant').description('Tenant lifecycle');
async function withTenants(work: (tenants: TenantDirectory, database: Database) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const urls = await resolveDatabase(config);
  const database = openDatabase(urls.appUrl, { max: 2 });
  try {
    await assertRuntimeRoleIsSafe(database.db);
    await work(createTenantDirectory(database.db), database);
  } finally {
    await database.close();
    await urls.embedded?.stop();
  }
}
tenant.command('list').action(() =>
  withTenants(async (tenants) => {
    const rows = (await tenants.listTenants({ limit: 1000 })).map(({ id, slug, name, status, plan }) => ({ id, slug, name, status, plan }));
    printRows(rows, { empty: 'No tenants yet: `tenantry tenant create --slug <slug> --name <name>` makes one; `npm start` seeds the demo tenant on its first start.', limit: 1000, more: 'The first 1,000 tenants.' });
  }),
);
tenant.command('create')
  .requiredOption('--slug <slug>')
  .requiredOption('--name <name>')
  .option('--plan <plan>')
  .option('--locale <locale>')
  .option('--timezone <timezone>')
  .action((options: { slug: string; name: string; plan?: string; locale?: string; timezone?: string }) =>
    withTenants(async (tenants) => {
      const created = await tenants.createTenant(options);
      console.log(`Created tenant ${created.slug} (${created.id})`);
    }),
  );
for (const [name, verb] of [['suspend', 'suspendTenant'], ['reactivate', 'reactivateTenant']] as const) {
  tenant.command(`${name} <tenant>`).description(`${name} a tenant (slug or id)`).action((idOrSlug: string) =>
    withTenants(async (tenants) => {
      const updated = await tenants[verb](idOrSlug);
      console.log(`Tenant ${updated.slug} is ${updated.status}`);
    }),
  );
}
tenant.command('delete <tenant>')
  .description('Delete a tenant and every row of its data')
  .requiredOption('--yes', 'confirm the deletion')
  .action((idOrSlug: string) =>
    withTenants(async (tenants) => {
      const { id } = await tenants.getTenant(idOrSlug);
      const removed = await tenants.deleteTenant(id);
      // Its ingestion files (uploads, batches, re-submissions) go with its rows.
      await removeTenantFiles(ingestFilesDir(loadConfig()), id);
      console.log(`Deleted tenant ${idOrSlug}; rows removed:`, removed);
    }),
  );

registerIngestCommands(program);

const audit = program.command('audit').description('Audit log');
audit.command('verify')
  .description('Walk a tenant\'s audit chain and report the first edited, deleted or reordered event (exit code 1)')
  .option('--tenant <tenant>', 'tenant slug or id')
  .option('--platform', 'the platform chain (events with no tenant)')
  .action((options: { tenant?: string; platform?: boolean }) =>
    withTenants(async (tenants, database) => {
      if (!options.tenant === !options.platform) throw new Error('Give either --tenant <slug> or --platform.');
      const tenantId = options.platform ? platformChainId : (await tenants.getTenant(options.tenant!)).id;
      const report = await createAuditLog(database.db).verifyChain(tenantId);
      const name = options.tenant ?? 'platform';
      if (report.intact) console.log(`Audit chain of ${name} is intact: ${report.checked} event(s), head seq ${report.headSeq}, head hash ${report.headHash}`);
      else {
        console.error(`Audit chain of ${name} is broken at seq ${report.problem!.seq} (${report.problem!.kind}): ${report.problem!.detail}; ${report.checked} event(s) read.`);
        process.exitCode = 1;
      }
    }),
  );

program.command('worker')
  .description('Run background jobs (mail delivery, schedules, retries) until stopped (SIGINT/SIGTERM)')
  .action(async () => {
    const config = loadConfig();
    const logger = createLogger({ level: config.LOG_LEVEL });
    const worker = await startWorker(config, logger);
    logger.info('tenantry worker running');
    closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS + 5000 }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'worker stopping after an error');
      else logger.info({ signal }, 'worker stopping');
      await worker.close();
      logger.info('worker stopped');
    });
  });

/** What a failed command prints: the error's message; for a tenant it cannot find, where to look. */
function failureMessage(error: unknown): string {
  if (error instanceof AppError && error.code === 'tenancy.tenant_not_found') {
    return 'Tenant not found: no tenant of this database has that slug or id. `tenantry tenant list` lists them, `tenantry tenant create --slug <slug> --name <name>` makes one; `npm start` seeds the demo tenant on its first start.';
  }
  return (error as Error).message;
}

program.parseAsync().catch((error: unknown) => {
  console.error(failureMessage(error));
  process.exitCode = 1;
});
