/**
 * Figures of the ingest part: per target (first load, re-run, floor) the median and min-max of the
 * rounds' wall times and rows/s, CPU of the Node process and of PostgreSQL, pg round trips, the
 * pipeline's peak RSS; the ratios (pipeline rows/s over the COPY floor's, first load over re-run)
 * and the issue's aims as PASS/FAIL: >= 0.3x the floor, peak RSS < 400 MB, re-run >= 3x faster.
 */
import { nodeFlags } from '../../src/cli/node-flags.ts';
import type { IngestCounts } from '../../src/kernel/ingest/index.ts';
import type { TargetCheck } from './bench-report.ts';
import type { IngestBench } from './ingest-bench.ts';
import { median, spreadOf, type Spread } from './statistics.ts';

export interface IngestStep {
  target: 'first load' | 're-run' | 'floor';
  round: number;
  /** Wall time: createRun (hashes the file) + executeRun in the runner; begin + COPY + commit for the floor. */
  ms: number;
  /** File rows for the pipeline (rejected and skipped included), rows copied for the floor. */
  rows: number;
  rowsPerSecond: number;
  /** CPU of the runner process (the pipeline) or of the bench process feeding COPY (the floor). */
  nodeCpuMs: number;
  postgresCpuMs: number;
  /** Busy share of the machine's CPUs used by processes outside the bench. */
  foreignBusy: number;
  /** pg round trips (the floor: begin, set_config, COPY, commit). */
  queries: number;
  /** Untimed VACUUM ANALYZE + CHECKPOINT before the step. */
  settleMs: number;
  memory?: { rssBeforeMb: number; sampledPeakRssMb: number; sampledPeakHeapMb: number; maxRssMb: number };
  counts?: IngestCounts;
  runId?: string;
  /** Re-run: nothing created, updated, merged, deactivated or in conflict. */
  allUnchanged?: boolean;
}

export interface IngestTargetSummary {
  target: IngestStep['target'];
  rounds: number;
  rows: number;
  ms: Spread;
  rowsPerSecond: Spread;
  nodeCpuMs: number;
  postgresCpuMs: number;
  /** Node + PostgreSQL CPU per row, microseconds (median). */
  cpuUsPerRow: number;
  queries: number;
  /** Worst round. */
  foreignBusy: number;
  /** Worst round: getrusage maxRSS of the runner, RSS sampled every 100 ms, heap used, RSS before the run. */
  memory?: { maxRssMb: number; sampledPeakRssMb: number; sampledPeakHeapMb: number; rssBeforeMb: number };
  /** Of round 1 (the file is the same in every round). */
  counts?: IngestCounts;
}

export interface IngestRatio {
  ofMedians: number;
  perRound: Spread;
}

export interface IngestSummary {
  file: IngestBench['file'];
  targets: IngestTargetSummary[];
  /** First-load rows/s over the floor's rows/s; byCpu: the same from CPU cost per row (Node + PostgreSQL). */
  vsFloor: IngestRatio & { byCpu: number };
  /** First-load time over re-run time. */
  reRun: IngestRatio & { allUnchanged: boolean };
}

