/**
 * The hash chain: canonical serialization of an event's content and its SHA-256 link to the previous
 * event. Pure functions, so the writer and the verifier share one definition of "the content".
 * `seq` is not hashed: order is carried by `prevHash`, which is what tells a reordering from an edit.
 */
import { hash } from 'node:crypto';
import type { AuditEvent } from './audit.contract.ts';

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level (RFC 8785 style for the values we store), no whitespace. */
export function canonicalJson(value: unknown): string {
  // A value already in canonical form (writers build their objects with sorted keys) is what
  // JSON.stringify writes, natively and without the string building below.
  if (isCanonical(value)) return JSON.stringify(value ?? null);
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const object = value as Record<string, unknown>;
  let text = '';
  for (const key of sortedKeys(object)) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `{${text}}`;
}

/** Objects their builder made in canonical form and never changes after (markCanonical). */
const builtCanonical = new WeakSet<object>();

/**
 * Marks an object its builder made in canonical form (plain objects with keys in sorted order at every
 * level, JSON values only) and does not change after: canonicalJson then writes it without walking
 * it first (an ingested create's changes: every field, before and after, for every row).
 */
export function markCanonical<T extends object>(value: T): T {
  builtCanonical.add(value);
  return value;
}

/**
 * True when JSON.stringify writes exactly what canonicalJson would: JSON values only (null, finite or
 * not numbers, strings, booleans), plain objects whose keys are in sorted order, arrays without holes
 * or undefined items. Anything else (dates, functions, unsorted keys) takes the careful path.
 */
export function isCanonical(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (builtCanonical.has(value)) return true;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (item === undefined || !isCanonical(item)) return false;
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const object = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) return false;
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!isCanonical(object[key])) return false;
  }
  return true;
}

/**
 * The object's keys in UTF-16 code unit order (what the default sort gives strings), by insertion:
 * objects here have a few keys, often already in order, and Array.prototype.sort allocated about a
 * kilobyte of work arrays per call (a fifth of everything a bulk load allocated, measured).
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

export type HashedContent = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash' | 'batch'> & { tenantId: string };

/** The event's content as it is hashed: canonical JSON, keys in sorted order (canonicalContentParts writes it). */
export function canonicalContent(content: HashedContent): string {
  return canonicalContentParts(content).text;
}

/** The canonical content and, as written into it, the canonical JSON of its changes and details. */
export interface ContentParts {
  text: string;
  changes: string;
  details: string;
}

/**
 * The one definition of the hashed content: canonicalJson of { action, actor: { id, kind }, changes,
 * details, entity, ip, occurredAt, recordId, requestId, tenantId }, put together from the canonical
 * JSON of its changes and details, which a bulk append then stores as they are (the json columns hold
 * the very text that was hashed). Members in key order, an undefined one left out, as canonicalJson
 * writes an object.
 */
export function canonicalContentParts(content: HashedContent): ContentParts {
  const changes = canonicalJson(content.changes);
  const details = canonicalJson(content.details);
  let text = '{';
  const member = (key: string, value: unknown, json: string) => {
    if (value !== undefined) text += `${text === '{' ? '' : ','}"${key}":${json}`;
  };
  member('action', content.action, canonicalJson(content.action));
  member('actor', content.actor, canonicalJson({ id: content.actor.id, kind: content.actor.kind }));
  member('changes', content.changes, changes);
  member('details', content.details, details);
  member('entity', content.entity, canonicalJson(content.entity));
  member('ip', content.ip, canonicalJson(content.ip));
  member('occurredAt', content.occurredAt, canonicalJson(content.occurredAt));
  member('recordId', content.recordId, canonicalJson(content.recordId));
  member('requestId', content.requestId, canonicalJson(content.requestId));
  member('tenantId', content.tenantId, canonicalJson(content.tenantId));
  return { text: `${text}}`, changes, details };
}

/** hash = SHA-256(prevHash + "\n" + canonical content), hex. */
export function linkHash(prevHash: string, canonical: string): string {
  return hash('sha256', `${prevHash}\n${canonical}`, 'hex');
}

export function hashEvent(prevHash: string, content: HashedContent): string {
  return linkHash(prevHash, canonicalContent(content));
}
