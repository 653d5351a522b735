/**
 * Keeps a profile's keys current with records written outside ingestion (the app, the API, a seed):
 * of the records changed since the profile's last refresh (ids and versions, a page at a time), those
 * whose keys were computed from another version (or never) are read through the record service and
 * their keys written one statement per page; a record a load wrote, and keyed as it wrote it, is not
 * read again. The first refresh of a profile
 * is the backfill of every record. Runs once per run, before its first fuzzy search; loads keep the
 * keys of what they write themselves.
 */
import type { TenantContext, TenantTx } from '../../db/index.ts';
import type { EntityDef } from '../../model/index.ts';
import type { RecordService } from '../../records/index.ts';
import { keysOf, type MatchProfile } from './match-profile.ts';
import { databaseNow, ensureProfile, keyedVersions, recordVersions, setRefreshedTo, upsertKeys, type ProfileRef } from './match.repository.ts';

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
  // Only records whose keys were not computed from their current version: what a load wrote it keyed
  // itself, and is not read again (ingest_match_keys_record_version migration).
  const window = since ? new Date(since.getTime() - overlapMs) : null;
  let read = 0;
  for (let afterId: string | null = null; ; ) {
    const page = await recordVersions(tx, ref, target.entity.table, { since: window, afterId, limit: pageSize });
    if (page.length === 0) break;
    const keyed = await keyedVersions(tx, ref, page.map((record) => record.id));
    const stale = page.filter((record) => keyed.get(record.id) !== record.version).map((record) => record.id);
    if (stale.length > 0) {
      const records = await target.records.findBy(target.context, target.entity, 'id', stale, tx);
      read += records.length;
      await upsertKeys(tx, ref, records.map((record) => ({ recordId: record.id, keys: keysOf(profile, record), version: Number(record.version) })));
    }
    afterId = page[page.length - 1]!.id;
    if (page.length < pageSize) break;
  }
  await setRefreshedTo(tx, ref, startedAt);
  return read;
}
