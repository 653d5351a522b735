/**
 * What kernel/sync reads of an entity's rows, bound to one principal and one transaction: the same
 * permission, row scope and field masks as every other read (this module owns the entity tables).
 * Glossary: scope key = a fingerprint of the principal's read scope of the entity; it changes when a
 * role, a role's definition or an attribute a row condition reads changes what the principal sees.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccessControl } from '../access/index.ts';
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { EntityDef } from '../model/index.ts';
import type { RecordCodec } from './record-codec.ts';
import { recordJsonSql } from './record-json.ts';
import type { SyncChangeOutcome, SyncRecord, SyncView } from './records.contract.ts';
import { previouslyInScope, recordJsonWithScope, scanRecordJson } from './records.repository.ts';

/** The sync view of an entity, or null when the principal may not read it. */
export async function openSyncView(access: AccessControl, codec: RecordCodec, tx: TenantTx, context: TenantContext): Promise<SyncView | null> {
  const entity: EntityDef = codec.entity;
  const permissions = await access.permissionsOn(tx, context, entity);
  if (!permissions.can('read')) return null;
  const { predicate } = permissions.require('read');
  const hidden = [...permissions.hiddenFields].sort();
  const readable = hidden.length === 0 ? undefined : new Set(['version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'ext', ...codec.byProperty.keys()].filter((property) => !permissions.hiddenFields.has(property)));
  const compiled = predicate ? predicate.compile(tx as unknown as Kysely<any>) : null;
  const scopeKey = createHash('sha256')
    .update(JSON.stringify([entity.name, compiled?.sql ?? null, compiled?.parameters ?? [], hidden]))
    .digest('base64url')
    .slice(0, 22);
  // The records' JSON is written by PostgreSQL with the same field mask as a list (record-json.ts).
  const json = recordJsonSql(codec, readable);
  return {
    entity,
    scopeKey,
    async snapshot(afterId, limit) {
      return checked(await scanRecordJson(tx, codec, context.tenantId, { afterId, limit }, predicate, json));
    },
    async changed(changes) {
      const ids = [...new Set(changes.map((change) => change.id))];
      const rows = new Map(checked(await recordJsonWithScope(tx, codec, context.tenantId, ids, predicate, json)).map((row) => [row.id, row]));
      const outcomes = new Map<string, SyncChangeOutcome>();
      const leaving: { id: string; version: number; previous: unknown }[] = [];
      for (const change of changes) {
        const row = rows.get(change.id);
        if (!row) continue;
        if (row.inScope) {
          // In scope now: the change that made the current version sends it (a tombstone once
          // soft-deleted); an earlier change of the row gives nothing, so each version travels once.
          if (Number(row.version) === change.version) outcomes.set(`${change.id}@${change.version}`, row.deleted ? { delete: true } : { upsert: { id: row.id, json: row.json } });
        } else if (change.previous !== null && change.previous !== undefined) {
          leaving.push(change);
        }
      }
      // Out of scope now: a tombstone for every change whose row met the scope before it (moved out),
      // superseded or not, so a later change that leaves no trace of the earlier scope cannot lose it.
      const movedOut = await previouslyInScope(tx, codec, leaving, predicate);
      leaving.forEach((change, index) => {
        if (movedOut.has(index)) outcomes.set(`${change.id}@${change.version}`, { delete: true });
      });
      return outcomes;
    },
  };
}

/** The rows, once each is known to carry its JSON: a NULL (an expression the builder got wrong) must fail the pull, never send `null`. */
function checked<T extends SyncRecord>(rows: T[]): T[] {
  for (const row of rows) if (typeof row.json !== 'string') throw new Error(`sync: no JSON was built for record ${row.id}`);
  return rows;
}
