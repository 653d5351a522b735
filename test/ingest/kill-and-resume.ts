/**
 * Crashes an ingestion run on purpose: the CLI loads the file, is killed (SIGKILL: no handler, no
 * rollback on its side, possibly inside a transaction) at the points of a seeded plan, and is resumed
 * with `tenantry ingest resume <run>` after each kill until the run succeeds. Every snapshot seen on the
 * way is checked against the checkpoint invariant (run-snapshot.ts).
 */
import type { Kysely } from 'kysely';
import { checkpointBreach, ingestConnections, snapshotRun, type RunSnapshot } from './run-snapshot.ts';
import { spawnCli, type CliProcess, type CliTarget } from './tenantry-cli.ts';

export type KillPhase = 'first-chunk' | 'load' | 'deactivation';

/** Where to kill: once the run is past `afterRow` in `phase`, either `delayMs` later or as soon as a writing transaction is open. */
export interface KillPoint {
  readonly phase: KillPhase;
  readonly afterRow: number;
  readonly inTransaction: boolean;
  readonly delayMs: number;
}

export interface KillRecord {
  readonly point: KillPoint;
  /** The snapshot just before the kill and once the killed process's connections are gone. */
  readonly before: RunSnapshot;
  readonly after: RunSnapshot;
  readonly writingAtKill: boolean;
  /** Killed at once because the snapshot breached the checkpoint invariant. */
  readonly onBreach: boolean;
}