export function summarizeIngest(bench: IngestBench): IngestSummary {
  const of = (target: IngestStep['target']) => bench.steps.filter((step) => step.target === target);
  const summarizeTarget = (target: IngestStep['target']): IngestTargetSummary => {
    const steps = of(target);
    const worst = (pick: (memory: NonNullable<IngestStep['memory']>) => number) => Math.max(...steps.map((step) => (step.memory ? pick(step.memory) : Number.NaN)));
    return {
      target,
      rounds: steps.length,
      rows: median(steps.map((step) => step.rows)),
      ms: spreadOf(steps.map((step) => step.ms)),
      rowsPerSecond: spreadOf(steps.map((step) => step.rowsPerSecond)),
      nodeCpuMs: median(steps.map((step) => step.nodeCpuMs)),
      postgresCpuMs: median(steps.map((step) => step.postgresCpuMs)),
      cpuUsPerRow: median(steps.map((step) => ((step.nodeCpuMs + step.postgresCpuMs) * 1000) / step.rows)),
      queries: median(steps.map((step) => step.queries)),
      foreignBusy: Math.max(...steps.map((step) => step.foreignBusy)),
      ...(steps[0]?.memory
        ? { memory: { maxRssMb: worst((m) => m.maxRssMb), sampledPeakRssMb: worst((m) => m.sampledPeakRssMb), sampledPeakHeapMb: worst((m) => m.sampledPeakHeapMb), rssBeforeMb: worst((m) => m.rssBeforeMb) } }
        : {}),
      ...(steps[0]?.counts ? { counts: steps[0].counts } : {}),
    };
  };
  const targets = (['first load', 're-run', 'floor'] as const).map(summarizeTarget);
  const [first, again, floor] = targets as [IngestTargetSummary, IngestTargetSummary, IngestTargetSummary];
  const paired = (other: IngestStep['target'], ratio: (load: IngestStep, partner: IngestStep) => number) =>
    of('first load').flatMap((load) => {
      const partner = of(other).find((step) => step.round === load.round);
      return partner ? [ratio(load, partner)] : [];
    });
  return {
    file: bench.file,
    targets,
    vsFloor: {
      ofMedians: first.rowsPerSecond.median / floor.rowsPerSecond.median,
      perRound: spreadOf(paired('floor', (load, copy) => load.rowsPerSecond / copy.rowsPerSecond)),
      byCpu: floor.cpuUsPerRow / first.cpuUsPerRow,
    },
    reRun: {
      ofMedians: first.ms.median / again.ms.median,
      perRound: spreadOf(paired('re-run', (load, rerun) => load.ms / rerun.ms)),
      allUnchanged: of('re-run').every((step) => step.allUnchanged === true),
    },
  };
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '');
const thousands = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '');
const countsLine = (counts: IngestCounts) =>
  Object.entries(counts)
    .filter(([key]) => key !== 'durationMs')
    .map(([key, value]) => `${key} ${thousands(value)}`)
    .join(', ');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

