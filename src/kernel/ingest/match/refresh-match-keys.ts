/**
 * Keeps a profile's keys current with records written outside ingestion (the app, the API, a seed):
 * the records changed since the profile's last refresh are read through the record service in pages
 * (sparse fields, by id) and their keys written one statement per page. The first refresh of a profile
 * is the backfill of every record. Runs once per run, before its first fuzzy search; loads keep the
 * keys of what they write themselves.
 */
import type { TenantContext, TenantTx } from '../../db/index.ts';
import type { EntityDef } from '../../model/index.ts';
import type { RecordService } from '../../records/index.ts';
import { keysOf, type MatchProfile } from './match-profile.ts';
import { databaseNow, ensureProfile, setRefreshedTo, upsertKeys, type ProfileRef } from './match.repository.ts';

const pageSize = 5000;
// A write whose transaction began before a refresh and committed after it carries an older updated_at:
// the next refresh reads back this far (re-keying a record twice is harmless).
const overlapMs = 5 * 60_000;

export interface RefreshTarget {
  readonly context: TenantContext;
  readonly entity: EntityDef;
  readonly records: RecordService;
}

/** Brings the profile's keys up to date; returns the number of records read. */
export async function refreshMatchKeys(tx: TenantTx, target: RefreshTarget, profile: MatchProfile): Promise<number> {
  const ref: ProfileRef = { tenantId: target.context.tenantId, entity: target.entity.name, profile: profile.id };
  const since = await ensureProfile(tx, ref, { fields: profile.fields, blockBy: profile.blockBy });
  const startedAt = await databaseNow(tx);
  const properties = new Set(['id', ...[...profile.fields, ...profile.blockBy].map((field) => (field.startsWith('ext.') ? 'ext' : field))]);
  const query: Record<string, unknown> = { sort: 'id', limit: String(pageSize), fields: [...properties].join(',') };
  if (since) query['updatedAt[gte]'] = new Date(since.getTime() - overlapMs).toISOString();
  let read = 0;
  for (let cursor: string | null = null; ; ) {
    const page = await target.records.list(target.context, target.entity, cursor ? { ...query, cursor } : query, { defaultLimit: pageSize, maxLimit: pageSize });
    read += page.data.length;
    await upsertKeys(tx, ref, page.data.map((record) => ({ recordId: record.id, keys: keysOf(profile, record) })));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  await setRefreshedTo(tx, ref, startedAt);
  return read;
}
