/**
 * One ingestion run of the bench's ingest part in a process of its own, so that its peak RSS is the
 * pipeline's: composed as `tenantry ingest` composes it (composeDataServices on a pool of 4 as the
 * runtime role tenantry_app, RLS on). Saves the spec, sends `ready`, waits for `go` (the parent reads
 * PostgreSQL's CPU in between), then creates and executes one run of the file and sends `done` with
 * the run, its wall time, CPU, pg round trips and memory (sampled RSS and getrusage's maxRSS).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { appModules, composeDataServices } from '../../src/compose.ts';
import { loadConfig } from '../../src/kernel/config/index.ts';
import { assertRuntimeRoleIsSafe, openDatabase } from '../../src/kernel/db/index.ts';
import type { IngestRun, RunMode } from '../../src/kernel/ingest/index.ts';
import { queriesSent, requireEnv } from './bench-protocol.ts';

export interface IngestRunnerDone {
  type: 'done';
  run: IngestRun;
  /** createRun (hashes the file) + executeRun. */
  ms: number;
  cpuMs: number;
  queries: number;
  /** RSS once composed, before the run. */
  rssBeforeBytes: number;
  /** Highest RSS sampled every 100 ms during the run. */
  sampledPeakRssBytes: number;
  sampledPeakHeapBytes: number;
  /** getrusage's maxRSS of the whole process (start-up included). */
  maxRssBytes: number;
}

export interface IngestRunnerProgress {
  type: 'progress';
  read: number;
  bytesRead: number;
  rssBytes: number;
}


const ownerUrl = requireEnv('BENCH_OWNER_URL');
const appUrl = requireEnv('BENCH_APP_URL');
const tenantId = requireEnv('BENCH_INGEST_TENANT');
const file = requireEnv('BENCH_INGEST_FILE');
const specFile = requireEnv('BENCH_INGEST_SPEC');
const mode = requireEnv('BENCH_INGEST_MODE') as RunMode;
const send = (message: object) => new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
// A bench that went away takes its run with it.
const onDisconnect = () => process.exit(1);
process.on('disconnect', onDisconnect);

const config = loadConfig({ env: {}, envFile: false, overrides: { LOG_LEVEL: 'warn', DATABASE_URL: ownerUrl, DATABASE_APP_URL: appUrl } });
const database = openDatabase(appUrl, { max: 4, applicationName: 'tenantry-ingest-bench' });
try {
  await assertRuntimeRoleIsSafe(database.db);
  const { ingest } = composeDataServices(config, database.db, appModules);
  const context = { tenantId };
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as { name: string };
  await ingest.saveSpec(context, spec.name, spec);
  await new Promise<void>((resolve) => {
    process.on('message', (message: { type?: string }) => message?.type === 'go' && resolve());
    void send({ type: 'ready' });
  });

  const rssBeforeBytes = process.memoryUsage.rss();
  let sampledPeakRssBytes = rssBeforeBytes;
  let sampledPeakHeapBytes = 0;
  const sample = () => {
    const memory = process.memoryUsage();
    sampledPeakRssBytes = Math.max(sampledPeakRssBytes, memory.rss);
    sampledPeakHeapBytes = Math.max(sampledPeakHeapBytes, memory.heapUsed);
  };
  const sampler = setInterval(sample, 100);
  let lastProgress = performance.now();
  const queriesBefore = queriesSent();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const created = await ingest.createRun(context, { spec: spec.name, mode, file: { path: file, name: basename(file) } });
  const run = await ingest.executeRun(context, created.id, {
    onProgress: (progress) => {
      if (performance.now() - lastProgress < 10_000) return;
      lastProgress = performance.now();
      void send({ type: 'progress', read: progress.counts.read, bytesRead: progress.bytesRead, rssBytes: process.memoryUsage.rss() } satisfies IngestRunnerProgress);
    },
  });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  sample();
  await send({
    type: 'done',
    run,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    queries: queriesSent() - queriesBefore,
    rssBeforeBytes,
    sampledPeakRssBytes,
    sampledPeakHeapBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  } satisfies IngestRunnerDone);
} finally {
  await database.close();
}
process.off('disconnect', onDisconnect);
process.disconnect();
