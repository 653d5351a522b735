/**
 * The ingest part of the bench (issue 5, "Figures"): a generated SAP KNA1 customer file
 * (src/kernel/ingest/sap-customers.fixture.ts) through the whole pipeline with the example spec
 * examples/ingest/sap-kna1-outlets.json, by default without its `matching.fuzzy` (the scenario:
 * cross-reference and exact-key dedup; `matching: 'fuzzy'` keeps the spec whole), into a fresh tenant per round (mode full), each run in a
 * child process of its own (bench/servers/ingest-runner.ts, with the `tenantry` command's Node.js flags,
 * src/cli/node-flags.ts) so its peak RSS is the pipeline's; then a
 * re-run of the same file (all unchanged); beside the floor: the same outlet rows as a plain
 * `COPY outlets FROM STDIN` into another fresh tenant, as the owner, in the same round.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { nodeFlags } from '../../src/cli/node-flags.ts';
import { writeSapCustomerFile } from '../../src/kernel/ingest/sap-customers.fixture.ts';
import type { IngestRunnerDone, IngestRunnerProgress } from '../servers/ingest-runner.ts';
import { mainThreadProfile, summarizeProfile } from './cpu-profile.ts';
import type { IngestStep } from './ingest-report.ts';
import { readClusterCpuMs, readMachineCpu, repoRoot, scriptArgs, stopChild, track } from './processes.ts';

export interface IngestBenchOptions {
  ownerUrl: string;
  appUrl: string;
  postmaster: number;
  rows: number;
  rounds: number;
  /** 'exact': the example spec without `matching.fuzzy` (the scenario); 'fuzzy': the spec as shipped. */
  matching: 'exact' | 'fuzzy';
  /** Registers the temp directory (generated file, exported rows) for removal on Ctrl-C. */
  onTempDir: (dir: string) => void;
  waitForQuiet: () => Promise<number>;
  say: (line: string) => void;
  /** BENCH_PROFILE=1: each run's process is profiled (--cpu-prof) into a directory of its own here, and where its CPU went is printed. */
  profileDir?: string;
}

export interface IngestBench {
  file: { rows: number; bytes: number; generateMs: number; spec: string };
  steps: IngestStep[];
}

const exampleSpec = join(repoRoot, 'examples', 'ingest', 'sap-kna1-outlets.json');
const mb = (bytes: number) => bytes / 1024 / 1024;
const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

