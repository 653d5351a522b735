/**
 * Ingestion in `/metrics` (Prometheus, through the process's registry): rows by outcome, runs by how
 * they ended, and run time, per entity. Counted when a run (or a resumption of it) ends, from the
 * difference of its counts, so a resumed run adds only what the resumption did.
 */
import client, { type Registry } from 'prom-client';
import type { IngestCounts } from './ingest.contract.ts';

export interface IngestMetrics {
  runEnded(entity: string, status: 'succeeded' | 'failed', before: IngestCounts, after: IngestCounts): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const rows = new client.Counter({ name: 'ingest_rows_total', help: 'Source rows ingested, by entity and outcome (read, created, updated, unchanged, merged, queued, rejected, ...)', labelNames: ['entity', 'outcome'] as const, registers: [registry] });
  const runs = new client.Counter({ name: 'ingest_runs_total', help: 'Ingestion runs (and resumptions) that ended, by entity and status', labelNames: ['entity', 'status'] as const, registers: [registry] });
  const seconds = new client.Counter({ name: 'ingest_run_seconds_total', help: 'Seconds spent running ingestion, by entity', labelNames: ['entity'] as const, registers: [registry] });
  return {
    runEnded(entity, status, before, after) {
      runs.inc({ entity, status });
      for (const [outcome, value] of Object.entries(after) as [keyof IngestCounts, number][]) {
        if (outcome === 'durationMs') continue;
        const delta = value - (before[outcome] ?? 0);
        if (delta > 0) rows.inc({ entity, outcome }, delta);
      }
      const ms = after.durationMs - before.durationMs;
      if (ms > 0) seconds.inc({ entity }, ms / 1000);
    },
  };
}
