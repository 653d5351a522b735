/**
 * The hash chain: canonical serialization of an event's content and its SHA-256 link to the previous
 * event. Pure functions, so the writer and the verifier share one definition of "the content".
 * `seq` is not hashed: order is carried by `prevHash`, which is what tells a reordering from an edit.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit.contract.ts';

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level (RFC 8785 style for the values we store), no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const object = value as Record<string, unknown>;
  let text = '';
  // Default sort: UTF-16 code unit order, as the comparison it replaces.
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `{${text}}`;
}

export type HashedContent = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'> & { tenantId: string };

/** hash = SHA-256(prevHash + "\n" + canonical content), hex. */
export function hashEvent(prevHash: string, content: HashedContent): string {
  const canonical = canonicalJson({
    tenantId: content.tenantId,
    occurredAt: content.occurredAt,
    actor: content.actor,
    action: content.action,
    entity: content.entity,
    recordId: content.recordId,
    changes: content.changes,
    details: content.details,
    requestId: content.requestId,
    ip: content.ip,
  });
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}
