/**
 * `npm run bench`: the list endpoint of the platform against the bare floor, on a throwaway
 * embedded PostgreSQL with 100,000 products, plus idle memory and start-to-ready of src/main.ts.
 * Prints a table, writes bench/results/latest.json, and reports the issue's targets as PASS/FAIL
 * without failing on them: a non-zero exit means the bench itself could not run.
 *
 * Settings (environment): BENCH_ROUNDS (5), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (3),
 * BENCH_CONNECTIONS (50), BENCH_POOL_MAX (10), BENCH_PRODUCTS (100000), BENCH_LIMIT (20),
 * BENCH_STARTUP_RUNS (3), BENCH_NPM_START_RUNS (3), BENCH_QUIET_WAIT_SECONDS (40: total time the
 * bench may spend, at most 5 s before each round or timed start, waiting for other processes to
 * leave the CPUs alone; 0 = never wait), BENCH_PROFILE (1 = --cpu-prof
 * both servers and print where their CPU went; figures are then not comparable with unprofiled runs),
 * BENCH_ACCEPT_ENCODING (unset; e.g. "gzip, br" to load the platform as real clients do: it then
 * compresses every list page, which the floor never does).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startBenchDatabase, type BenchDatabase } from './support/bench-database.ts';
import { checkTargets, formatChecks, formatRatios, formatRounds, formatStartup, formatSummary, ratiosOf, summarize, type ServerMemory } from './support/bench-report.ts';
import { installCleanup } from './support/cleanup.ts';
import { summarizeProfile, type ProfileSummary } from './support/cpu-profile.ts';
import { runRound, type LoadSettings, type LoadTarget, type RoundResult } from './support/load-round.ts';
import { postmasterPid, readMemoryBytes, repoRoot, startBenchServer, waitForQuietMachine, type BenchServer } from './support/processes.ts';
import { measureStartup, type StartupResult } from './support/startup.ts';
import { verifyServers } from './support/verify-servers.ts';

const intFromEnv = (name: string, fallback: number, min = 0) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min} (got ${raw})`);
  return value;
};

const settings = {
  rounds: intFromEnv('BENCH_ROUNDS', 5, 1),
  seconds: intFromEnv('BENCH_SECONDS', 8, 1),
  warmupSeconds: intFromEnv('BENCH_WARMUP_SECONDS', 3),
  connections: intFromEnv('BENCH_CONNECTIONS', 50, 1),
  poolMax: intFromEnv('BENCH_POOL_MAX', 10, 1),
  products: intFromEnv('BENCH_PRODUCTS', 100_000, 100),
  limit: intFromEnv('BENCH_LIMIT', 20, 1),
  startupRuns: intFromEnv('BENCH_STARTUP_RUNS', 3),
  npmStartRuns: intFromEnv('BENCH_NPM_START_RUNS', 3),
  profile: process.env.BENCH_PROFILE === '1',
  /** Before each round and timed start, wait up to 5 s for other processes to leave the CPUs alone; in all at most this long. */
  quietWaitSeconds: intFromEnv('BENCH_QUIET_WAIT_SECONDS', 40),
  /** Sent as Accept-Encoding when set (real clients do; autocannon does not). Only the platform compresses. */
  acceptEncoding: process.env.BENCH_ACCEPT_ENCODING ?? '',
};
const resultsDir = join(repoRoot, 'bench', 'results');
const mb = (bytes: number) => bytes / 1024 / 1024;
const say = (line: string) => process.stdout.write(`${line}\n`);
const cleanup = installCleanup();
let quietBudgetMs = settings.quietWaitSeconds * 1000;

/** Waits for a quiet machine within the remaining budget; returns the time waited. */
async function waitForQuiet(): Promise<number> {
  if (quietBudgetMs <= 0) return 0;
  const waited = await waitForQuietMachine(Math.min(5_000, quietBudgetMs));
  quietBudgetMs -= waited;
  return waited;
}

async function startServers(database: BenchDatabase, profileDir?: string): Promise<{ platform: BenchServer; floor: BenchServer; memory: Record<'platform' | 'floor', ServerMemory> }> {
  const env = {
    BENCH_OWNER_URL: database.ownerUrl,
    BENCH_APP_URL: database.appUrl,
    BENCH_POOL_MAX: String(settings.poolMax),
    BENCH_TENANTS: JSON.stringify(Object.fromEntries(database.tenants.map((tenant) => [tenant.slug, tenant.id]))),
  };
  const nodeArgs = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []);
  // One after the other, so neither start competes with the other for the two CPUs.
  const platform = await startBenchServer({ name: 'platform', script: 'bench/servers/platform-server.ts', env, nodeArgs: nodeArgs('platform') });
  const platformIdle = mb(readMemoryBytes(platform.pid));
  const floor = await startBenchServer({ name: 'floor', script: 'bench/servers/floor-server.ts', env, nodeArgs: nodeArgs('floor') });
  const floorIdle = mb(readMemoryBytes(floor.pid));
  const memory = (server: BenchServer, idleRssMb: number): ServerMemory => ({ idleRssMb, rssAfterLoadMb: Number.NaN, peakRssMb: Number.NaN, startMs: server.startMs });
  return { platform, floor, memory: { platform: memory(platform, platformIdle), floor: memory(floor, floorIdle) } };
}