export function formatIngest(summary: IngestSummary, chunkRows: number): string {
  const { file, vsFloor, reRun } = summary;
  const heading = [
    `Ingest: ${thousands(file.rows)}-row SAP KNA1 file (${fixed(file.bytes / 1024 / 1024)} MB, Windows-1252) through ${file.spec}, mode full, into a fresh tenant per round; ${summary.targets[0]!.rounds} round(s); chunks of ${chunkRows} rows (INGEST_CHUNK_ROWS)`,
    `  first load / re-run: one \`tenantry ingest\`-like process per run (the command's Node.js flags ${nodeFlags.join(' ')}; composeDataServices, pool of 4, runtime role tenantry_app, RLS on): createRun (hashes the file) + executeRun; rows/s = file rows / s`,
    '  floor: the first load\'s outlets (exported untimed, tenant id replaced by another fresh tenant\'s) as one COPY outlets FROM STDIN as the owner, in one transaction; rows/s = rows copied / s',
    '  the floor writes only the outlets (and their sync changes: the capture trigger fires on COPY too); the pipeline also writes audit events (with lineage), cross-reference and rejects (run keys for unchanged rows, match keys with fuzzy matching): that is what the ratio prices',
  ];
  const rows = [['target', 's median', 'min-max', 'rows', 'rows/s median', 'min-max', 'Node CPU s', 'PG CPU s', 'CPU us/row', 'pg round trips', 'peak RSS MB (maxRSS)', 'sampled RSS / heap MB', 'RSS before MB', 'other procs (worst)']];
  for (const s of summary.targets) {
    rows.push([
      s.target,
      fixed(s.ms.median / 1000, 2),
      `${fixed(s.ms.min / 1000, 2)}-${fixed(s.ms.max / 1000, 2)}`,
      thousands(s.rows),
      thousands(s.rowsPerSecond.median),
      `${thousands(s.rowsPerSecond.min)}-${thousands(s.rowsPerSecond.max)}`,
      fixed(s.nodeCpuMs / 1000, 1),
      fixed(s.postgresCpuMs / 1000, 1),
      fixed(s.cpuUsPerRow, 1),
      thousands(s.queries),
      s.memory ? fixed(s.memory.maxRssMb) : '',
      s.memory ? `${fixed(s.memory.sampledPeakRssMb)} / ${fixed(s.memory.sampledPeakHeapMb)}` : '',
      s.memory ? fixed(s.memory.rssBeforeMb) : '',
      `${fixed(s.foreignBusy * 100)}%`,
    ]);
  }
  const lines = [...heading, table(rows)];
  for (const s of summary.targets) if (s.counts) lines.push(`  ${s.target} counts: ${countsLine(s.counts)}`);
  lines.push(`  pipeline / floor rows/s: ${fixed(vsFloor.ofMedians, 2)}x (per round ${fixed(vsFloor.perRound.min, 2)}-${fixed(vsFloor.perRound.max, 2)}; by CPU cost per row ${fixed(vsFloor.byCpu, 2)}x)`);
  lines.push(`  first load / re-run time: ${fixed(reRun.ofMedians, 2)}x (per round ${fixed(reRun.perRound.min, 2)}-${fixed(reRun.perRound.max, 2)})${reRun.allUnchanged ? '; every re-run left all rows unchanged' : '; NOT all unchanged (see the re-run counts)'}`);
  const noisiest = Math.max(...summary.targets.map((target) => target.foreignBusy));
  if (noisiest > 0.1) lines.push(`  note: other processes used up to ${fixed(noisiest * 100)}% of the CPUs during a step: rows/s are skewed by them; the ratio from CPU cost per row moves less`);
  return lines.join('\n');
}

/** The aims for the ingestion of the generated file. */
export function ingestChecks(summary: IngestSummary): TargetCheck[] {
  const [first, again] = summary.targets;
  if (!first || !again) return [];
  const rows = thousands(summary.file.rows);
  const peak = Math.max(first.memory?.maxRssMb ?? Number.NaN, again.memory?.maxRssMb ?? Number.NaN);
  const { vsFloor, reRun } = summary;
  return [
    {
      name: `ingest ${rows} SAP rows end to end vs plain COPY floor (rows/s)`,
      target: '>= 0.30x',
      measured: `${fixed(vsFloor.ofMedians, 2)}x (${thousands(first.rowsPerSecond.median)} vs ${thousands(summary.targets[2]?.rowsPerSecond.median ?? Number.NaN)} rows/s; per round ${fixed(vsFloor.perRound.min, 2)}-${fixed(vsFloor.perRound.max, 2)}; by CPU cost ${fixed(vsFloor.byCpu, 2)}x)`,
      pass: vsFloor.ofMedians >= 0.3,
    },
    {
      name: `ingest ${rows} rows: peak RSS of the pipeline process`,
      target: '< 400 MB',
      measured: `${fixed(peak)} MB (maxRSS; first load ${fixed(first.memory?.maxRssMb ?? Number.NaN)}, re-run ${fixed(again.memory?.maxRssMb ?? Number.NaN)})`,
      pass: peak < 400,
    },
    {
      name: `ingest ${rows} rows: re-run of the same file (all unchanged) vs first load`,
      target: '>= 3.00x faster',
      measured: `${fixed(reRun.ofMedians, 2)}x (${fixed(first.ms.median / 1000, 1)} s vs ${fixed(again.ms.median / 1000, 1)} s; per round ${fixed(reRun.perRound.min, 2)}-${fixed(reRun.perRound.max, 2)})${reRun.allUnchanged ? '' : '; NOT all unchanged'}`,
      pass: reRun.ofMedians >= 3 && reRun.allUnchanged,
    },
  ];
}
