/**
 * `tenantry ingest`: load a file through a mapping spec with a progress bar and a summary table, and
 * inspect runs, rejects and open cases. The run executes in this process (the same pipeline as an
 * uploaded file's job); an interrupted run resumes with `tenantry ingest resume <run>`.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { appModules, composeDataServices, ingestFilesDir, migrateDatabase, resolveDatabase } from '../compose.ts';
import { loadConfig } from '../kernel/config/index.ts';
import { assertRuntimeRoleIsSafe, openDatabase, type TenantContext } from '../kernel/db/index.ts';
import { rejectedRowsFile, rejectsCsv, tenantFilesDir, type Corrections, type IngestCounts, type IngestRun, type IngestService, type RunProgress } from '../kernel/ingest/index.ts';
import { AppError } from '../kernel/shared/index.ts';
import { forEachTenant } from '../kernel/jobs/index.ts';
import { createTenantDirectory, type TenantDirectory } from '../kernel/tenancy/index.ts';
import { registerReviewCommands } from './ingest-review.command.ts';
import { printRows } from './print-rows.ts';

async function withIngestServices(work: (ingest: IngestService, tenants: TenantDirectory) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const urls = await resolveDatabase(config);
  const database = openDatabase(urls.appUrl, { max: 4, applicationName: 'tenantry-ingest' });
  try {
    await migrateDatabase(urls, config, appModules);
    await assertRuntimeRoleIsSafe(database.db);
    await work(composeDataServices(config, database.db, appModules).ingest, createTenantDirectory(database.db));
  } finally {
    await database.close();
    await urls.embedded?.stop();
  }
}

const withIngest = (tenantSlug: string, work: (ingest: IngestService, context: TenantContext) => Promise<void>): Promise<void> =>
  withIngestServices(async (ingest, tenants) => work(ingest, { tenantId: (await tenants.getTenant(tenantSlug)).id }));

/**
 * `ingest specs`: each spec's latest version and whether it still passes its checks (after an
 * upgrade that added a rule, or a custom field it maps was deleted, runs of it are refused until a
 * corrected version is saved). Exit code 1 when one does not, so a deployment script can stop on it.
 */
async function printSpecChecks(service: IngestService, tenants: TenantDirectory, tenantSlug: string | undefined): Promise<void> {
  const rows: { tenant: string; spec: string; entity: string; saved: string; checks: string }[] = [];
  const visit = async (tenantId: string, tenant: { slug: string }) => {
    for (const spec of await service.listSpecs({ tenantId })) {
      const [first] = spec.problems;
      const checks = first ? `${spec.problems.length} problem(s): ${first.pointer} ${first.detail}` : 'passes';
      rows.push({ tenant: tenant.slug, spec: `${spec.name}@${spec.version}`, entity: spec.spec.entity, saved: spec.createdAt, checks });
    }
  };
  if (tenantSlug) {
    const tenant = await tenants.getTenant(tenantSlug);
    await visit(tenant.id, tenant);
  } else await forEachTenant(tenants, visit);
  printRows(rows, { empty: tenantSlug ? 'The tenant has no mapping specs.' : 'No tenant has a mapping spec.' });
  const failing = rows.filter((row) => row.checks !== 'passes').length;
  if (failing === 0) return;
  console.error(`${failing} spec(s) no longer pass their checks; their runs are refused until a corrected version is saved (PUT /v1/ingest/specs/{name}, or tenantry ingest --spec <file>).`);
  process.exitCode = 1;
}

/** A corrections file: `{ "<row>": { "<source field>": string | number | boolean | null } }`. */
function correctionsOf(input: unknown): Corrections {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const fine = isObject(input) && Object.values(input).every((row) => isObject(row) && Object.values(row).every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value)));
  if (!fine) throw new Error('--corrections: expected { "<row>": { "<source field>": string | number | boolean | null } }');
  return input as Corrections;
}

function summary(run: IngestRun): void {
  const counts: IngestCounts = run.counts;
  const seconds = counts.durationMs / 1000;
  console.table({
    run: { value: run.id },
    status: { value: run.status },
    file: { value: `${run.file.name ?? ''} (${run.file.bytes ?? 0} bytes, ${run.file.encoding ?? '?'})` },
    ...Object.fromEntries(Object.entries(counts).filter(([key]) => key !== 'durationMs').map(([key, value]) => [key, { value }])),
    duration: { value: `${seconds.toFixed(1)} s` },
    'rows/s': { value: seconds > 0 ? Math.round(counts.read / seconds) : counts.read },
  });
  if (run.error) console.error(`Run failed: ${run.error.code}: ${run.error.detail}`);
}

async function execute(ingest: IngestService, context: TenantContext, run: IngestRun): Promise<void> {
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'ingest |{bar}| {percentage}% | {rows} rows | {rate} rows/s | created {created} updated {updated} rejected {rejected}', hideCursor: true }, Presets.shades_classic) : undefined;
  const started = Date.now();
  bar?.start(run.file.bytes ?? 1, 0, { rows: 0, rate: 0, created: 0, updated: 0, rejected: 0 });
  const onProgress = (progress: RunProgress) => {
    const rate = Math.round(progress.counts.read / Math.max((Date.now() - started) / 1000, 0.001));
    bar?.update(progress.bytesRead, { rows: progress.counts.read, rate, created: progress.counts.created, updated: progress.counts.updated, rejected: progress.counts.rejected });
  };
  try {
    summary(await ingest.executeRun(context, run.id, { onProgress }));
  } catch (error) {
    bar?.stop();
    summary(await ingest.getRun(context, run.id));
    process.exitCode = 1;
    // A domain error is in the summary; anything else is printed whole for the operator (this is their terminal).
    if (!(error instanceof AppError)) console.error(error);
    return;
  }
  bar?.stop();
}

