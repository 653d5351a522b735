/**
 * Lineage: which run wrote a record, from which source system, source key and row. It travels with
 * the write as the audit event's details (`{ ingest: { ... } }`), so a record's audit history shows
 * where each of its versions came from, in the same hash-chained log as every other change.
 */
import type { WriteDetails } from '../records/index.ts';

export type LineageOperation = 'create' | 'update' | 'link' | 'deactivate' | 'delete';

/** The details of one write of a run; `row` null: no row of the file (a record a full load found missing). */
export function lineage(run: string, system: string, sourceKey: string, row: number | null, operation: LineageOperation): WriteDetails {
  // Keys in sorted order: the audit chain hashes it as it is (audit-chain.ts, canonical form).
  return { ingest: { operation, ...(row === null ? {} : { row }), run, sourceKey, system } };
}
