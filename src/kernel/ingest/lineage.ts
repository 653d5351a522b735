/**
 * Lineage: which run wrote a record, from which source system, source key and row. It travels with
 * the write as its audit entry's details (`{ ingest: { ... } }`; a chunk's writes are items of one
 * audit batch, each with a seq of its own), so a record's audit history shows where each of its
 * versions came from, in the same hash-chained log as every other change; and a run's writes are
 * listed from there (kernel/audit reads the entries of the run's time window by their lineage's run).
 */
import type { AuditEvent } from '../audit/index.ts';
import type { WriteDetails } from '../records/index.ts';

export type LineageOperation = 'create' | 'update' | 'link' | 'deactivate' | 'delete';

/** The details of one write of a run; `row` null: no row of the file (a record a full load found missing). */
export function lineage(run: string, system: string, sourceKey: string, row: number | null, operation: LineageOperation): WriteDetails {
  // Keys in sorted order: the audit chain hashes it as it is (audit-chain.ts, canonical form).
  return { ingest: { operation, ...(row === null ? {} : { row }), run, sourceKey, system } };
}

/** One write of a run, as its audit entry tells it. */
export interface RunChange {
  /** The entry's place in the tenant's audit log: the order of the writes, and the page cursor. */
  seq: number;
  occurredAt: string;
  operation: LineageOperation;
  /** The audit action: create, update or delete. */
  action: string;
  entity: string | null;
  recordId: string | null;
  system: string;
  sourceKey: string;
  /** The row of the file; null for a record a full load found missing, or a reversed merge's split. */
  row: number | null;
}

/** The change an audit entry carrying lineage tells (`details.ingest`, as `lineage` wrote it). */
export function runChangeOf(event: AuditEvent): RunChange {
  const ingest = event.details.ingest as { operation: LineageOperation; row?: number; sourceKey: string; system: string };
  return {
    seq: event.seq,
    occurredAt: event.occurredAt,
    operation: ingest.operation,
    action: event.action,
    entity: event.entity,
    recordId: event.recordId,
    system: ingest.system,
    sourceKey: ingest.sourceKey,
    row: ingest.row ?? null,
  };
}
