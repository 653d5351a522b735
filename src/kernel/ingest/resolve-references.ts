/**
 * References between loaded entities (a MARM unit row names its material by MATNR): the mapping's
 * `reference` op emits a marker `{ $ref: { entity, by, value } }`; a prepared row carries its markers
 * aside, with a placeholder id in the record so validation sees a well-formed reference. In the chunk's
 * transaction the markers are resolved set-based, one query per (entity, by): `by: sourceKey` through
 * the cross-reference of the spec's source system (a record loaded from the same system), any other
 * `by` through that field of the referenced entity's live records. A row whose reference finds nothing
 * is rejected (`ingest.unknown_reference`); it can be re-submitted once the referenced record is loaded.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { EntityDef } from '../model/index.ts';
import type { RecordService } from '../records/index.ts';
import { xrefByKeys, type RejectRow } from './ingest.repository.ts';
import { isReferenceMarker, type ReferenceMarker } from './mapping/index.ts';

/** The id a marker stands in for until it is resolved: a valid UUID no record can have (UUIDv7 ids). */
export const unresolvedReferenceId = '00000000-0000-4000-8000-000000000000';

export type PendingReference = readonly [field: string, ref: ReferenceMarker['$ref']];

/** The record with each marker replaced by the placeholder id, and the markers; the record itself when it has none. */
export function takeReferences(record: Record<string, unknown>): { record: Record<string, unknown>; references: PendingReference[] } {
  let references: PendingReference[] | undefined;
  for (const [field, value] of Object.entries(record)) if (isReferenceMarker(value)) (references ??= []).push([field, value.$ref]);
  if (!references) return { record, references: [] };
  const replaced = { ...record };
  for (const [field] of references) replaced[field] = unresolvedReferenceId;
  return { record: replaced, references };
}

export interface ReferenceTarget {
  readonly tenantId: string;
  readonly system: string;
  readonly context: TenantContext;
  readonly records: RecordService;
  /** The model's entity of a name, or undefined (the spec was validated against the model when saved). */
  readonly entityOf: (name: string) => EntityDef | undefined;
}

interface Referencing {
  readonly rowNumber: number;
  readonly line: number;
  readonly sourceKey: string;
  readonly record: Record<string, unknown>;
  readonly references?: readonly PendingReference[];
}

/** Rows with their references resolved, and a reject for each row with one that found nothing. */
export async function resolveReferences<Row extends Referencing>(tx: TenantTx, target: ReferenceTarget, rows: readonly Row[]): Promise<{ rows: Row[]; rejects: RejectRow[] }> {
  const wanted = new Map<string, { entity: string; by: string; values: Set<string> }>();
  for (const row of rows) {
    for (const [, ref] of row.references ?? []) {
      const key = `${ref.entity}\u0000${ref.by}`;
      const group = wanted.get(key) ?? { entity: ref.entity, by: ref.by, values: new Set<string>() };
      group.values.add(ref.value);
      wanted.set(key, group);
    }
  }
  if (wanted.size === 0) return { rows: [...rows], rejects: [] };

  const found = new Map<string, string>();
  for (const [key, group] of wanted) {
    for (const [value, id] of await lookUp(tx, target, group.entity, group.by, [...group.values])) found.set(`${key}\u0000${value}`, id);
  }

  const resolved: Row[] = [];
  const rejects: RejectRow[] = [];
  for (const row of rows) {
    if (!row.references || row.references.length === 0) {
      resolved.push(row);
      continue;
    }
    const record = { ...row.record };
    const missing = row.references.filter(([field, ref]) => {
      const id = found.get(`${ref.entity}\u0000${ref.by}\u0000${ref.value}`);
      if (id !== undefined) record[field] = id;
      return id === undefined;
    });
    if (missing.length === 0) resolved.push({ ...row, record });
    else {
      missing.forEach(([field, ref], seq) =>
        rejects.push({
          rowNumber: row.rowNumber,
          line: row.line,
          seq,
          sourceKey: row.sourceKey,
          field,
          value: ref.value,
          code: 'ingest.unknown_reference',
          reason: ref.by === 'sourceKey' ? `No ${ref.entity} with source key "${ref.value}" has been loaded from ${target.system}.` : `No ${ref.entity} has ${ref.by} "${ref.value}".`,
          sourceRow: null,
        }),
      );
    }
  }
  return { rows: resolved, rejects };
}

async function lookUp(tx: TenantTx, target: ReferenceTarget, entityName: string, by: string, values: readonly string[]): Promise<[string, string][]> {
  if (by === 'sourceKey') {
    const entries = await xrefByKeys(tx, target.tenantId, target.system, entityName, values);
    return [...entries.values()].flatMap((entry): [string, string][] => (entry.deletedInSource ? [] : [[entry.sourceKey, entry.recordId]]));
  }
  const entity = target.entityOf(entityName);
  if (!entity) return [];
  const records = await target.records.findBy(target.context, entity, by, values, tx);
  return records.map((record) => [String(record[by]), record.id]);
}
