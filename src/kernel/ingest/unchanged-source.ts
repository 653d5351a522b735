/**
 * Rows a run need not prepare again. Mapping, normalizing and validating rows is most of what a
 * re-run of a file does (a 200,000-row re-run's profile: Node-bound, mapping its largest part), yet a
 * row whose source values are those its cross-reference entry was last prepared from, prepared the
 * same way, gives the same record: its content hash is the entry's. So each entry keeps the raw hash
 * of the row it was prepared from (`rawHashOf`: the row's values under the preparation's
 * fingerprint), and a run whose source has entries reads a chunk's keys first (the key alone is
 * mapped) and prepares only the rows whose raw hash is not their entry's; the others go on to
 * reconciliation with the entry's content hash, and are unchanged there (run-pipeline.ts,
 * reconcile-chunk.ts: the chunk's transaction confirms each skip against the entry it reads).
 *
 * The fingerprint covers what preparation depends on: the spec (mapping, normalization settings), the
 * entity's create schema and its custom fields (validation), and the code (`preparationVersion`).
 */
import { hash } from 'node:crypto';
import type { CustomField } from '../model/index.ts';
import type { MappingSpec } from './ingest.contract.ts';

/**
 * The version of the code that prepares rows (mapping, normalize, validation). Raise it with any change
 * that prepares a row to another record: rows loaded before are prepared again on their next run, not
 * taken for unchanged. preparation-version.test.ts fails when the prepared records of its sample change
 * while it stays the same.
 */
export const preparationVersion = 1;

/** What a row is prepared under, as one hash: a change to any part prepares every row again. */
export function preparationFingerprint(spec: MappingSpec, schema: unknown, customFields: readonly CustomField[]): string {
  return hash('sha1', JSON.stringify([preparationVersion, spec, schema, customFields]), 'base64url');
}

/** A source row's values under a preparation's fingerprint. */
export const rawHashOf = (fingerprint: string, values: Readonly<Record<string, unknown>>): string => hash('sha1', `${fingerprint}\u0000${JSON.stringify(values)}`, 'base64url');
