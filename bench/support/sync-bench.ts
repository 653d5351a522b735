/**
 * The sync part of the bench (issue 4, "Figures"): for the rep of the retail tenant (sync-seed.ts),
 * on the bench's platform server over real HTTP: the first full sync (POST /v1/sync/pull from no
 * cursor until hasMore is false; plain and with Accept-Encoding: gzip), an incremental pull of
 * `changes` outlet updates, and one push of `mutations` outlet updates. Each beside its floor: the
 * same rows read (or the same updates written) with plain SQL through a `pg` client as the owner, in
 * the same rounds, alternating the order. The rep acts through the development headers (the bench
 * server runs with TENANT_DEV_HEADER): X-Tenant, X-Dev-Roles: member, X-Dev-User: the rep's id.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { readClusterCpuMs, readCpuMs, readMachineCpu, type BenchServer } from './processes.ts';
import { closeSyncClient, pullAll, pushBatch, type PullRun, type SyncEndpoint } from './sync-client.ts';
import { scopeQueries, type SyncTenant } from './sync-seed.ts';
import type { SyncRound } from './sync-report.ts';

export interface SyncBenchOptions {
  platform: BenchServer;
  postmaster: number;
  ownerUrl: string;
  tenant: SyncTenant;
  rounds: number;
  changes: number;
  mutations: number;
  waitForQuiet: () => Promise<number>;
  say: (line: string) => void;
}

type Work = () => Promise<Omit<SyncRound, 'scenario' | 'target' | 'round' | 'phase' | 'ms' | 'serverCpuMs' | 'postgresCpuMs' | 'benchCpuMs' | 'foreignBusy' | 'queries'> & { queries?: number }>;

interface Target {
  name: string;
  platform: boolean;
  /** Untimed preparation (updates to pull, versions to push on). */
  prepare?: (round: number) => Promise<void>;
  run: (round: number) => ReturnType<Work>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSyncBench(options: SyncBenchOptions): Promise<SyncRound[]> {
  const { tenant, platform, postmaster, say } = options;
  const endpoint: SyncEndpoint = { baseUrl: platform.url, headers: { 'x-tenant': tenant.slug, 'x-dev-roles': 'member', 'x-dev-user': tenant.repUserId } };
  const owner = new pg.Client({ connectionString: options.ownerUrl });
  await owner.connect();
  const rounds: SyncRound[] = [];
  try {
    const measure = async (scenario: SyncRound['scenario'], target: Target, round: number) => {
      await target.prepare?.(round);
      if (round > 0) await options.waitForQuiet();
      const queriesBefore = target.platform ? (await platform.stats()).queries : 0;
      const serverBefore = target.platform ? readCpuMs(platform.pid) : 0;
      const postgresBefore = readClusterCpuMs(postmaster);
      const benchBefore = process.cpuUsage();
      const machineBefore = readMachineCpu();
      const started = performance.now();
      const result = await target.run(round);
      const ms = performance.now() - started;
      const bench = process.cpuUsage(benchBefore);
      const machine = readMachineCpu();
      const postgresCpuMs = readClusterCpuMs(postmaster) - postgresBefore;
      const serverCpuMs = target.platform ? readCpuMs(platform.pid) - serverBefore : 0;
      const queries = target.platform ? (await platform.stats()).queries - queriesBefore : (result.queries ?? 0);
      const benchCpuMs = (bench.user + bench.system) / 1000;
      // Jiffies of all CPUs -> ms (10 ms resolution: a rough figure for rounds this short).
      const capacityMs = Math.max(1, machine.total - machineBefore.total) * 10;
      const foreignBusy = Math.max(0, (machine.busy - machineBefore.busy) * 10 - serverCpuMs - postgresCpuMs - benchCpuMs) / capacityMs;
      const entry: SyncRound = { ...result, scenario, target: target.name, round, phase: round === 0 ? 'warmup' : 'measure', ms, serverCpuMs, postgresCpuMs, benchCpuMs, foreignBusy, queries };
      rounds.push(entry);
      const pages = entry.pages ? `  ${entry.pages} pages` : '';
      say(`  ${round === 0 ? 'warm-up ' : `round ${round}`}  ${target.name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${String(entry.rows).padStart(5)} rows${pages}  other procs ${(foreignBusy * 100).toFixed(0)}%`);
    };
    const runRounds = async (scenario: SyncRound['scenario'], targets: Target[]) => {
      for (let round = 0; round <= options.rounds; round += 1) {
        // Alternate the order (forward, then backward), so drift hits platform and floor alike.
        for (const target of round % 2 === 1 ? targets : [...targets].reverse()) await measure(scenario, target, round);
      }
    };
    const expectedRows = Object.values(tenant.expected).reduce((sum, count) => sum + count, 0);
    let cursor = '';

    const fullSync = (gzip: boolean): Target => ({
      name: gzip ? 'full sync, gzip' : 'full sync',
      platform: true,
      run: async () => {
        const run = await pullAll(endpoint, { gzip });
        checkFullSync(run, tenant);
        cursor = run.cursor;
        return pullFigures(run);
      },
    });
    const floorFull: Target = {
      name: 'floor: full sync rows',
      platform: false,
      run: async () => {
        let rows = 0;
        for (const [entity, query] of Object.entries(scopeQueries)) {
          const result = await owner.query(query, query.includes('$2') ? [tenant.id, tenant.repUserId] : [tenant.id]);
          if (result.rows.length !== tenant.expected[entity]) throw new Error(`floor read ${result.rows.length} ${entity} rows (want ${tenant.expected[entity]})`);
          rows += result.rows.length;
        }
        return { rows, queries: Object.keys(scopeQueries).length };
      },
    };
    say(`\nSync: first full sync of the rep (${expectedRows} rows), plain and with Accept-Encoding: gzip, beside the floor; ${options.rounds} rounds after a warm-up`);
    await runRounds('full', [fullSync(false), fullSync(true), floorFull]);

    const changed = (round: number, count: number) => Array.from({ length: count }, (_, index) => tenant.repOutletIds[(round * count + index) % tenant.repOutletIds.length]!);
    let pending: string[] = [];
    const incremental: Target = {
      name: `incremental pull (${options.changes})`,
      platform: true,
      prepare: async (round) => {
        pending = changed(round, options.changes);
        await updateOutlets(owner, tenant.id, pending);
      },
      run: async () => {
        const run = await pullAll(endpoint, { cursor, gzip: false });
        checkIncremental(run, pending);
        cursor = run.cursor;
        return pullFigures(run);
      },
    };
    const floorIncremental: Target = {
      name: `floor: ${options.changes} rows by id`,
      platform: false,
      run: async (round) => {
        const result = await owner.query('select * from outlets where tenant_id = $1 and id = any($2::uuid[])', [tenant.id, changed(round, options.changes)]);
        if (result.rows.length !== options.changes) throw new Error(`floor read ${result.rows.length} outlets by id (want ${options.changes})`);
        return { rows: result.rows.length, queries: 1 };
      },
    };
    say(`\nSync: incremental pull of ${options.changes} outlet updates (one UPDATE as the owner, then wait for the fence), beside the floor (the same rows by id, one query)`);
    await runRounds('incremental', [incremental, floorIncremental]);

    const clientId = randomUUID();
    let mutationId = 0;
    let ids: string[] = [];
    let versions = new Map<string, number>();
    // The same outlets for every target of a round, each on the versions it finds.
    const prepare = async (round: number) => {
      ids = changed(round, options.mutations);
      versions = await currentVersions(owner, tenant.id, ids);
    };
    const push: Target = {
      name: `push (${options.mutations} updates)`,
      platform: true,
      prepare,
      run: async () => {
        const mutations = ids.map((id, index) => ({ id: (mutationId += 1), entity: 'outlet', op: 'update' as const, recordId: id, baseVersion: versions.get(id)!, data: { name: `Pushed outlet ${index} at ${Date.now()}` } }));
        const run = await pushBatch(endpoint, clientId, mutations);
        if (run.statuses.applied !== ids.length) throw new Error(`push: ${JSON.stringify(run.statuses)} (want ${ids.length} applied); first: ${JSON.stringify(run.firstProblem).slice(0, 500)}`);
        return { rows: ids.length, rawBytes: run.rawBytes, requestBytes: run.requestBytes };
      },
    };
    const floorPush = (perRow: boolean): Target => ({
      name: perRow ? `floor: ${options.mutations} UPDATE statements` : 'floor: one UPDATE ... FROM unnest',
      platform: false,
      prepare,
      run: async () => {
        const updated = await floorUpdates(owner, tenant, ids, versions, perRow);
        if (updated !== ids.length) throw new Error(`floor updated ${updated} outlets (want ${ids.length})`);
        return { rows: updated, queries: perRow ? ids.length + 3 : 4 };
      },
    });
    say(`\nSync: push of ${options.mutations} outlet updates (baseVersion = the current version, a new name) in one batch, beside the floor (the same updates in one transaction)`);
    await runRounds('push', [push, floorPush(false), floorPush(true)]);
    return rounds;
  } finally {
    closeSyncClient();
    await owner.end();
  }
}

