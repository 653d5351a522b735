/**
 * Figures of the sync part: per target the median and min-max of the rounds' wall times, the rows,
 * pages and bytes of one run, the CPU of the platform server, of PostgreSQL and of the bench process,
 * the pg round trips; platform/floor ratios (of the medians, and per round), and the issue's aim for
 * the first full sync (<= 3x the floor and < 2 s) as PASS/FAIL.
 */
import type { TargetCheck } from './bench-report.ts';
import { median, spreadOf, type Spread } from './statistics.ts';
import type { SyncTenant } from './sync-seed.ts';

export interface SyncRound {
  scenario: 'full' | 'incremental' | 'push';
  target: string;
  phase: 'warmup' | 'measure';
  round: number;
  /** Wall time of the timed work. */
  ms: number;
  /** Pulls: the sum of request-to-last-byte times (the rest is this client parsing pages). */
  waitMs?: number;
  rows: number;
  pages?: number;
  /** Response bodies as JSON, and as received (gzip when agreed). */
  rawBytes?: number;
  wireBytes?: number;
  requestBytes?: number;
  /** Records a first sync delivered more than once (snapshot, then the log). */
  duplicates?: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  benchCpuMs: number;
  /** Share of both CPUs used by processes outside the bench during the round (0..1). */
  foreignBusy: number;
  queries: number;
}

export interface SyncRatio {
  floor: string;
  ofMedians: number;
  perRound: Spread;
  /**
   * CPU cost (medians): platform server + PostgreSQL over floor (the bench process running pg) +
   * PostgreSQL; what the time ratio would be on a quiet machine, at 10 ms tick resolution.
   */
  byCpu: number;
}

export interface SyncSummary {
  scenario: SyncRound['scenario'];
  target: string;
  isFloor: boolean;
  ms: Spread;
  waitMs: number;
  rows: number;
  pages: number;
  rawBytes: number;
  wireBytes: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  benchCpuMs: number;
  /** Worst round. */
  foreignBusy: number;
  queries: number;
  vsFloor: SyncRatio[];
}

const isFloor = (target: string) => target.startsWith('floor');

export function summarizeSync(rounds: SyncRound[]): SyncSummary[] {
  const measured = rounds.filter((round) => round.phase === 'measure');
  const targets = [...new Set(measured.map((round) => round.target))];
  const of = (target: string) => measured.filter((round) => round.target === target);
  const pick = (target: string, key: keyof SyncRound) => median(of(target).map((round) => Number(round[key] ?? Number.NaN)));
  return targets.map((target) => {
    const mine = of(target);
    const scenario = mine[0]!.scenario;
    const floors = isFloor(target) ? [] : targets.filter((other) => isFloor(other) && of(other)[0]!.scenario === scenario);
    const vsFloor = floors.map((floor): SyncRatio => {
      const pairs = mine.flatMap((round) => {
        const partner = of(floor).find((candidate) => candidate.round === round.round);
        return partner ? [round.ms / partner.ms] : [];
      });
      const cost = (target: string, own: keyof SyncRound) => pick(target, own) + pick(target, 'postgresCpuMs');
      return {
        floor,
        ofMedians: median(mine.map((round) => round.ms)) / median(of(floor).map((round) => round.ms)),
        perRound: spreadOf(pairs),
        byCpu: cost(target, 'serverCpuMs') / cost(floor, 'benchCpuMs'),
      };
    });
    return {
      scenario,
      target,
      isFloor: isFloor(target),
      ms: spreadOf(mine.map((round) => round.ms)),
      waitMs: pick(target, 'waitMs'),
      rows: pick(target, 'rows'),
      pages: pick(target, 'pages'),
      rawBytes: pick(target, 'rawBytes'),
      wireBytes: pick(target, 'wireBytes'),
      serverCpuMs: pick(target, 'serverCpuMs'),
      postgresCpuMs: pick(target, 'postgresCpuMs'),
      benchCpuMs: pick(target, 'benchCpuMs'),
      foreignBusy: Math.max(...mine.map((round) => round.foreignBusy)),
      queries: pick(target, 'queries'),
      vsFloor,
    };
  });
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '');
const kb = (bytes: number) => fixed(bytes / 1024, 0);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

export function formatSync(summaries: SyncSummary[], tenant: SyncTenant, rounds: number): string {
  const heading = [
    `Sync: tenant ${tenant.slug}, the rep as member (X-Dev-User, territories from repTerritory), ${rounds} rounds per target after a warm-up, alternating; default pull limit and maxBytes`,
    '  platform: wall time of the POST /v1/sync/pull sequence (until hasMore is false) or of one POST /v1/sync/push; "waiting" = request to last byte, the rest is parsing here',
    `  floor: pg as the owner (no RLS): full sync = one SELECT per table (${Object.keys(tenant.expected).length}); incremental = one SELECT by id; ` +
      'push = one transaction, one UPDATE ... FROM unnest(...) or one UPDATE per row, version-checked, RETURNING *',
  ];
  const rows = [['target', 'ms median', 'min-max', 'vs floor: medians (per round min-max), by CPU', 'waiting ms', 'rows', 'pages', 'JSON KB', 'wire KB', 'server CPU ms', 'PG CPU ms', 'bench CPU ms', 'pg round trips', 'other procs (worst)']];
  for (const s of summaries) {
    rows.push([
      s.target,
      fixed(s.ms.median, 1),
      `${fixed(s.ms.min, 1)}-${fixed(s.ms.max, 1)}`,
      s.vsFloor.map((ratio) => `${fixed(ratio.ofMedians, 2)}x (${fixed(ratio.perRound.min, 2)}-${fixed(ratio.perRound.max, 2)}), ${fixed(ratio.byCpu, 2)}x`).join(' / '),
      fixed(s.waitMs, 1),
      fixed(s.rows),
      fixed(s.pages),
      kb(s.rawBytes),
      kb(s.wireBytes),
      s.isFloor ? '' : fixed(s.serverCpuMs),
      fixed(s.postgresCpuMs),
      fixed(s.benchCpuMs),
      fixed(s.queries),
      `${fixed(s.foreignBusy * 100)}%`,
    ]);
  }
  return [...heading, table(rows)].join('\n');
}

/** The aim for the first full sync of the rep's dataset. */
export function syncChecks(summaries: SyncSummary[]): TargetCheck[] {
  const full = summaries.find((summary) => summary.target === 'full sync');
  const ratio = full?.vsFloor[0];
  if (!full || !ratio) return [];
  return [
    { name: `first full sync (${fixed(full.rows)} rows) vs floor (same rows, plain SQL)`, target: '<= 3.00x', measured: `${ratio.ofMedians.toFixed(2)}x (per round ${ratio.perRound.min.toFixed(2)}-${ratio.perRound.max.toFixed(2)}; by CPU cost ${ratio.byCpu.toFixed(2)}x)`, pass: ratio.ofMedians <= 3 },
    { name: 'first full sync of the rep dataset', target: '< 2.0 s', measured: `${(full.ms.median / 1000).toFixed(2)} s (max ${(full.ms.max / 1000).toFixed(2)} s)`, pass: full.ms.median < 2000 },
  ];
}
