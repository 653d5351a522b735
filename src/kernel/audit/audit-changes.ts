/**
 * What an audit row says changed: the entity's fields whose value differs between before and after,
 * in API form, with personal data masked. The mask replaces any non-null value by `"[masked]"`; null
 * stays null, so an auditor sees that a phone number was set, changed or cleared, never which one.
 * No hash of the value either: phone numbers and e-mail addresses are few enough to brute-force.
 */
import type { ApiRecord, RecordChange } from '../records/index.ts';
import { canonicalJson, isCanonical, markCanonical } from './audit-chain.ts';
import type { FieldChange } from './audit.contract.ts';

export const maskedValue = '[masked]';

const mask = (value: unknown) => (value === null || value === undefined ? null : maskedValue);

/** Equal in API form: primitives by value, objects and arrays by their canonical JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** The entity's fields in sorted order: changes are built with sorted keys, which canonicalJson writes natively. */
const sortedFields = new WeakMap<RecordChange['entity'], [string, RecordChange['entity']['fields'][string]][]>();
const fieldsOf = (entity: RecordChange['entity']) => {
  let fields = sortedFields.get(entity);
  if (!fields) sortedFields.set(entity, (fields = Object.entries(entity.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  return fields;
};

/** Changed fields of a write; a create lists every set field, a delete every field it had. */
export function changedFields(change: Pick<RecordChange, 'entity' | 'action' | 'before' | 'after' | 'customFields'>): Record<string, FieldChange> {
  const before = change.action === 'create' ? null : change.before;
  const after = change.action === 'delete' ? null : change.after;
  const changes: Record<string, FieldChange> = {};
  // Built in canonical form (fields in sorted order, `after` before `before`) unless a value is an
  // object that is not (a json field's) or custom fields changed (`ext.` keys come last): then the
  // hash's serializer checks it as it checks any other value.
  let canonical = true;
  for (const [property, def] of fieldsOf(change.entity)) {
    const old = before?.[property] ?? null;
    const now = after?.[property] ?? null;
    if (sameValue(old, now)) continue;
    if (def.personalData) changes[property] = { after: mask(now), before: mask(old) };
    else {
      changes[property] = { after: now, before: old };
      if (canonical && ((typeof now === 'object' && !isCanonical(now)) || (typeof old === 'object' && !isCanonical(old)))) canonical = false;
    }
  }
  const extension = extensionChanges(before, after, change.customFields);
  for (const key in extension) {
    changes[key] = extension[key]!;
    canonical = false;
  }
  return canonical ? markCanonical(changes) : changes;
}

/**
 * Custom fields (`ext`) are listed as `ext.<key>`. A value is shown only when the write carried the
 * tenant's definitions (kernel/records reads them for every write that touches `ext`) and the key's
 * definition does not mark it personal data; otherwise it is masked: a key without a definition (one
 * deleted since) may have been personal data, and nothing tells it was not.
 */
function extensionChanges(before: ApiRecord | null, after: ApiRecord | null, customFields: RecordChange['customFields']): Record<string, FieldChange> {
  const old = (before?.ext ?? {}) as Record<string, unknown>;
  const now = (after?.ext ?? {}) as Record<string, unknown>;
  const shown = new Set((customFields ?? []).filter((custom) => !custom.personalData).map((custom) => custom.key));
  const changes: Record<string, FieldChange> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (sameValue(old[key] ?? null, now[key] ?? null)) continue;
    changes[`ext.${key}`] = shown.has(key) ? { after: now[key] ?? null, before: old[key] ?? null } : { after: mask(now[key]), before: mask(old[key]) };
  }
  return changes;
}

