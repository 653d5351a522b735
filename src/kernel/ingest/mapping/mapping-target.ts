/**
 * What a spec maps into: an entity and the tenant's custom fields of it. A canonical field is a
 * declared field of the entity (`name`) or a custom field as `ext.<key>`; system and read-only fields
 * are written by the server, never by a mapping.
 */
import { customFieldDef, systemProperties, type CustomField, type EntityDef, type FieldDef } from '../../model/index.ts';

export interface MappingTarget {
  readonly entity: EntityDef;
  /** The tenant's custom fields; those of other entities are ignored. */
  readonly customFields: readonly CustomField[];
}

export type TargetField = { readonly ok: true; readonly def: FieldDef; readonly custom: boolean } | { readonly ok: false; readonly detail: string };

const system = new Set<string>(systemProperties);
export const extPrefix = 'ext.';

function customFieldsOf(target: MappingTarget): CustomField[] {
  return target.customFields.filter((custom) => custom.entity === target.entity.name);
}

/** The definition of a canonical field name, or why it cannot be mapped. */
export function resolveTargetField(target: MappingTarget, name: string): TargetField {
  if (name.startsWith(extPrefix)) {
    const key = name.slice(extPrefix.length);
    const custom = customFieldsOf(target).find((candidate) => candidate.key === key);
    if (custom) return { ok: true, def: customFieldDef(custom), custom: true };
    const suggestion = closestName(key, customFieldsOf(target).map((candidate) => candidate.key));
    return { ok: false, detail: `"${key}" is not a custom field of ${target.entity.name}${suggestion ? ` (did you mean ext.${suggestion}?)` : ''}` };
  }
  if (system.has(name)) return { ok: false, detail: `"${name}" is a system field, written by the server` };
  const def = Object.hasOwn(target.entity.fields, name) ? target.entity.fields[name] : undefined;
  if (!def) {
    const suggestion = closestName(name, Object.keys(target.entity.fields));
    return { ok: false, detail: `unknown canonical field "${name}" of ${target.entity.name}${suggestion ? ` (did you mean ${suggestion}?)` : ''}` };
  }
  if (def.readOnly) return { ok: false, detail: `"${name}" is read-only, written by the server` };
  return { ok: true, def, custom: false };
}

/** Fields a create needs that have no default: declared required fields and required custom fields. */
export function requiredFieldNames(target: MappingTarget): string[] {
  const declared = Object.entries(target.entity.fields)
    .filter(([, def]) => def.required && def.default === undefined && !def.readOnly)
    .map(([name]) => name);
  return [...declared, ...customFieldsOf(target).filter((custom) => custom.required).map((custom) => `${extPrefix}${custom.key}`)];
}

/** The candidate nearest to a misspelt name (edit distance at most a third of its length), for "did you mean". */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions ("nmae"). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let cost = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, rows[i - 2]![j - 2]! + 1);
      row[j] = cost;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