function pullFigures(run: PullRun) {
  const rows = Object.values(run.upserts).reduce((sum, count) => sum + count, 0) + Object.values(run.deletes).reduce((sum, count) => sum + count, 0);
  return { rows, pages: run.pages, waitMs: run.waitMs, rawBytes: run.rawBytes, wireBytes: run.wireBytes, duplicates: run.duplicates };
}

/** Exactly the rep's scope: every expected entity with its row count, nothing else, no outlet of another territory. */
function checkFullSync(run: PullRun, tenant: SyncTenant): void {
  if (!run.reset) throw new Error('a first sync did not say reset');
  const unique: Record<string, number> = {};
  for (const key of run.received) {
    const entity = key.slice(0, key.indexOf(':'));
    unique[entity] = (unique[entity] ?? 0) + 1;
  }
  for (const entity of new Set([...Object.keys(unique), ...Object.keys(tenant.expected)])) {
    if ((unique[entity] ?? 0) !== (tenant.expected[entity] ?? 0)) throw new Error(`first sync delivered ${unique[entity] ?? 0} ${entity} rows (want ${tenant.expected[entity] ?? 0}): ${JSON.stringify(unique)}`);
  }
  const deletes = Object.values(run.deletes).reduce((sum, count) => sum + count, 0);
  if (deletes > 0) throw new Error(`first sync delivered ${deletes} deletes`);
  for (const id of tenant.foreignOutletIds) if (run.received.has(`outlet:${id}`)) throw new Error(`first sync delivered outlet ${id} of another territory`);
}