async function runLoad(targets: LoadTarget[], load: LoadSettings): Promise<RoundResult[]> {
  const rounds: RoundResult[] = [];
  const measure = async (target: LoadTarget, seconds: number, phase: RoundResult['phase'], round: number) => {
    const waited = await waitForQuiet();
    if (waited > 1000) say(`  (waited ${(waited / 1000).toFixed(1)} s for other processes to quieten)`);
    record(await runRound(target, load, seconds, phase, round));
  };
  const record = (round: RoundResult) => {
    rounds.push(round);
    say(`  ${round.phase === 'warmup' ? 'warm-up ' : `round ${round.round}`}  ${round.target.padEnd(8)} ${round.rps.toFixed(0).padStart(6)} req/s  p50 ${round.latencyP50Ms.toFixed(1)} ms  p99 ${round.latencyP99Ms.toFixed(1)} ms`);
  };
  if (settings.warmupSeconds > 0) for (const target of targets) await measure(target, settings.warmupSeconds, 'warmup', 0);
  for (let round = 1; round <= settings.rounds; round += 1) {
    // Alternate which target goes first, so drift (cache, thermal, neighbours) hits both alike.
    const ordered = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of ordered) await measure(target, settings.seconds, 'measure', round);
  }
  return rounds;
}

function profileSummaries(profileDir: string): Record<string, ProfileSummary> {
  const summaries: Record<string, ProfileSummary> = {};
  for (const name of ['platform', 'floor']) {
    // Main thread first: with tsx, Node 20 also profiles the module-hooks thread (CPU.<date>.<pid>.1.*).
    const file = readdirSync(join(profileDir, name)).filter((entry) => entry.endsWith('.cpuprofile')).sort()[0];
    if (file) summaries[name] = summarizeProfile(join(profileDir, name, file));
  }
  return summaries;
}

