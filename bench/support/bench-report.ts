/**
 * Turns the rounds into per-target figures, the platform/floor ratios and the targets, and
 * prints them as a table. Targets are reported (PASS/FAIL), never enforced: the exit code of the
 * bench only says whether it ran.
 */
import type { RoundResult, TargetName } from './load-round.ts';
import { median, spreadOf, type Spread } from './statistics.ts';
import type { StartupResult } from './startup.ts';

export interface TargetSummary {
  rps: Spread;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyP99Spread: Spread;
  serverCpuPerKReq: number;
  postgresCpuPerKReq: number;
  loaderCpuPerKReq: number;
  machineBusy: number;
  foreignBusy: number;
  steal: number;
  queriesPerRequest: number;
  requests: number;
  failedRequests: number;
  idleRssMb: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
  startMs: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface ServerMemory {
  idleRssMb: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
  startMs: number;
}

export function summarize(rounds: RoundResult[], target: TargetName, memory: ServerMemory): TargetSummary {
  const mine = rounds.filter((round) => round.target === target && round.phase === 'measure');
  const pick = (key: keyof RoundResult) => mine.map((round) => round[key] as number);
  return {
    rps: spreadOf(pick('rps')),
    latencyP50Ms: median(pick('latencyP50Ms')),
    latencyP99Ms: median(pick('latencyP99Ms')),
    latencyP99Spread: spreadOf(pick('latencyP99Ms')),
    serverCpuPerKReq: median(pick('serverCpuPerKReq')),
    postgresCpuPerKReq: median(pick('postgresCpuPerKReq')),
    loaderCpuPerKReq: median(pick('loaderCpuPerKReq')),
    machineBusy: median(pick('machineBusy')),
    foreignBusy: Math.max(...pick('foreignBusy')),
    steal: Math.max(...pick('steal')),
    queriesPerRequest: median(pick('queriesPerRequest')),
    requests: pick('requests').reduce((sum, value) => sum + value, 0),
    failedRequests: mine.reduce((sum, round) => sum + round.non2xx + round.errors + round.timeouts, 0),
    ...memory,
  };
}

export interface Ratios {
  /** Median platform/floor req/s. */
  rps: number;
  /** Median over rounds of platform/floor req/s within the same round (neighbours in time share the machine's noise). */
  rpsPaired: Spread;
  /** floor/platform CPU per request (server + PostgreSQL + loader): the req/s ratio a saturated, quiet machine would show. */
  rpsFromCpuCost: number;
  p99: number;
  p99Paired: Spread;
}

/** Ratios of target `a` to target `b` (by default platform to floor). */
export function ratiosOf(rounds: RoundResult[], platform: TargetSummary, floor: TargetSummary, names: [TargetName, TargetName] = ['platform', 'floor']): Ratios {
  const measured = rounds.filter((round) => round.phase === 'measure');
  const pairs = [...new Set(measured.map((round) => round.round))].flatMap((number) => {
    const p = measured.find((round) => round.round === number && round.target === names[0]);
    const f = measured.find((round) => round.round === number && round.target === names[1]);
    return p && f ? [{ rps: p.rps / f.rps, p99: p.latencyP99Ms / f.latencyP99Ms }] : [];
  });
  const cost = (summary: TargetSummary) => summary.serverCpuPerKReq + summary.postgresCpuPerKReq + summary.loaderCpuPerKReq;
  return {
    rps: platform.rps.median / floor.rps.median,
    rpsPaired: spreadOf(pairs.map((pair) => pair.rps)),
    rpsFromCpuCost: cost(floor) / cost(platform),
    p99: platform.latencyP99Ms / floor.latencyP99Ms,
    p99Paired: spreadOf(pairs.map((pair) => pair.p99)),
  };
}

export function formatRatios(ratios: Ratios): string {
  const spread = (value: Spread) => `${value.median.toFixed(2)}x (min ${value.min.toFixed(2)}, max ${value.max.toFixed(2)})`;
  return [
    `platform/floor req/s: ratio of medians ${ratios.rps.toFixed(2)}x; per round ${spread(ratios.rpsPaired)}; from CPU cost per request ${ratios.rpsFromCpuCost.toFixed(2)}x`,
    `platform/floor p99:   ratio of medians ${ratios.p99.toFixed(2)}x; per round ${spread(ratios.p99Paired)}`,
  ].join('\n');
}

/** Auth overhead: bearer targets against the development header on the same platform process. */
export interface AuthComparison {
  target: TargetName;
  summary: TargetSummary;
  /** target / platform (X-Tenant). */
  vsDevHeader: Ratios;
  /** target / floor. */
  vsFloor: Ratios;
}

export function authChecks(comparisons: AuthComparison[]): TargetCheck[] {
  return comparisons.map(({ target, vsDevHeader }) => ({
    name: `list req/s with ${target.replace('-', ' ')} token vs X-Tenant (auth overhead <= 15%)`,
    target: '>= 0.85x',
    measured: `${vsDevHeader.rps.toFixed(2)}x (${((1 - vsDevHeader.rps) * 100).toFixed(0)}% overhead; per round ${vsDevHeader.rpsPaired.median.toFixed(2)}x, by CPU cost ${vsDevHeader.rpsFromCpuCost.toFixed(2)}x)`,
    pass: vsDevHeader.rps >= 0.85,
  }));
}

export function checkTargets(platform: TargetSummary, ratios: Ratios, startup?: StartupResult): TargetCheck[] {
  const rpsRatio = ratios.rps;
  const p99Ratio = ratios.p99;
  const checks: TargetCheck[] = [
    { name: 'list req/s vs floor', target: '>= 0.60x', measured: `${rpsRatio.toFixed(2)}x`, pass: rpsRatio >= 0.6 },
    { name: 'list p99 vs floor p99', target: '< 2.00x', measured: `${p99Ratio.toFixed(2)}x`, pass: p99Ratio < 2 },
    { name: 'idle RSS (platform)', target: '< 200 MB', measured: `${platform.idleRssMb.toFixed(0)} MB`, pass: platform.idleRssMb < 200 },
  ];
  if (startup) {
    const readyMs = median(startup.runs.map((run) => run.readyzMs));
    checks.push({ name: 'start-to-ready (node bin/server.mjs)', target: '< 3.0 s', measured: `${(readyMs / 1000).toFixed(2)} s`, pass: readyMs < 3000 });
    if (startup.viaNpmStart?.length) {
      const npmMs = median(startup.viaNpmStart.map((run) => run.readyzMs));
      checks.push({ name: 'start-to-ready (npm start)', target: '< 3.0 s', measured: `${(npmMs / 1000).toFixed(2)} s`, pass: npmMs < 3000 });
    }
  }
  return checks;
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? pad(cell, widths[column]!) : padLeft(cell, widths[column]!))).join('  ')).join('\n');
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function formatRounds(rounds: RoundResult[]): string {
  const rows = [['round', 'target', 'req/s', 'p50 ms', 'p99 ms', 'srv cpu ms/kreq', 'pg cpu ms/kreq', 'loader ms/kreq', 'cpu busy', 'other procs', 'steal', 'queries/req', 'non-2xx/err']];
  for (const round of rounds) {
    rows.push([
      round.phase === 'warmup' ? 'warm-up' : String(round.round),
      round.target,
      fixed(round.rps),
      fixed(round.latencyP50Ms, 1),
      fixed(round.latencyP99Ms, 1),
      fixed(round.serverCpuPerKReq),
      fixed(round.postgresCpuPerKReq),
      fixed(round.loaderCpuPerKReq),
      `${fixed(round.machineBusy * 100)}%`,
      `${fixed(round.foreignBusy * 100)}%`,
      `${fixed(round.steal * 100)}%`,
      fixed(round.queriesPerRequest, 2),
      `${round.non2xx}/${round.errors + round.timeouts}`,
    ]);
  }
  return table(rows);
}