export async function runIngestBench(options: IngestBenchOptions): Promise<IngestBench> {
  const { say } = options;
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-ingest-bench-'));
  options.onTempDir(dir);
  const owner = new pg.Client({ connectionString: options.ownerUrl });
  await owner.connect();
  try {
    const { specFile, specName } = benchSpec(dir, options.matching);
    const file = join(dir, `sap-kna1-${options.rows}.csv`);
    const generating = performance.now();
    await writeSapCustomerFile(file, options.rows);
    const generateMs = performance.now() - generating;
    const bytes = statSync(file).size;
    say(`\nIngest: generated ${thousands(options.rows)} SAP KNA1 rows (${mb(bytes).toFixed(0)} MB, Windows-1252) in ${(generateMs / 1000).toFixed(1)} s; spec ${specName}; ${options.rounds} round(s), a fresh tenant each`);
    const steps: IngestStep[] = [];
    const record = (step: IngestStep) => {
      steps.push(step);
      const memory = step.memory ? `  peak RSS ${step.memory.maxRssMb.toFixed(0)} MB` : '';
      say(`  round ${step.round}  ${step.target.padEnd(10)} ${(step.ms / 1000).toFixed(1).padStart(7)} s  ${thousands(step.rowsPerSecond).padStart(9)} rows/s${memory}  other procs ${(step.foreignBusy * 100).toFixed(0)}%  (settled ${(step.settleMs / 1000).toFixed(1)} s before)`);
    };
    const exported = join(dir, 'outlets.copy');
    let lastLoadTenant: string | undefined;
    for (let round = 1; round <= options.rounds; round += 1) {
      const loadTenant = await createTenant(owner, `ingest-${round}`);
      const floorTenant = await createTenant(owner, `ingest-floor-${round}`);
      // Odd rounds load first, even rounds copy first (the rows of the previous round's load), so drift hits both.
      const floorFirst = round % 2 === 0 && lastLoadTenant !== undefined;
      const floor = async (from: string) => {
        const rows = await exportOutlets(owner, from, floorTenant, exported);
        record(await measureFloor(owner, options, { round, tenantId: floorTenant, path: exported, rows }));
      };
      if (floorFirst) await floor(lastLoadTenant!);
      const first = await measureRun(owner, options, { round, target: 'first load', tenantId: loadTenant, file, bytes, specFile });
      record(first);
      const again = await measureRun(owner, options, { round, target: 're-run', tenantId: loadTenant, file, bytes, specFile });
      record(again);
      if (!floorFirst) await floor(loadTenant);
      lastLoadTenant = loadTenant;
    }
    return { file: { rows: options.rows, bytes, generateMs, spec: specName }, steps };
  } finally {
    await owner.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The spec file the runs use: the example spec, without its fuzzy matching unless asked for. */
function benchSpec(dir: string, matching: IngestBenchOptions['matching']): { specFile: string; specName: string } {
  if (matching === 'fuzzy') return { specFile: exampleSpec, specName: 'examples/ingest/sap-kna1-outlets.json' };
  const spec = JSON.parse(readFileSync(exampleSpec, 'utf8')) as { matching?: { fuzzy?: unknown } };
  if (!spec.matching?.fuzzy) throw new Error('the example spec has no matching.fuzzy to leave out');
  delete spec.matching.fuzzy;
  const specFile = join(dir, 'sap-kna1-outlets-exact.json');
  writeFileSync(specFile, JSON.stringify(spec));
  return { specFile, specName: 'examples/ingest/sap-kna1-outlets.json without matching.fuzzy (exact-key dedup, the issue\'s scenario)' };
}

async function createTenant(owner: pg.Client, slug: string): Promise<string> {
  const created = await owner.query<{ id: string }>('insert into tenants (id, slug, name) values (gen_random_uuid(), $1, $2) returning id', [slug, `Bench ${slug}`]);
  return created.rows[0]!.id;
}

/**
 * Between two timed steps: VACUUM ANALYZE and CHECKPOINT, so that the autovacuum and the dirty pages
 * of one step do not land in the next (two loads of a real feed are hours apart). Returns its time.
 */
async function settle(owner: pg.Client): Promise<number> {
  const started = performance.now();
  await owner.query('VACUUM (ANALYZE)');
  await owner.query('CHECKPOINT');
  return performance.now() - started;
}

interface Sample {
  postgresCpuMs: number;
  machine: ReturnType<typeof readMachineCpu>;
  bench: NodeJS.CpuUsage;
}

const sampleCpu = (postmaster: number): Sample => ({ postgresCpuMs: readClusterCpuMs(postmaster), machine: readMachineCpu(), bench: process.cpuUsage() });

/** PostgreSQL's and the bench's CPU since `before`, and the busy share of everything else (jiffies: 10 ms). */
function cpuSince(before: Sample, postmaster: number, ownCpuMs: number) {
  const machine = readMachineCpu();
  const bench = process.cpuUsage(before.bench);
  const postgresCpuMs = readClusterCpuMs(postmaster) - before.postgresCpuMs;
  const benchCpuMs = (bench.user + bench.system) / 1000;
  const capacityMs = Math.max(1, machine.total - before.machine.total) * 10;
  const foreignBusy = Math.max(0, (machine.busy - before.machine.busy) * 10 - ownCpuMs - postgresCpuMs - benchCpuMs) / capacityMs;
  return { postgresCpuMs, benchCpuMs, foreignBusy };
}

/** One run of the file into the tenant (mode full) in a fresh ingest-runner process. */
async function measureRun(owner: pg.Client, options: IngestBenchOptions, step: { round: number; target: 'first load' | 're-run'; tenantId: string; file: string; bytes: number; specFile: string }): Promise<IngestStep> {
  const settleMs = await settle(owner);
  const profileDir = options.profileDir ? join(options.profileDir, `ingest-${step.round}-${step.target.replace(' ', '-')}`) : undefined;
  const runner = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(await scriptArgs('bench/servers/ingest-runner.ts', profileDir !== undefined))];
  const child = track(
    spawn(process.execPath, [...nodeFlags, ...runner], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_OWNER_URL: options.ownerUrl, BENCH_APP_URL: options.appUrl, BENCH_INGEST_TENANT: step.tenantId, BENCH_INGEST_FILE: step.file, BENCH_INGEST_SPEC: step.specFile, BENCH_INGEST_MODE: 'full' },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(signal ?? code))));
  try {
    const message = (type: string) =>
      new Promise<unknown>((resolve, reject) => {
        const onMessage = (received: { type?: string }) => received?.type === type && (child.off('message', onMessage), resolve(received));
        child.on('message', onMessage);
        void exited.then((how) => reject(new Error(`the ingest runner exited (${how}) before "${type}"\n${stderr}`)));
      });
    await message('ready');
    await options.waitForQuiet();
    const started = performance.now();
    child.on('message', (progress: IngestRunnerProgress) => {
      if (progress?.type !== 'progress') return;
      const seconds = (performance.now() - started) / 1000;
      options.say(`    ${step.target}: ${thousands(progress.read)} rows (${((progress.bytesRead / step.bytes) * 100).toFixed(0)}% of the file) in ${seconds.toFixed(0)} s, ${thousands(progress.read / seconds)} rows/s, RSS ${mb(progress.rssBytes).toFixed(0)} MB`);
    });
    const before = sampleCpu(options.postmaster);
    const done = message('done') as Promise<IngestRunnerDone>;
    child.send({ type: 'go' });
    const result = await done;
    const cpu = cpuSince(before, options.postmaster, result.cpuMs);
    await exited;
    if (profileDir) sayProfile(profileDir, options.rows, options.say);
    if (result.run.status !== 'succeeded') throw new Error(`ingest run ${result.run.id} ended ${result.run.status}: ${JSON.stringify(result.run.error)}`);
    if (result.run.counts.read !== options.rows) throw new Error(`ingest run ${result.run.id} read ${result.run.counts.read} rows (the file has ${options.rows})`);
    const counts = result.run.counts;
    return {
      target: step.target,
      round: step.round,
      ms: result.ms,
      rows: options.rows,
      rowsPerSecond: options.rows / (result.ms / 1000),
      nodeCpuMs: result.cpuMs,
      postgresCpuMs: cpu.postgresCpuMs,
      foreignBusy: cpu.foreignBusy,
      queries: result.queries,
      settleMs,
      memory: { rssBeforeMb: mb(result.rssBeforeBytes), sampledPeakRssMb: mb(result.sampledPeakRssBytes), sampledPeakHeapMb: mb(result.sampledPeakHeapBytes), maxRssMb: mb(result.maxRssBytes) },
      counts,
      runId: result.run.id,
      allUnchanged: counts.created === 0 && counts.updated === 0 && counts.merged === 0 && counts.deactivated === 0 && counts.conflicts === 0,
    };
  } finally {
    await stopChild(child);
  }
}