/** Self time per request by package, platform beside floor: where the platform's extra CPU goes. */
function printProfiles(profiles: Record<string, ProfileSummary>, rounds: RoundResult[]): void {
  const requestsOf = (name: string) => rounds.filter((round) => round.target === name).reduce((sum, round) => sum + round.requests, 0);
  const perRequest = (name: string) => {
    const summary = profiles[name];
    const requests = requestsOf(name);
    return new Map((summary?.byPackage ?? []).map((entry) => [entry.name, (entry.ms * 1000) / requests]));
  };
  const platform = perRequest('platform');
  const floor = perRequest('floor');
  const total = (map: Map<string, number>) => [...map.values()].reduce((sum, value) => sum + value, 0);
  const names = [...new Set([...platform.keys(), ...floor.keys()])].sort((a, b) => (platform.get(b) ?? 0) - (floor.get(b) ?? 0) - ((platform.get(a) ?? 0) - (floor.get(a) ?? 0)));
  say('\nself time per request (us), by package: platform, floor, difference');
  say(`  ${'all'.padEnd(36)} ${total(platform).toFixed(0).padStart(6)} ${total(floor).toFixed(0).padStart(6)} ${(total(platform) - total(floor)).toFixed(0).padStart(6)}`);
  for (const name of names.slice(0, 20)) {
    const p = platform.get(name) ?? 0;
    const f = floor.get(name) ?? 0;
    say(`  ${name.padEnd(36)} ${p.toFixed(0).padStart(6)} ${f.toFixed(0).padStart(6)} ${(p - f).toFixed(0).padStart(6)}`);
  }
  for (const [name, summary] of Object.entries(profiles)) {
    const requests = requestsOf(name);
    say(`\n${name}: top functions by self time (us per request, share of busy time)`);
    for (const entry of summary.byFunction.slice(0, 25)) say(`  ${((entry.ms * 1000) / requests).toFixed(1).padStart(6)}  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  say(`Tenantry bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem()).toFixed(0)} MB RAM`);
  say(`settings: ${JSON.stringify(settings)}`);
  say('\nPreparing a throwaway embedded PostgreSQL ...');
  const database = await startBenchDatabase(settings.products, Math.round(settings.products / 5), (dir) => cleanup.addTempDir(dir, join(dir, 'pg')));
  cleanup.onStop(() => database.stop());
  const postmaster = postmasterPid(database.clusterDir);
  if (postmaster === undefined) throw new Error('the bench cluster is not running');
  say(`PostgreSQL ${database.serverVersion}; seeded ${database.tenants.map((tenant) => `${tenant.slug}: ${tenant.products} products`).join(', ')} (+1% tombstones) in ${(database.seedMs / 1000).toFixed(1)} s`);

  const profileDir = settings.profile ? join(resultsDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const { platform, floor, memory } = await startServers(database, profileDir);
  say(`platform server pid ${platform.pid} ready in ${platform.startMs.toFixed(0)} ms (idle RSS ${memory.platform.idleRssMb.toFixed(0)} MB); floor pid ${floor.pid} ready in ${floor.startMs.toFixed(0)} ms (idle RSS ${memory.floor.idleRssMb.toFixed(0)} MB)`);
  const tenant = database.tenants[0]!;
  const path = `/v1/products?limit=${settings.limit}`;
  await verifyServers({ platform: platform.url, floor: floor.url, path, tenants: database.tenants });
  say(`checked: both servers return the same ${settings.limit} rows of tenant ${tenant.slug}, and only the neighbour's rows for the neighbour`);

  say(`\nLoad: GET ${path} (X-Tenant: ${tenant.slug}), ${settings.connections} connections, warm-up ${settings.warmupSeconds} s each, ${settings.rounds} rounds x ${settings.seconds} s each, alternating`);
  const targets: LoadTarget[] = [
    { name: 'platform', server: platform },
    { name: 'floor', server: floor },
  ];
  if (settings.acceptEncoding) say(`  with Accept-Encoding: ${settings.acceptEncoding} (the platform compresses, the floor does not: not a like-for-like ratio)`);
  const headers = settings.acceptEncoding ? { 'accept-encoding': settings.acceptEncoding } : undefined;
  const rounds = await runLoad(targets, { path, tenantSlug: tenant.slug, connections: settings.connections, postmaster, ...(headers ? { headers } : {}) });
  for (const [name, server] of [['platform', platform], ['floor', floor]] as const) {
    memory[name].rssAfterLoadMb = mb(readMemoryBytes(server.pid));
    memory[name].peakRssMb = mb(readMemoryBytes(server.pid, 'VmHWM'));
  }
  await platform.stop();
  await floor.stop();
  await database.stop();

  let startup: StartupResult | undefined;
  if (settings.startupRuns > 0) {
    say(`\nStart-to-ready of src/main.ts (embedded data dir of its own; 1 first start, then ${settings.startupRuns} timed + ${settings.npmStartRuns} via npm start) ...`);
    startup = await measureStartup(settings.startupRuns, settings.npmStartRuns, (dir) => cleanup.addTempDir(dir, join(dir, 'pg')), waitForQuiet);
  }

  const summary = { platform: summarize(rounds, 'platform', memory.platform), floor: summarize(rounds, 'floor', memory.floor) };
  const ratios = ratiosOf(rounds, summary.platform, summary.floor);
  const checks = checkTargets(summary.platform, ratios, startup);
  say('\nRounds');
  say(formatRounds(rounds));
  say(`\nList scenario: GET ${path}, ${settings.connections} connections, pool ${settings.poolMax}, ${settings.rounds} x ${settings.seconds} s per target`);
  say(formatSummary(summary.platform, summary.floor));
  say(formatRatios(ratios));
  if (startup) say(`\nStart-to-ready\n${formatStartup(startup)}`);
  const noisy = rounds.filter((round) => round.phase === 'measure' && round.foreignBusy > 0.1);
  if (noisy.length > 0) say(`\nnote: in ${noisy.length} round(s) other processes used more than 10% of the CPUs; the figures are skewed by them`);
  say(`\n${formatChecks(checks)}`);
  const profiles = profileDir ? profileSummaries(profileDir) : undefined;
  if (profiles) {
    say(`\nCPU profiles (--cpu-prof, whole server lifetime incl. start and warm-up) in ${profileDir}`);
    printProfiles(profiles, rounds);
  }
  mkdirSync(resultsDir, { recursive: true });
  const report = {
    at: new Date().toISOString(),
    environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMb: Math.round(mb(totalmem())), postgres: database.serverVersion },
    settings,
    scenario: { path, tenant: tenant.slug, products: tenant.products, tenants: database.tenants.map(({ slug, products }) => ({ slug, products })) },
    summary,
    ratios,
    targets: checks,
    startup,
    rounds,
    ...(profiles ? { profiles, profileDir } : {}),
    durationS: Math.round((performance.now() - started) / 1000),
  };
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(`\nwrote bench/results/latest.json (bench took ${report.durationS} s)`);
}

main().then(
  () => cleanup.finish(0),
  (error: unknown) => {
    if (cleanup.interrupted) return new Promise<never>(() => {}); // the signal handler exits
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    return cleanup.finish(1);
  },
);