export function formatSummary(platform: TargetSummary, floor: TargetSummary): string {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const rows = [
    ['', 'platform', 'floor', 'platform/floor'],
    ['req/s median', fixed(platform.rps.median), fixed(floor.rps.median), ratio(platform.rps.median, floor.rps.median)],
    ['req/s min-max', `${fixed(platform.rps.min)}-${fixed(platform.rps.max)}`, `${fixed(floor.rps.min)}-${fixed(floor.rps.max)}`, ''],
    ['req/s IQR', `${fixed(platform.rps.q1)}-${fixed(platform.rps.q3)}`, `${fixed(floor.rps.q1)}-${fixed(floor.rps.q3)}`, ''],
    ['latency p50 ms (median of rounds)', fixed(platform.latencyP50Ms, 1), fixed(floor.latencyP50Ms, 1), ratio(platform.latencyP50Ms, floor.latencyP50Ms)],
    ['latency p99 ms (median of rounds)', fixed(platform.latencyP99Ms, 1), fixed(floor.latencyP99Ms, 1), ratio(platform.latencyP99Ms, floor.latencyP99Ms)],
    ['server CPU ms per 1000 req', fixed(platform.serverCpuPerKReq), fixed(floor.serverCpuPerKReq), ratio(platform.serverCpuPerKReq, floor.serverCpuPerKReq)],
    ['PostgreSQL CPU ms per 1000 req', fixed(platform.postgresCpuPerKReq), fixed(floor.postgresCpuPerKReq), ratio(platform.postgresCpuPerKReq, floor.postgresCpuPerKReq)],
    ['autocannon CPU ms per 1000 req', fixed(platform.loaderCpuPerKReq), fixed(floor.loaderCpuPerKReq), ''],
    ['machine CPU busy', `${fixed(platform.machineBusy * 100)}%`, `${fixed(floor.machineBusy * 100)}%`, ''],
    ['CPU used by other processes (worst round)', `${fixed(platform.foreignBusy * 100)}%`, `${fixed(floor.foreignBusy * 100)}%`, ''],
    ['CPU steal by the hypervisor (worst round)', `${fixed(platform.steal * 100)}%`, `${fixed(floor.steal * 100)}%`, ''],
    ['pg round trips per request', fixed(platform.queriesPerRequest, 2), fixed(floor.queriesPerRequest, 2), ''],
    ['requests measured (failed)', `${platform.requests} (${platform.failedRequests})`, `${floor.requests} (${floor.failedRequests})`, ''],
    ['server start to ready ms', fixed(platform.startMs), fixed(floor.startMs), ''],
    ['RSS idle after start MB', fixed(platform.idleRssMb), fixed(floor.idleRssMb), ''],
    ['RSS after load MB', fixed(platform.rssAfterLoadMb), fixed(floor.rssAfterLoadMb), ''],
    ['RSS peak (VmHWM) MB', fixed(platform.peakRssMb), fixed(floor.peakRssMb), ''],
  ];
  return table(rows);
}