/** Where the run's process spent its CPU (its whole life, start-up included), in us a row of the file. */
function sayProfile(profileDir: string, rows: number, say: (line: string) => void): void {
  const file = mainThreadProfile(profileDir);
  if (!file) return say(`    no CPU profile in ${profileDir}`);
  const summary = summarizeProfile(file, 30);
  const perRow = (ms: number) => ((ms * 1000) / rows).toFixed(1).padStart(6);
  say(`    CPU profile ${file}: busy ${perRow(summary.totalMs - summary.idleMs)} us a row; by package, then function (us a row, share of busy)`);
  for (const entry of summary.byPackage.slice(0, 12)) say(`      ${perRow(entry.ms)}  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  for (const entry of summary.byFunction) say(`      ${perRow(entry.ms)}  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function outletColumns(owner: pg.Client): Promise<string[]> {
  const result = await owner.query<{ attname: string }>(`select attname from pg_attribute where attrelid = 'outlets'::regclass and attnum > 0 and not attisdropped order by attnum`);
  return result.rows.map((row) => row.attname);
}

/** Untimed: the tenant's outlets, with the floor tenant's id in place of its own, in COPY text format to a file. */
async function exportOutlets(owner: pg.Client, from: string, to: string, path: string): Promise<number> {
  if (!/^[0-9a-f-]{36}$/.test(to) || !/^[0-9a-f-]{36}$/.test(from)) throw new Error('tenant ids must be uuids');
  const columns = await outletColumns(owner);
  const select = columns.map((column) => (column === 'tenant_id' ? `'${to}'::uuid as tenant_id` : quoteIdent(column))).join(', ');
  await pipeline(owner.query(copyStreams.to(`COPY (select ${select} from outlets where tenant_id = '${from}') TO STDOUT`)), createWriteStream(path));
  const counted = await owner.query<{ rows: string }>('select count(*) as rows from outlets where tenant_id = $1', [from]);
  return Number(counted.rows[0]!.rows);
}

/** The floor: the exported rows as one `COPY outlets FROM STDIN` in one transaction as the owner (the sync capture trigger fires, as for the pipeline). */
async function measureFloor(owner: pg.Client, options: IngestBenchOptions, step: { round: number; tenantId: string; path: string; rows: number }): Promise<IngestStep> {
  const settleMs = await settle(owner);
  const columns = (await outletColumns(owner)).map(quoteIdent).join(', ');
  await options.waitForQuiet();
  const before = sampleCpu(options.postmaster);
  const started = performance.now();
  const copy = copyStreams.from(`COPY outlets (${columns}) FROM STDIN`);
  await owner.query('begin');
  try {
    await owner.query(`select set_config('app.tenant_id', $1, true)`, [step.tenantId]);
    await pipeline(createReadStream(step.path), owner.query(copy));
    await owner.query('commit');
  } catch (error) {
    await owner.query('rollback').catch(() => {});
    throw error;
  }
  const ms = performance.now() - started;
  const cpu = cpuSince(before, options.postmaster, 0);
  if (copy.rowCount !== step.rows) throw new Error(`the floor copied ${copy.rowCount} outlets (want ${step.rows})`);
  return {
    target: 'floor',
    round: step.round,
    ms,
    rows: step.rows,
    rowsPerSecond: step.rows / (ms / 1000),
    nodeCpuMs: cpu.benchCpuMs,
    postgresCpuMs: cpu.postgresCpuMs,
    foreignBusy: cpu.foreignBusy,
    queries: 4,
    settleMs,
  };
}