function checkIncremental(run: PullRun, ids: string[]): void {
  const others = Object.entries(run.upserts).filter(([entity, count]) => entity !== 'outlet' && count > 0);
  const deletes = Object.values(run.deletes).reduce((sum, count) => sum + count, 0);
  if (others.length > 0 || deletes > 0 || run.reset) throw new Error(`incremental pull delivered more than outlets: ${JSON.stringify({ upserts: run.upserts, deletes: run.deletes, reset: run.reset })}`);
  if ((run.upserts.outlet ?? 0) !== ids.length || !ids.every((id) => run.received.has(`outlet:${id}`))) throw new Error(`incremental pull delivered ${run.upserts.outlet ?? 0} outlets (want the ${ids.length} updated)`);
}

/** One UPDATE of the outlets as the owner (version + 1, like every write), then waits until the sync fence passes it. */
async function updateOutlets(owner: pg.Client, tenantId: string, ids: string[]): Promise<void> {
  await owner.query('begin');
  await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
  const result = await owner.query(
    `update outlets set balance_amount = coalesce(balance_amount, 0) + 1, version = version + 1, updated_at = now() where tenant_id = $1 and id = any($2::uuid[])`,
    [tenantId, ids],
  );
  await owner.query('commit');
  if (result.rowCount !== ids.length) throw new Error(`updated ${result.rowCount} outlets (want ${ids.length})`);
  for (let waited = 0; waited < 30_000; waited += 20) {
    const fence = await owner.query<{ passed: boolean }>(
      `select pg_snapshot_xmin(pg_current_snapshot()) > coalesce((select txid from sync_changes where tenant_id = $1 order by txid desc limit 1), '0'::xid8) as passed`,
      [tenantId],
    );
    if (fence.rows[0]!.passed) return;
    await sleep(20);
  }
  throw new Error('the sync fence did not pass the update within 30 s (a long transaction on the cluster?)');
}

async function currentVersions(owner: pg.Client, tenantId: string, ids: string[]): Promise<Map<string, number>> {
  const result = await owner.query<{ id: string; version: string }>('select id, version from outlets where tenant_id = $1 and id = any($2::uuid[])', [tenantId, ids]);
  return new Map(result.rows.map((row) => [row.id, Number(row.version)]));
}

/** The push's updates as plain SQL in one transaction: one UPDATE ... FROM unnest(...) or one statement per row; version-checked, returning the rows. */
async function floorUpdates(owner: pg.Client, tenant: SyncTenant, ids: string[], versions: Map<string, number>, perRow: boolean): Promise<number> {
  const names = ids.map((_, index) => `Floor outlet ${index} at ${Date.now()}`);
  await owner.query('begin');
  await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenant.id]);
  let updated = 0;
  if (perRow) {
    for (const [index, id] of ids.entries()) {
      const result = await owner.query(
        `update outlets set name = $4, version = version + 1, updated_at = now(), updated_by = $5 where tenant_id = $1 and id = $2 and version = $3 returning *`,
        [tenant.id, id, versions.get(id), names[index], tenant.repUserId],
      );
      updated += result.rowCount ?? 0;
    }
  } else {
    const result = await owner.query(
      `update outlets as o set name = v.name, version = o.version + 1, updated_at = now(), updated_by = $5
       from unnest($2::uuid[], $3::bigint[], $4::text[]) as v(id, base, name)
       where o.tenant_id = $1 and o.id = v.id and o.version = v.base returning o.*`,
      [tenant.id, ids, ids.map((id) => versions.get(id)), names, tenant.repUserId],
    );
    updated = result.rowCount ?? 0;
  }
  await owner.query('commit');
  return updated;
}