export function registerIngestCommands(program: Command): void {
  const ingest = program
    .command('ingest')
    .description('Load a file through a mapping spec (and inspect runs, rejects, cases)')
    .enablePositionalOptions()
    .argument('[file]', 'the file to load')
    .option('--tenant <slug>', 'tenant slug or id')
    .option('--source <name>', 'the mapping spec (its name)')
    .option('--entity <entity>', 'the entity the file holds (checked against the spec)')
    .option('--spec <file>', 'save this JSON mapping spec under --source first (a new version if it changed)')
    .option('--mode <mode>', 'full (records missing from the file are deactivated) or delta', 'delta')
    .action(async (file: string | undefined, options: { tenant?: string; source?: string; entity?: string; spec?: string; mode: string }) => {
      if (!file || !options.tenant || !options.source) throw new Error('Usage: tenantry ingest --tenant <slug> --source <spec> [--entity <entity>] [--mode full|delta] <file>');
      if (options.mode !== 'full' && options.mode !== 'delta') throw new Error('--mode is full or delta');
      await withIngest(options.tenant, async (service, context) => {
        if (options.spec) {
          const saved = await service.saveSpec(context, options.source!, JSON.parse(await readFile(options.spec, 'utf8')));
          console.log(saved.created ? `Saved ${saved.spec.name} version ${saved.spec.version}` : `Spec ${saved.spec.name} version ${saved.spec.version} is unchanged`);
        }
        const spec = await service.getSpec(context, options.source!);
        if (options.entity && options.entity !== spec.spec.entity) throw new Error(`The spec ${spec.name} loads ${spec.spec.entity}, not ${options.entity}.`);
        const run = await service.createRun(context, { spec: spec.name, mode: options.mode as 'full' | 'delta', file: { path: resolve(file), name: basename(file) } });
        await execute(service, context, run);
      });
    });
  ingest.command('resume <run>').description('Resume an interrupted or failed run from its checkpoint').requiredOption('--tenant <slug>').action((runId: string, options: { tenant: string }) =>
    withIngest(options.tenant, async (service, context) => execute(service, context, await service.getRun(context, runId))),
  );
  ingest
    .command('specs')
    .description('Mapping specs (latest versions) and whether each still passes its checks; of every tenant unless --tenant')
    .option('--tenant <slug>')
    .action((options: { tenant?: string }) => withIngestServices((service, tenants) => printSpecChecks(service, tenants, options.tenant)));
  ingest.command('runs').description('Recent runs').requiredOption('--tenant <slug>').action((options: { tenant: string }) =>
    withIngest(options.tenant, async (service, context) => {
      const runs = (await service.listRuns(context, 50)).map((run) => ({ id: run.id, spec: `${run.spec.name}@${run.spec.version}`, mode: run.mode, status: run.status, read: run.counts.read, created: run.counts.created, updated: run.counts.updated, rejected: run.counts.rejected, file: run.file.name }));
      printRows(runs, { empty: 'No runs yet.', limit: 50, more: 'The 50 most recent runs.' });
    }),
  );
  ingest.command('rejects <run>').description('Rejected rows of a run (--csv: as CSV on stdout; --source-shape: the rejected rows as the source had them, to fix and re-submit)').requiredOption('--tenant <slug>').option('--csv').option('--source-shape').action((runId: string, options: { tenant: string; csv?: boolean; sourceShape?: boolean }) =>
    withIngest(options.tenant, async (service, context) => {
      if (options.sourceShape) {
        for await (const chunk of rejectedRowsFile(await service.rejectedRows(context, runId)).stream) process.stdout.write(chunk as Buffer | string);
        return;
      }
      if (options.csv) {
        await service.getRun(context, runId);
        for await (const chunk of rejectsCsv(service, context, runId)) process.stdout.write(chunk as Buffer);
        return;
      }
      const rejects = (await service.listRejects(context, runId, { limit: 200 })).map(({ rowNumber, sourceKey, field, value, code, reason }) => ({ row: rowNumber, sourceKey, field, value, code, reason }));
      printRows(rejects, { empty: 'The run rejected no rows.', limit: 200, more: 'The first 200 problems; --csv writes them all.' });
    }),
  );
  ingest
    .command('resubmit <run>')
    .description("Re-submit a run's rejected rows as a new delta run: as stored (--corrections: a JSON file { \"<row>\": { \"<source field>\": value } }), or a fixed file of them (--file)")
    .requiredOption('--tenant <slug>')
    .option('--file <file>', 'the rejected rows, fixed (the file of `ingest rejects <run> --source-shape`, edited)')
    .option('--corrections <file>', 'per rejected row, source field -> new value')
    .action((runId: string, options: { tenant: string; file?: string; corrections?: string }) =>
      withIngest(options.tenant, async (service, context) => {
        const corrections = options.corrections ? correctionsOf(JSON.parse(await readFile(options.corrections, 'utf8'))) : undefined;
        const dir = tenantFilesDir(ingestFilesDir(loadConfig()), context.tenantId);
        const source = options.file ? { file: { path: resolve(options.file), name: basename(options.file) } } : corrections ? { corrections } : {};
        const resubmission = await service.resubmitRun(context, runId, { dir, ...source });
        const skipped = Object.entries(resubmission.skipped).filter(([, count]) => count > 0).map(([why, count]) => `${count} ${why}`);
        console.log(`Re-submitting ${resubmission.rows} row(s) of run ${runId} as run ${resubmission.run.id}${skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : ''}`);
        await execute(service, context, resubmission.run);
      }),
    );
  registerReviewCommands(ingest, withIngest);
}
