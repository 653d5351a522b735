/**
 * What an audit row says changed: the entity's fields whose value differs between before and after,
 * in API form, with personal data masked. The mask replaces any non-null value by `"[masked]"`; null
 * stays null, so an auditor sees that a phone number was set, changed or cleared, never which one.
 * No hash of the value either: phone numbers and e-mail addresses are few enough to brute-force.
 */
import type { ApiRecord, RecordChange } from '../records/index.ts';
import { canonicalJson } from './audit-chain.ts';
import type { FieldChange } from './audit.contract.ts';

export const maskedValue = '[masked]';

const mask = (value: unknown) => (value === null || value === undefined ? null : maskedValue);

/** Changed fields of a write; a create lists every set field, a delete every field it had. */
export function changedFields(change: Pick<RecordChange, 'entity' | 'action' | 'before' | 'after'>): Record<string, FieldChange> {
  const before = change.action === 'create' ? null : change.before;
  const after = change.action === 'delete' ? null : change.after;
  const changes: Record<string, FieldChange> = {};
  for (const [property, def] of Object.entries(change.entity.fields)) {
    const old = before?.[property] ?? null;
    const now = after?.[property] ?? null;
    if (canonicalJson(old) === canonicalJson(now)) continue;
    changes[property] = def.personalData ? { before: mask(old), after: mask(now) } : { before: old, after: now };
  }
  Object.assign(changes, extensionChanges(before, after));
  return changes;
}

/**
 * Custom fields (`ext`) are listed by key with masked values: a tenant's extension schema cannot say
 * yet which of them are personal data, so none of their values is stored.
 * TODO(issue 4): unmask custom fields the tenant's extension schema does not mark as personal data.
 */
function extensionChanges(before: ApiRecord | null, after: ApiRecord | null): Record<string, FieldChange> {
  const old = (before?.ext ?? {}) as Record<string, unknown>;
  const now = (after?.ext ?? {}) as Record<string, unknown>;
  const changes: Record<string, FieldChange> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (canonicalJson(old[key] ?? null) !== canonicalJson(now[key] ?? null)) changes[`ext.${key}`] = { before: mask(old[key]), after: mask(now[key]) };
  }
  return changes;
}