/** The list scenario per way of authenticating: X-Tenant, bearer tokens, and the floor. */
export function formatAuthSummary(platform: TargetSummary, floor: TargetSummary, comparisons: AuthComparison[]): string {
  const columns: [string, TargetSummary][] = [['X-Tenant (dev)', platform], ...comparisons.map((entry): [string, TargetSummary] => [entry.target, entry.summary]), ['floor', floor]];
  const row = (label: string, cell: (summary: TargetSummary) => string) => [label, ...columns.map(([, summary]) => cell(summary))];
  const vs = (label: string, pick: (entry: AuthComparison) => string, own: string, floorCell: string) => [label, own, ...comparisons.map(pick), floorCell];
  const rows = [
    ['', ...columns.map(([name]) => name)],
    row('req/s median', (summary) => fixed(summary.rps.median)),
    row('req/s min-max', (summary) => `${fixed(summary.rps.min)}-${fixed(summary.rps.max)}`),
    row('req/s IQR', (summary) => `${fixed(summary.rps.q1)}-${fixed(summary.rps.q3)}`),
    vs('req/s vs X-Tenant (ratio of medians)', (entry) => `${entry.vsDevHeader.rps.toFixed(2)}x`, '1.00x', `${(floor.rps.median / platform.rps.median).toFixed(2)}x`),
    vs('req/s vs X-Tenant (median per round)', (entry) => `${entry.vsDevHeader.rpsPaired.median.toFixed(2)}x`, '1.00x', ''),
    vs('req/s vs X-Tenant (from CPU cost)', (entry) => `${entry.vsDevHeader.rpsFromCpuCost.toFixed(2)}x`, '1.00x', ''),
    vs('req/s vs floor (ratio of medians)', (entry) => `${entry.vsFloor.rps.toFixed(2)}x`, `${(platform.rps.median / floor.rps.median).toFixed(2)}x`, '1.00x'),
    row('latency p50 ms', (summary) => fixed(summary.latencyP50Ms, 1)),
    row('latency p99 ms', (summary) => fixed(summary.latencyP99Ms, 1)),
    row('server CPU ms per 1000 req', (summary) => fixed(summary.serverCpuPerKReq)),
    row('PostgreSQL CPU ms per 1000 req', (summary) => fixed(summary.postgresCpuPerKReq)),
    row('pg round trips per request', (summary) => fixed(summary.queriesPerRequest, 3)),
    row('CPU used by other processes (worst)', (summary) => `${fixed(summary.foreignBusy * 100)}%`),
    row('requests measured (failed)', (summary) => `${summary.requests} (${summary.failedRequests})`),
  ];
  return table(rows);
}

export function formatStartup(startup: StartupResult): string {
  const line = (label: string, runs: StartupResult['runs']) =>
    `${label}: readyz ${runs.map((run) => fixed(run.readyzMs)).join(', ')} ms (median ${fixed(median(runs.map((run) => run.readyzMs)))}); ` +
    `log line ${runs.map((run) => fixed(run.logReadyMs)).join(', ')} ms; self-reported ${runs.map((run) => fixed(run.selfReportedMs ?? Number.NaN)).join(', ')} ms`;
  const lines = [
    `first start (initdb + migrate + seed demo): readyz ${fixed(startup.first.readyzMs)} ms`,
    line('node bin/server.mjs', startup.runs),
  ];
  if (startup.viaNpmStart?.length) lines.push(line('npm start', startup.viaNpmStart));
  return lines.join('\n');
}

export function formatChecks(checks: TargetCheck[]): string {
  return table([['target (from the issue)', 'wanted', 'measured', ''], ...checks.map((check) => [check.name, check.target, check.measured, check.pass ? 'PASS' : 'FAIL'])]);
}
