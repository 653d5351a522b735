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
 * both servers and each ingest run and print where their CPU went; figures are then not comparable with unprofiled runs),
 * BENCH_ACCEPT_ENCODING (unset; e.g. "gzip, br" to load the platform as real clients do: it then
 * compresses every list page, which the floor never does).
 * Auth part (issue 3, "Figures"): BENCH_AUTH (1; 0 skips all of it), BENCH_AUTH_MEMBER (1: also a
 * bearer run as role member), BENCH_LOGIN_SECONDS (6 per round; 0 skips the login load),
 * BENCH_LOGIN_ROUNDS (2), BENCH_LOGIN_CONNECTIONS (8), BENCH_HASH_SECONDS (3 per mode; 0 skips the
 * hash rate), BENCH_ACCESS_TOKEN_TTL_SECONDS (3600 for the bench's platform server),
 * BENCH_SESSION_CACHE_MS (unset: the platform's IDENTITY_SESSION_CACHE_MS default).
 * Sync part (issue 4, "Figures"): BENCH_SYNC (1; 0 skips it), BENCH_SYNC_ROUNDS (5), BENCH_SYNC_OUTLETS
 * (2000 in the rep's territory, plus a tenth as many in another), BENCH_SYNC_PRODUCTS (500, two prices
 * each), BENCH_SYNC_CHANGES (1000 outlet updates pulled incrementally), BENCH_SYNC_MUTATIONS (500 per
 * push, the protocol's maximum). BENCH_ONLY=sync runs the sync part alone (no list load, auth or
 * start-up part).
 * Ingest part (issue 5, "Figures"): BENCH_INGEST (1; 0 skips it), BENCH_INGEST_ROWS (1000000 rows of
 * the generated SAP file), BENCH_INGEST_ROUNDS (1; each round a fresh tenant), BENCH_INGEST_MATCHING
 * (exact: the example spec without fuzzy matching, the issue's scenario; fuzzy: the spec whole). BENCH_ONLY=ingest runs it alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { nodeFlags } from '../src/cli/node-flags.ts';
import { loadConfig } from '../src/kernel/config/index.ts';
import { createAccounts, logIn, loginBody, verifyBearer, type BearerSession, type RoundTripProbe } from './support/auth-accounts.ts';
import { startBenchDatabase, type BenchDatabase } from './support/bench-database.ts';
import {
  authChecks,
  checkTargets,
  formatAuthSummary,
  formatChecks,
  formatRatios,
  formatRounds,
  formatStartup,
  formatSummary,
  ratiosOf,
  summarize,
  type AuthComparison,
  type ServerMemory,
  type TargetSummary,
} from './support/bench-report.ts';
import { installCleanup } from './support/cleanup.ts';
import { mainThreadProfile, summarizeProfile, type ProfileSummary } from './support/cpu-profile.ts';
import { measureHashRates, type HashRates } from './support/hash-rate.ts';
import { runIngestBench } from './support/ingest-bench.ts';
import { formatIngest, ingestChecks, summarizeIngest } from './support/ingest-report.ts';
import { runRound, type LoadSettings, type LoadTarget, type RoundResult } from './support/load-round.ts';
import { postmasterPid, readMemoryBytes, repoRoot, startBenchServer, waitForQuietMachine, type BenchServer } from './support/processes.ts';
import { measureStartup, type StartupResult } from './support/startup.ts';
import { runSyncBench } from './support/sync-bench.ts';
import { formatSync, summarizeSync, syncChecks, type SyncRound } from './support/sync-report.ts';
import { seedSyncTenant, type SyncTenant } from './support/sync-seed.ts';
import { verifyServers } from './support/verify-servers.ts';

const intFromEnv = (name: string, fallback: number, min = 0) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min} (got ${raw})`);
  return value;
};

const ingestMatchingFromEnv = (): 'exact' | 'fuzzy' => {
  const raw = process.env.BENCH_INGEST_MATCHING || 'exact';
  if (raw !== 'exact' && raw !== 'fuzzy') throw new Error(`BENCH_INGEST_MATCHING must be "exact" or "fuzzy" (got ${raw})`);
  return raw;
};

const only = process.env.BENCH_ONLY ?? '';
if (only !== '' && only !== 'sync' && only !== 'ingest') throw new Error(`BENCH_ONLY must be "sync", "ingest" or unset (got ${only})`);
const list = only === '';

const settings = {
  only,
  rounds: intFromEnv('BENCH_ROUNDS', 5, 1),
  seconds: intFromEnv('BENCH_SECONDS', 8, 1),
  warmupSeconds: intFromEnv('BENCH_WARMUP_SECONDS', 3),
  connections: intFromEnv('BENCH_CONNECTIONS', 50, 1),
  poolMax: intFromEnv('BENCH_POOL_MAX', 10, 1),
  products: intFromEnv('BENCH_PRODUCTS', 100_000, 100),
  limit: intFromEnv('BENCH_LIMIT', 20, 1),
  startupRuns: list ? intFromEnv('BENCH_STARTUP_RUNS', 3) : 0,
  npmStartRuns: intFromEnv('BENCH_NPM_START_RUNS', 3),
  profile: process.env.BENCH_PROFILE === '1',
  /** Before each round and timed start, wait up to 5 s for other processes to leave the CPUs alone; in all at most this long. */
  quietWaitSeconds: intFromEnv('BENCH_QUIET_WAIT_SECONDS', 40),
  /** Sent as Accept-Encoding when set (real clients do; autocannon does not). Only the platform compresses. */
  acceptEncoding: process.env.BENCH_ACCEPT_ENCODING ?? '',
  auth: list && intFromEnv('BENCH_AUTH', 1) > 0,
  authMember: intFromEnv('BENCH_AUTH_MEMBER', 1) > 0,
  loginSeconds: intFromEnv('BENCH_LOGIN_SECONDS', 6),
  loginRounds: intFromEnv('BENCH_LOGIN_ROUNDS', 2, 1),
  loginWarmupSeconds: 2,
  loginConnections: intFromEnv('BENCH_LOGIN_CONNECTIONS', 8, 1),
  hashSeconds: intFromEnv('BENCH_HASH_SECONDS', 3),
  accessTokenTtlSeconds: intFromEnv('BENCH_ACCESS_TOKEN_TTL_SECONDS', 3600, 30),
  /** The platform's IDENTITY_SESSION_CACHE_MS: its default unless BENCH_SESSION_CACHE_MS sets it. */
  sessionCacheMs: intFromEnv('BENCH_SESSION_CACHE_MS', loadConfig({ env: {}, envFile: false }).IDENTITY_SESSION_CACHE_MS),
  sync: only === 'sync' || (list && intFromEnv('BENCH_SYNC', 1) > 0),
  syncRounds: intFromEnv('BENCH_SYNC_ROUNDS', 5, 1),
  syncOutlets: intFromEnv('BENCH_SYNC_OUTLETS', 2000, 1),
  syncProducts: intFromEnv('BENCH_SYNC_PRODUCTS', 500, 1),
  syncChanges: intFromEnv('BENCH_SYNC_CHANGES', 1000, 1),
  syncMutations: intFromEnv('BENCH_SYNC_MUTATIONS', 500, 1),
  ingest: only === 'ingest' || (list && intFromEnv('BENCH_INGEST', 1) > 0),
  ingestRows: intFromEnv('BENCH_INGEST_ROWS', 1_000_000, 100),
  ingestRounds: intFromEnv('BENCH_INGEST_ROUNDS', 1, 1),
  ingestMatching: ingestMatchingFromEnv(),
  /** The platform's INGEST_CHUNK_ROWS (the runner composes the ingest service with the config's defaults). */
  ingestChunkRows: loadConfig({ env: {}, envFile: false }).INGEST_CHUNK_ROWS,
};
if (settings.syncChanges > settings.syncOutlets || settings.syncMutations > settings.syncOutlets) throw new Error('BENCH_SYNC_CHANGES and BENCH_SYNC_MUTATIONS must not exceed BENCH_SYNC_OUTLETS');
if (settings.syncMutations > 500) throw new Error('BENCH_SYNC_MUTATIONS must be <= 500 (the largest push batch)');
const resultsDir = join(repoRoot, 'bench', 'results');
const mb = (bytes: number) => bytes / 1024 / 1024;
const fixedOr = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
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
    BENCH_ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtlSeconds),
    BENCH_SESSION_CACHE_MS: String(settings.sessionCacheMs),
  };
  // Both with the server's Node.js flags (npm start's), so the ratio prices the platform's code, not V8's heap sizing.
  const nodeArgs = (name: string) => [...nodeFlags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : [])];
  // One after the other, so neither start competes with the other for the two CPUs.
  const platform = await startBenchServer({ name: 'platform', script: 'bench/servers/platform-server.ts', env, nodeArgs: nodeArgs('platform') });
  const platformIdle = mb(readMemoryBytes(platform.pid));
  const floor = await startBenchServer({ name: 'floor', script: 'bench/servers/floor-server.ts', env, nodeArgs: nodeArgs('floor') });
  const floorIdle = mb(readMemoryBytes(floor.pid));
  const memory = (server: BenchServer, idleRssMb: number): ServerMemory => ({ idleRssMb, rssAfterLoadMb: Number.NaN, peakRssMb: Number.NaN, startMs: server.startMs });
  return { platform, floor, memory: { platform: memory(platform, platformIdle), floor: memory(floor, floorIdle) } };
}

interface Schedule {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
}

async function runLoad(targets: LoadTarget[], load: LoadSettings, schedule: Schedule = settings): Promise<RoundResult[]> {
  const rounds: RoundResult[] = [];
  const measure = async (target: LoadTarget, seconds: number, phase: RoundResult['phase'], round: number) => {
    const waited = await waitForQuiet();
    if (waited > 1000) say(`  (waited ${(waited / 1000).toFixed(1)} s for other processes to quieten)`);
    record(await runRound(target, load, seconds, phase, round));
  };
  const record = (round: RoundResult) => {
    rounds.push(round);
    say(`  ${round.phase === 'warmup' ? 'warm-up ' : `round ${round.round}`}  ${round.target.padEnd(13)} ${round.rps.toFixed(0).padStart(6)} req/s  p50 ${round.latencyP50Ms.toFixed(1)} ms  p99 ${round.latencyP99Ms.toFixed(1)} ms`);
  };
  if (schedule.warmupSeconds > 0) for (const target of targets) await measure(target, schedule.warmupSeconds, 'warmup', 0);
  for (let round = 1; round <= schedule.rounds; round += 1) {
    // Alternate the order (forward, then backward), so drift (cache, thermal, neighbours) hits all alike.
    const ordered = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of ordered) await measure(target, schedule.seconds, 'measure', round);
  }
  return rounds;
}

function profileSummaries(profileDir: string): Record<string, ProfileSummary> {
  const summaries: Record<string, ProfileSummary> = {};
  for (const name of ['platform', 'floor']) {
    const file = mainThreadProfile(join(profileDir, name));
    if (file) summaries[name] = summarizeProfile(file);
  }
  return summaries;
}

/** Self time per request by package, platform beside floor: where the platform's extra CPU goes. */
function printProfiles(profiles: Record<string, ProfileSummary>, rounds: RoundResult[]): void {
  // Per server process: the platform's profile covers its X-Tenant and bearer rounds alike.
  const requestsOf = (name: string) => rounds.filter((round) => round.server === name).reduce((sum, round) => sum + round.requests, 0);
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
  let syncTenant: SyncTenant | undefined;
  if (settings.sync) {
    syncTenant = await seedSyncTenant(database.ownerUrl, { slug: 'retail-sync', outlets: settings.syncOutlets, products: settings.syncProducts });
    const counts = Object.entries(syncTenant.expected).map(([entity, count]) => `${count} ${entity}`).join(', ');
    say(`seeded tenant ${syncTenant.slug} for the sync part in ${(syncTenant.seedMs / 1000).toFixed(1)} s: the rep's scope is ${counts}; ${syncTenant.foreignOutletIds.size} outlets of another territory`);
  }

  const profileDir = settings.profile ? join(resultsDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const { platform, floor, memory } = await startServers(database, profileDir);
  say(`platform server pid ${platform.pid} ready in ${platform.startMs.toFixed(0)} ms (idle RSS ${memory.platform.idleRssMb.toFixed(0)} MB); floor pid ${floor.pid} ready in ${floor.startMs.toFixed(0)} ms (idle RSS ${memory.floor.idleRssMb.toFixed(0)} MB)`);
  const tenant = database.tenants[0]!;
  const path = `/v1/products?limit=${settings.limit}`;
  await verifyServers({ platform: platform.url, floor: floor.url, path, tenants: database.tenants });
  say(`checked: both servers return the same ${settings.limit} rows of tenant ${tenant.slug}, and only the neighbour's rows for the neighbour`);

  let bearerSessions: BearerSession[] = [];
  let probe: RoundTripProbe | undefined;
  if (settings.auth) {
    const roles = settings.authMember ? ['owner', 'member'] : ['owner'];
    const accounts = await createAccounts({ platformUrl: platform.url, ownerUrl: database.ownerUrl, tenant, roles });
    bearerSessions = await Promise.all(accounts.map((account) => logIn(platform.url, account, tenant.slug)));
    probe = await verifyBearer({ platform, path, tenantSlug: tenant.slug, sessions: bearerSessions, sessionCacheMs: settings.sessionCacheMs });
    say(
      `auth: signed up ${accounts.map((account) => `${account.email} (role ${account.role} in ${tenant.slug}, e-mail marked verified)`).join(', ')}; ` +
        `logged in, access tokens live ${bearerSessions[0]!.tokenTtlSeconds} s (bench setting; the default is 600 s), refreshed before a round that would outlive them; ` +
        `session cache ${settings.sessionCacheMs} ms`,
    );
    say(`checked: bearer tokens list the same rows as X-Tenant; a tampered token answers 401`);
    say(`round trips of one request: X-Tenant ${probe.devHeader}; bearer with the session check ${probe.bearerSessionCheck}; bearer within the session cache ${probe.bearerCached}`);
  }

  const targets: LoadTarget[] = [
    { name: 'platform', server: platform },
    { name: 'floor', server: floor },
    // Bearer runs on the same platform process, no X-Tenant (it would take precedence).
    ...bearerSessions.map((session) => ({ name: `bearer-${session.account.role}`, server: platform, headers: () => session.headers((settings.seconds + 60) * 1000) })),
  ];
  let rounds: RoundResult[] = [];
  if (list) {
    say(`\nLoad: GET ${path} (X-Tenant: ${tenant.slug}), ${settings.connections} connections, warm-up ${settings.warmupSeconds} s each, ${settings.rounds} rounds x ${settings.seconds} s each, alternating`);
    if (bearerSessions.length > 0) say(`  and the same request with Authorization: Bearer <token> as ${bearerSessions.map((session) => session.account.role).join(' and as ')} (no X-Tenant), on the same platform process`);
    if (settings.acceptEncoding) say(`  with Accept-Encoding: ${settings.acceptEncoding} (the platform compresses, the floor does not: not a like-for-like ratio)`);
    const headers = settings.acceptEncoding ? { 'accept-encoding': settings.acceptEncoding } : undefined;
    rounds = await runLoad(targets, { path, tenantSlug: tenant.slug, connections: settings.connections, postmaster, ...(headers ? { headers } : {}) });
    for (const [name, server] of [['platform', platform], ['floor', floor]] as const) {
      memory[name].rssAfterLoadMb = mb(readMemoryBytes(server.pid));
      memory[name].peakRssMb = mb(readMemoryBytes(server.pid, 'VmHWM'));
    }
  }

  let loginRounds: RoundResult[] = [];
  let loginMemory: { rssAfterMb: number; peakRssMb: number } | undefined;
  if (settings.auth && settings.loginSeconds > 0 && bearerSessions[0]) {
    const account = bearerSessions[0].account;
    say(`\nLoad: POST /v1/auth/login (${account.email} into ${tenant.slug}, argon2id verify + new session), ${settings.loginConnections} connections, warm-up ${settings.loginWarmupSeconds} s, ${settings.loginRounds} rounds x ${settings.loginSeconds} s`);
    const login: LoadTarget = { name: 'login', server: platform, path: '/v1/auth/login', body: loginBody(account, tenant.slug), connections: settings.loginConnections, headers: async () => ({}) };
    loginRounds = await runLoad([login], { path, tenantSlug: tenant.slug, connections: settings.loginConnections, postmaster }, { rounds: settings.loginRounds, seconds: settings.loginSeconds, warmupSeconds: settings.loginWarmupSeconds });
    loginMemory = { rssAfterMb: mb(readMemoryBytes(platform.pid)), peakRssMb: mb(readMemoryBytes(platform.pid, 'VmHWM')) };
    // autocannon drops its connections at the deadline, but logins already queued for argon2id go on:
    // let them finish before the platform closes its pool (else they log "driver has already been destroyed").
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  const syncRounds: SyncRound[] = syncTenant
    ? await runSyncBench({ platform, postmaster, ownerUrl: database.ownerUrl, tenant: syncTenant, rounds: settings.syncRounds, changes: settings.syncChanges, mutations: settings.syncMutations, waitForQuiet, say })
    : [];
  await platform.stop();
  await floor.stop();
  // After the other parts: its million outlets (and their sync changes) would weigh on the sync part's tables.
  const ingestBench = settings.ingest
    ? await runIngestBench({ ownerUrl: database.ownerUrl, appUrl: database.appUrl, postmaster, rows: settings.ingestRows, rounds: settings.ingestRounds, matching: settings.ingestMatching, ...(profileDir ? { profileDir } : {}), onTempDir: (dir) => cleanup.addTempDir(dir, join(dir, 'pg')), waitForQuiet, say })
    : undefined;
  await database.stop();

  let hashRates: HashRates | undefined;
  if (settings.auth && settings.hashSeconds > 0) {
    say(`\nPassword hasher (src/kernel/identity/password-hashing.ts), ${settings.hashSeconds} s one at a time, ${settings.hashSeconds} s with the libuv pool full ...`);
    await waitForQuiet();
    hashRates = await measureHashRates(settings.hashSeconds);
  }

  let startup: StartupResult | undefined;
  if (settings.startupRuns > 0) {
    say(`\nStart-to-ready of src/main.ts (embedded data dir of its own; 1 first start, then ${settings.startupRuns} timed + ${settings.npmStartRuns} via npm start) ...`);
    startup = await measureStartup(settings.startupRuns, settings.npmStartRuns, (dir) => cleanup.addTempDir(dir, join(dir, 'pg')), waitForQuiet);
  }

  const summary = { platform: summarize(rounds, 'platform', memory.platform), floor: summarize(rounds, 'floor', memory.floor) };
  const ratios = ratiosOf(rounds, summary.platform, summary.floor);
  const comparisons: AuthComparison[] = bearerSessions.map((session) => {
    const name = `bearer-${session.account.role}`;
    const own = summarize(rounds, name, memory.platform);
    return { target: name, summary: own, vsDevHeader: ratiosOf(rounds, own, summary.platform, [name, 'platform']), vsFloor: ratiosOf(rounds, own, summary.floor, [name, 'floor']) };
  });
  const loginSummary: TargetSummary | undefined = loginRounds.length > 0 ? summarize(loginRounds, 'login', memory.platform) : undefined;
  const syncSummary = summarizeSync(syncRounds);
  const ingestSummary = ingestBench && summarizeIngest(ingestBench);
  const checks = [...(list ? checkTargets(summary.platform, ratios, startup) : []), ...authChecks(comparisons), ...syncChecks(syncSummary), ...(ingestSummary ? ingestChecks(ingestSummary) : [])];
  if (list) {
    say('\nRounds');
    say(formatRounds([...rounds, ...loginRounds]));
    say(`\nList scenario: GET ${path}, ${settings.connections} connections, pool ${settings.poolMax}, ${settings.rounds} x ${settings.seconds} s per target`);
    say(formatSummary(summary.platform, summary.floor));
    say(formatRatios(ratios));
  }
  if (comparisons.length > 0) {
    say(`\nAuth overhead on the list: the same GET ${path} with X-Tenant (development principal, role owner, no user) and with Authorization: Bearer (JWT verify, session check cached ${settings.sessionCacheMs} ms, live role), alternating in the same rounds`);
    say(formatAuthSummary(summary.platform, summary.floor, comparisons));
    if (probe) say(`pg round trips of a single request: X-Tenant ${probe.devHeader}; bearer, session check due ${probe.bearerSessionCheck}; bearer, session cached ${probe.bearerCached}`);
    const refreshes = bearerSessions.reduce((sum, session) => sum + session.refreshes, 0);
    say(`access tokens: TTL ${bearerSessions[0]!.tokenTtlSeconds} s (BENCH_ACCESS_TOKEN_TTL_SECONDS; default 600 s), refreshed ${refreshes} time(s) during the load`);
  }
  if (hashRates) {
    const h = hashRates;
    say(`\nPassword hashing: argon2id m=${h.params.memoryKiB} KiB, t=${h.params.timeCost}, p=${h.params.parallelism}, ${h.params.outputBytes}-byte output; UV_THREADPOOL_SIZE ${h.uvThreadpoolSize}, ${h.cpus} CPUs`);
    say(`  one at a time:        ${h.sequential.perSecond.toFixed(1)} hashes/s (${h.sequential.msPerHash.toFixed(1)} ms per hash, ${h.sequential.cpuMsPerHash.toFixed(1)} ms CPU per hash)`);
    say(`  ${String(h.pooled.inFlight).padStart(2)} in flight (pool):  ${h.pooled.perSecond.toFixed(1)} hashes/s (${h.pooled.msPerHash.toFixed(1)} ms wall per hash, ${h.pooled.cpuMsPerHash.toFixed(1)} ms CPU per hash)`);
    say(`  verify (one login's cost), one at a time: ${h.verifyMs.toFixed(1)} ms`);
  }
  if (loginSummary) {
    const l = loginSummary;
    say(`\nLogin: POST /v1/auth/login, ${settings.loginConnections} connections, ${settings.loginRounds} x ${settings.loginSeconds} s`);
    say(
      `  ${fixedOr(l.rps.median)} logins/s (min-max ${fixedOr(l.rps.min)}-${fixedOr(l.rps.max)}), p50 ${fixedOr(l.latencyP50Ms, 1)} ms, p99 ${fixedOr(l.latencyP99Ms, 1)} ms; ` +
        `server CPU ${fixedOr(l.serverCpuPerKReq / 1000, 1)} ms per login, PostgreSQL ${fixedOr(l.postgresCpuPerKReq / 1000, 2)} ms, ${fixedOr(l.queriesPerRequest, 2)} pg round trips per login; failed ${l.failedRequests} of ${l.requests}`,
    );
    if (hashRates) say(`  = ${((l.rps.median / hashRates.pooled.perSecond) * 100).toFixed(0)}% of the hasher's pooled rate measured alone`);
    if (loginMemory) say(`  platform RSS after the login load ${loginMemory.rssAfterMb.toFixed(0)} MB, peak ${loginMemory.peakRssMb.toFixed(0)} MB (each argon2id hash in flight holds ${(hashRates?.params.memoryKiB ?? 19_456) / 1024} MiB)`);
  }
  if (startup) say(`\nStart-to-ready\n${formatStartup(startup)}`);
  if (syncTenant && syncSummary.length > 0) say(`\n${formatSync(syncSummary, syncTenant, settings.syncRounds)}`);
  if (ingestSummary) say(`\n${formatIngest(ingestSummary, settings.ingestChunkRows)}`);
  const noisy = [...rounds, ...syncRounds].filter((round) => round.phase === 'measure' && round.foreignBusy > 0.1);
  if (noisy.length > 0) say(`\nnote: in ${noisy.length} round(s) other processes used more than 10% of the CPUs; the figures are skewed by them`);
  say(`\n${formatChecks(checks)}`);
  const profiles = profileDir ? profileSummaries(profileDir) : undefined;
  // BENCH_ONLY=ingest starts the servers but loads neither: nothing to say per request.
  if (profiles && rounds.length > 0) {
    say(`\nCPU profiles (--cpu-prof, whole server lifetime incl. start and warm-up) in ${profileDir}`);
    printProfiles(profiles, rounds);
  }
  mkdirSync(resultsDir, { recursive: true });
  const report = {
    at: new Date().toISOString(),
    environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMb: Math.round(mb(totalmem())), postgres: database.serverVersion },
    settings,
    scenario: { path, tenant: tenant.slug, products: tenant.products, tenants: database.tenants.map(({ slug, products }) => ({ slug, products })) },
    ...(list ? { summary, ratios } : {}),
    targets: checks,
    startup,
    rounds,
    ...(settings.auth
      ? {
          auth: {
            accessTokenTtlSeconds: bearerSessions[0]?.tokenTtlSeconds,
            sessionCacheMs: settings.sessionCacheMs,
            tokenRefreshes: bearerSessions.reduce((sum, session) => sum + session.refreshes, 0),
            roundTripsOfOneRequest: probe,
            list: comparisons,
            login: loginSummary && { connections: settings.loginConnections, summary: loginSummary, memory: loginMemory, rounds: loginRounds },
            hashRates,
          },
        }
      : {}),
    ...(syncTenant
      ? {
          sync: {
            tenant: { slug: syncTenant.slug, outlets: settings.syncOutlets, foreignOutlets: syncTenant.foreignOutletIds.size, products: settings.syncProducts, scope: syncTenant.expected },
            summary: syncSummary,
            rounds: syncRounds,
          },
        }
      : {}),
    ...(ingestBench && ingestSummary ? { ingest: { file: ingestBench.file, chunkRows: settings.ingestChunkRows, summary: ingestSummary, steps: ingestBench.steps } } : {}),
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