/** mulberry32: a small seeded generator, so a plan can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One kill in the first chunk, `loadKills` spread over the rest of the file (one stratum each), one in the full load's deactivation. */
export function planKills(options: { seed: number; rows: number; chunkRows: number; chunkMs: number; deactivationMs: number; loadKills: number }): KillPoint[] {
  const random = seededRandom(options.seed);
  const { rows, chunkRows, chunkMs, loadKills } = options;
  const plan: KillPoint[] = [{ phase: 'first-chunk', afterRow: 0, inTransaction: random() < 0.5, delayMs: Math.round(random() * 0.5 * chunkMs) }];
  const span = Math.max(rows - 2 * chunkRows, 1) / loadKills;
  for (let index = 0; index < loadKills; index++) {
    // At least one kill inside a writing transaction and one at a random moment, whatever the seed.
    const inTransaction = index === 0 ? true : index === 1 ? false : random() < 0.5;
    plan.push({ phase: 'load', afterRow: Math.round(chunkRows + span * (index + random())), inTransaction, delayMs: Math.round(random() * chunkMs) });
  }
  plan.push({ phase: 'deactivation', afterRow: rows, inTransaction: random() < 0.5, delayMs: Math.round(random() * 0.4 * options.deactivationMs) });
  return plan;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Watch {
  readonly owner: Kysely<any>;
  readonly tenantId: string;
  /** Runs of the tenant that are not the one under test (the newest other run is it). */
  readonly exclude: readonly string[];
  readonly breaches: string[];
}

async function look(watch: Watch, runId: string | undefined): Promise<RunSnapshot | undefined> {
  const snapshot = await snapshotRun(watch.owner, watch.tenantId, { ...(runId ? { runId } : {}), exclude: watch.exclude });
  const breach = snapshot && checkpointBreach(snapshot);
  if (breach) watch.breaches.push(breach);
  return snapshot;
}

const reached = (point: KillPoint, snapshot: RunSnapshot) => snapshot.status === 'running' && (point.phase === 'first-chunk' || snapshot.checkpointRow >= point.afterRow);
const breached = (snapshot: RunSnapshot | undefined) => snapshot !== undefined && checkpointBreach(snapshot) !== undefined;

/**
 * Waits for the point, kills; undefined when the process ended first (the run got past the point).
 * A breach of the checkpoint invariant seen on the way is where a misplaced checkpoint shows: the
 * kill lands there and then, whatever the plan said.
 */
async function killAt(watch: Watch, running: CliProcess, point: KillPoint, runId: string | undefined): Promise<KillRecord | undefined> {
  let exited = false;
  void running.exited.then(() => (exited = true));
  let snapshot: RunSnapshot | undefined;
  for (;;) {
    if (exited) return undefined;
    snapshot = await look(watch, runId);
    if (snapshot && (reached(point, snapshot) || breached(snapshot))) break;
    await pause(10);
  }
  const deadline = Date.now() + point.delayMs;
  const waiting = () => (point.inTransaction ? !snapshot!.writing : Date.now() < deadline);
  while (!exited && !breached(snapshot) && waiting()) {
    await pause(point.inTransaction ? 2 : Math.min(5, Math.max(deadline - Date.now(), 0)));
    snapshot = (await look(watch, snapshot.runId)) ?? snapshot;
  }
  if (exited) return undefined;
  running.child.kill('SIGKILL');
  await running.exited;
  // The server ends the dead client's backends (rolling back what was open) a moment later.
  const gone = Date.now() + 15_000;
  while ((await ingestConnections(watch.owner)) > 0) {
    if (Date.now() > gone) throw new Error('the killed CLI\'s connections did not end within 15 s');
    await pause(20);
  }
  return { point, before: snapshot, after: (await look(watch, snapshot.runId))!, writingAtKill: snapshot.writing, onBreach: breached(snapshot) };
}

export interface CrashOutcome {
  readonly runId: string;
  readonly kills: readonly KillRecord[];
  /** Planned kills the run got past before they could land (it went faster than the plan assumed). */
  readonly missed: readonly KillPoint[];
  /** Checkpoint invariant breaches seen in any snapshot. */
  readonly breaches: readonly string[];
  /** How the last process (the resume that was not killed) ended, and what it printed. */
  readonly finalExit: { code: number | null; signal: NodeJS.Signals | null };
  readonly finalOutput: string;
}

/** Starts the load with `args`, kills it at every point of `plan`, then resumes it to the end. */
export async function crashAndResume(options: { cli: CliTarget; owner: Kysely<any>; tenant: { id: string; slug: string }; args: readonly string[]; plan: readonly KillPoint[]; exclude: readonly string[] }): Promise<CrashOutcome> {
  const watch: Watch = { owner: options.owner, tenantId: options.tenant.id, exclude: options.exclude, breaches: [] };
  const kills: KillRecord[] = [];
  const missed: KillPoint[] = [];
  let runId: string | undefined;
  const resume = () => spawnCli(options.cli, runId ? ['ingest', 'resume', runId, '--tenant', options.tenant.slug] : options.args);
  for (const [index, point] of options.plan.entries()) {
    const running = resume();
    const kill = await killAt(watch, running, point, runId);
    if (!kill) {
      // It finished first (or failed on its own, which the caller sees in finalExit).
      missed.push(...options.plan.slice(index));
      runId ??= (await look(watch, undefined))?.runId;
      return { runId: runId ?? '', kills, missed, breaches: watch.breaches, finalExit: await running.exited, finalOutput: running.output() };
    }
    kills.push(kill);
    runId = kill.before.runId;
  }
  const last = resume();
  const finalExit = await last.exited;
  return { runId: runId!, kills, missed, breaches: watch.breaches, finalExit, finalOutput: last.output() };
}

export interface UninterruptedLoad {
  readonly runId: string;
  /** From the run's start (status running) to its checkpoint at the last row. */
  readonly loadMs: number;
  /** From there to the process's exit: a full load's deactivation, the summary, closing. */
  readonly deactivationMs: number;
  readonly breaches: readonly string[];
}

/** Runs the load with `args` to its end while watching it (timings for a kill plan, the invariant on the way). */
export async function loadUninterrupted(options: { cli: CliTarget; owner: Kysely<any>; tenantId: string; args: readonly string[]; rows: number; exclude: readonly string[] }): Promise<UninterruptedLoad> {
  const watch: Watch = { owner: options.owner, tenantId: options.tenantId, exclude: options.exclude, breaches: [] };
  const running = spawnCli(options.cli, options.args);
  let exited = false;
  void running.exited.then(() => (exited = true));
  let started: number | undefined;
  let loaded: number | undefined;
  let runId: string | undefined;
  while (!exited) {
    const snapshot = await look(watch, runId);
    if (snapshot?.status === 'running') {
      runId = snapshot.runId;
      started ??= snapshot.at;
      if (snapshot.checkpointRow >= options.rows) loaded ??= snapshot.at;
    }
    await pause(20);
  }
  const { code, signal } = await running.exited;
  if (code !== 0) throw new Error(`the uninterrupted load failed (exit ${code ?? signal}):\n${running.output()}`);
  const ended = Date.now();
  const final = (await look(watch, runId))!;
  return { runId: final.runId, loadMs: (loaded ?? ended) - (started ?? ended), deactivationMs: ended - (loaded ?? ended), breaches: watch.breaches };
}
