/**
 * SQL of matching: match profiles and keys, the fuzzy candidate search (one statement per chunk),
 * merges and review cases. Every function takes the tenant transaction first and filters by tenant.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/index.ts';
import { numbersSeparator, type RecordKeys } from './match-profile.ts';

const json = (value: unknown) => JSON.stringify(value);

export interface ProfileRef {
  readonly tenantId: string;
  readonly entity: string;
  readonly profile: string;
}

/** Creates the profile row when missing; returns when its keys were last refreshed (null: never). */
export async function ensureProfile(tx: TenantTx, ref: ProfileRef, definition: unknown): Promise<Date | null> {
  await sql`insert into ingest_match_profiles (tenant_id, entity, profile, definition) values (${ref.tenantId}, ${ref.entity}, ${ref.profile}, ${json(definition)}::jsonb)
    on conflict do nothing`.execute(tx);
  const result = await sql<{ refreshed_to: Date | null }>`select refreshed_to from ingest_match_profiles where tenant_id = ${ref.tenantId} and entity = ${ref.entity} and profile = ${ref.profile}`.execute(tx);
  return result.rows[0]?.refreshed_to ?? null;
}

export async function setRefreshedTo(tx: TenantTx, ref: ProfileRef, at: Date): Promise<void> {
  await sql`update ingest_match_profiles set refreshed_to = ${at} where tenant_id = ${ref.tenantId} and entity = ${ref.entity} and profile = ${ref.profile}`.execute(tx);
}

export async function databaseNow(tx: TenantTx): Promise<Date> {
  return (await sql<{ now: Date }>`select clock_timestamp() as now`.execute(tx)).rows[0]!.now;
}

/**
 * A record's match keys and the record version they were computed from; or no keys (the record has
 * none, or is gone): its row goes, and a version, if given, is not kept.
 */
export type KeyedRecord =
  | { readonly recordId: string; readonly keys: RecordKeys; readonly version: number }
  | { readonly recordId: string; readonly keys: null; readonly version?: number };
type WithKeys = Extract<KeyedRecord, { keys: RecordKeys }>;

/** Writes the keys of records (one statement); a record without keys has its row removed. */
export async function upsertKeys(tx: TenantTx, ref: ProfileRef, entries: readonly KeyedRecord[]): Promise<void> {
  const keyed = entries.filter((entry): entry is WithKeys => entry.keys !== null).map((entry) => ({ id: entry.recordId, block: entry.keys.block, name: entry.keys.name, others: entry.keys.others, version: entry.version }));
  if (keyed.length > 0) {
    await sql`insert into ingest_match_keys (tenant_id, entity, profile, record_id, block_key, name_key, other_keys, record_version)
      select ${ref.tenantId}, ${ref.entity}, ${ref.profile}, k.id, k.block, k.name, k.others, k.version from jsonb_to_recordset(${json(keyed)}::jsonb) as k(id uuid, block text, name text, others text[], version bigint)
      on conflict (tenant_id, entity, profile, record_id) do update set block_key = excluded.block_key, name_key = excluded.name_key, other_keys = excluded.other_keys, record_version = excluded.record_version
      where (ingest_match_keys.block_key, ingest_match_keys.name_key, ingest_match_keys.other_keys, ingest_match_keys.record_version)
        is distinct from (excluded.block_key, excluded.name_key, excluded.other_keys, excluded.record_version)`.execute(tx);
  }
  await deleteKeys(tx, ref, entries.filter((entry) => entry.keys === null).map((entry) => entry.recordId));
}

/**
 * A page of the entity's live records changed since `since` (all when null), by id after `afterId`:
 * their ids and versions. Two plain index reads a page (this, then keyedVersions by primary key)
 * rather than one anti-join of the two tables, which ran into the 30 s statement timeout in the
 * crash test (on a resume and on a re-run of 100,000 rows; the plan's cause not looked into).
 */
export async function recordVersions(tx: TenantTx, ref: ProfileRef, table: string, page: { since: Date | null; afterId: string | null; limit: number }): Promise<{ id: string; version: string }[]> {
  const result = await sql<{ id: string; version: string }>`
    select id, version::text as version from ${sql.table(table)}
    where tenant_id = ${ref.tenantId} and deleted_at is null${page.since ? sql` and updated_at >= ${page.since}` : sql``}${page.afterId ? sql` and id > ${page.afterId}` : sql``}
    order by id limit ${page.limit}`.execute(tx);
  return result.rows;
}

/** The record versions the profile's keys of these records were computed from (absent: no keys, or a version not known). */
export async function keyedVersions(tx: TenantTx, ref: ProfileRef, recordIds: readonly string[]): Promise<Map<string, string>> {
  if (recordIds.length === 0) return new Map();
  const result = await sql<{ record_id: string; version: string }>`
    select record_id, record_version::text as version from ingest_match_keys
    where tenant_id = ${ref.tenantId} and entity = ${ref.entity} and profile = ${ref.profile} and record_id = any(${recordIds}::uuid[]) and record_version is not null`.execute(tx);
  return new Map(result.rows.map((row) => [row.record_id, row.version]));
}

export async function deleteKeys(tx: TenantTx, ref: ProfileRef, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await sql`delete from ingest_match_keys where tenant_id = ${ref.tenantId} and entity = ${ref.entity} and profile = ${ref.profile} and record_id = any(${recordIds}::uuid[])`.execute(tx);
}

/** Whether some record of the profile has no block value (then blocked rows also search those by trigram). */
export async function hasUnblockedKeys(tx: TenantTx, ref: ProfileRef): Promise<boolean> {
  const result = await sql<{ found: boolean }>`select exists (select 1 from ingest_match_keys where tenant_id = ${ref.tenantId} and entity = ${ref.entity} and profile = ${ref.profile} and block_key is null) as found`.execute(tx);
  return result.rows[0]?.found ?? false;
}

export interface CandidateRow {
  readonly index: number;
  readonly recordId: string;
  readonly nameScore: number;
  readonly otherScores: number[];
  readonly otherKeys: string[];
  readonly blockKey: string | null;
}

/**
 * Candidates of many rows in one statement, each row searched by an index whatever the statistics say
 * (a LATERAL with a LIMIT is never flattened into a join): rows with a block value among the keys of
 * their block (btree on block_key); rows without one, and with `searchUnblocked` every row among the
 * records without a block value, by nearest names in a partial trigram GiST index (`<->`); rows without
 * one also among the records with one, by nearest names in the other partial index. Candidates have a
 * name similarity of at least `floor`; a row's own key (`id`) is never its candidate. At most `limit`
 * per row and path, best name first.
 */
export async function findCandidates(tx: TenantTx, ref: ProfileRef, rows: readonly { index: number; id: string; keys: RecordKeys }[], options: { floor: number; limit: number; searchUnblocked: boolean }): Promise<CandidateRow[]> {
  if (rows.length === 0) return [];
  const input = json(rows.map((row) => ({ i: row.index, id: row.id, block: row.keys.block, name: row.keys.name, others: row.keys.others })));
  const scope = sql`k.tenant_id = ${ref.tenantId} and k.entity = ${ref.entity} and k.profile = ${ref.profile} and k.record_id <> r.id`;
  const query = sql<{ i: number; record_id: string; name_score: number; other_scores: number[]; other_keys: string[]; block_key: string | null }>`
    with r as (select * from jsonb_to_recordset(${input}::jsonb) as r(i int, id uuid, block text, name text, others text[])),
    hits as (
      select r.i, k.* from r cross join lateral (
        select k.record_id, similarity(k.name_key, r.name) as name_score, k.other_keys, k.block_key from ingest_match_keys k
        where k.block_key = r.block and ${scope} order by 2 desc limit ${options.limit}
      ) as k
      where k.name_score >= ${options.floor}
      union all
      select r.i, k.* from r cross join lateral (
        select k.record_id, similarity(k.name_key, r.name) as name_score, k.other_keys, k.block_key from ingest_match_keys k
        where ${scope} and k.block_key is null order by k.name_key <-> r.name limit ${options.limit}
      ) as k
      where (r.block is null or ${options.searchUnblocked}) and k.name_score >= ${options.floor}
      union all
      select r.i, k.* from r cross join lateral (
        select k.record_id, similarity(k.name_key, r.name) as name_score, k.other_keys, k.block_key from ingest_match_keys k
        where ${scope} and k.block_key is not null order by k.name_key <-> r.name limit ${options.limit}
      ) as k
      where r.block is null and k.name_score >= ${options.floor}
    )
    select h.i, h.record_id, h.name_score, h.other_keys, h.block_key,
      (select coalesce(array_agg(similarity(split_part(u.a, ${numbersSeparator}, 1), split_part(u.b, ${numbersSeparator}, 1)) order by u.n), '{}')
        from unnest(h.other_keys, r.others) with ordinality as u(a, b, n)) as other_scores
    from hits h join r on r.i = h.i`;
  // Nearest names come without a sort only from the GiST index; with statistics that call the tenant's
  // keys rare (right after a backfill), the planner would rather sort a scan of all of them per row.
  await sql`select set_config('enable_sort', 'off', true)`.execute(tx);
  const result = await query.execute(tx).finally(() => sql`select set_config('enable_sort', 'on', true)`.execute(tx));
  return result.rows.map((row) => ({ index: row.i, recordId: row.record_id, nameScore: row.name_score, otherScores: row.other_scores, otherKeys: row.other_keys, blockKey: row.block_key }));
}

export interface MergeRow {
  readonly id: string;
  readonly runId: string;
  readonly entity: string;
  readonly system: string;
  readonly sourceKey: string;
  /** The surviving record. */
  readonly recordId: string;
  readonly match: 'exact' | 'fuzzy' | 'review';
  readonly score: number | null;
  /** The row's mapped values: the record an unlink creates. */
  readonly sourceRecord: Record<string, unknown>;
  readonly contentHash: string;
  readonly written: Record<string, unknown>;
  readonly previous: Record<string, unknown>;
}

export interface StoredMerge extends MergeRow {
  readonly status: 'active' | 'reverted';
  readonly createdAt: string;
  readonly revertedAt: string | null;
  /** After an unlink: the source key's own record. */
  readonly splitRecordId: string | null;
}

export async function insertMerges(tx: TenantTx, tenantId: string, merges: readonly MergeRow[]): Promise<void> {
  if (merges.length === 0) return;
  await sql`
    insert into ingest_merges (tenant_id, id, run_id, entity, system, source_key, record_id, match, score, source_record, content_hash, written, previous, created_by)
    select ${tenantId}, m.id, m."runId", m.entity, m.system, m."sourceKey", m."recordId", m.match, m.score, m."sourceRecord", m."contentHash", m.written, m.previous, tenantry_current_user()
    from jsonb_to_recordset(${json(merges)}::jsonb) as m(id uuid, "runId" uuid, entity text, system text, "sourceKey" text, "recordId" uuid, match text, score real, "sourceRecord" jsonb, "contentHash" text, written jsonb, previous jsonb)`.execute(tx);
}

interface MergeDbRow {
  id: string;
  run_id: string;
  entity: string;
  system: string;
  source_key: string;
  record_id: string;
  match: MergeRow['match'];
  score: number | null;
  source_record: Record<string, unknown>;
  content_hash: string;
  written: Record<string, unknown>;
  previous: Record<string, unknown>;
  status: StoredMerge['status'];
  created_at: Date;
  reverted_at: Date | null;
  split_record_id: string | null;
}

const toMerge = (row: MergeDbRow): StoredMerge => ({
  id: row.id,
  runId: row.run_id,
  entity: row.entity,
  system: row.system,
  sourceKey: row.source_key,
  recordId: row.record_id,
  match: row.match,
  score: row.score,
  sourceRecord: row.source_record,
  contentHash: row.content_hash,
  written: row.written,
  previous: row.previous,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  revertedAt: row.reverted_at?.toISOString() ?? null,
  splitRecordId: row.split_record_id,
});

export async function findMerge(tx: TenantTx, tenantId: string, id: string, lock = false): Promise<StoredMerge | undefined> {
  const result = await sql<MergeDbRow>`select * from ingest_merges where tenant_id = ${tenantId} and id = ${id} ${lock ? sql`for update` : sql``}`.execute(tx);
  return result.rows[0] && toMerge(result.rows[0]);
}

export async function listMerges(tx: TenantTx, tenantId: string, filter: { recordId?: string; sourceKey?: string }, limit: number): Promise<StoredMerge[]> {
  const result = await sql<MergeDbRow>`select * from ingest_merges where tenant_id = ${tenantId}
    ${filter.recordId ? sql`and record_id = ${filter.recordId}` : sql``} ${filter.sourceKey ? sql`and source_key = ${filter.sourceKey}` : sql``}
    order by created_at desc, id desc limit ${limit}`.execute(tx);
  return result.rows.map(toMerge);
}

export async function markMergeReverted(tx: TenantTx, tenantId: string, id: string, splitRecordId: string): Promise<void> {
  await sql`update ingest_merges set status = 'reverted', reverted_at = now(), reverted_by = tenantry_current_user(), split_record_id = ${splitRecordId}
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

/** A review case: the pending row kept whole, the candidate and its score. */
export interface ReviewRow {
  readonly id: string;
  readonly sourceKey: string;
  readonly candidateId: string;
  readonly score: number;
  readonly pending: { readonly record: Record<string, unknown>; readonly hash: string; readonly rowNumber: number };
  /** The candidate's values of the compared fields, for the person deciding. */
  readonly candidate: Record<string, unknown>;
}

/** Opens review cases; a key with an open review already has it refreshed (one open review per key). */
export async function upsertReviews(tx: TenantTx, scope: { tenantId: string; runId: string; entity: string; system: string }, reviews: readonly ReviewRow[]): Promise<void> {
  if (reviews.length === 0) return;
  await sql`
    insert into ingest_cases (tenant_id, id, kind, run_id, entity, system, record_id, source_key, source_value, local_value, candidate_id, score)
    select ${scope.tenantId}, c.id, 'review', ${scope.runId}, ${scope.entity}, ${scope.system}, c."candidateId", c."sourceKey", c.pending, c.candidate, c."candidateId", c.score
    from jsonb_to_recordset(${json(reviews)}::jsonb) as c(id uuid, "sourceKey" text, "candidateId" uuid, score real, pending jsonb, candidate jsonb)
    on conflict (tenant_id, entity, system, source_key) where kind = 'review' and status = 'open'
    do update set run_id = excluded.run_id, record_id = excluded.record_id, candidate_id = excluded.candidate_id, score = excluded.score,
      source_value = excluded.source_value, local_value = excluded.local_value`.execute(tx);
}

/** Closes the open reviews of keys a load has now written (created or linked): superseded. */
export async function closeSupersededReviews(tx: TenantTx, scope: { tenantId: string; entity: string; system: string }, sourceKeys: readonly string[]): Promise<void> {
  if (sourceKeys.length === 0) return;
  await sql`update ingest_cases set status = 'resolved', resolution = 'superseded', resolved_at = now()
    where tenant_id = ${scope.tenantId} and entity = ${scope.entity} and system = ${scope.system} and kind = 'review' and status = 'open' and source_key = any(${sourceKeys})`.execute(tx);
}

export interface StoredCase {
  readonly id: string;
  readonly kind: 'conflict' | 'review';
  readonly status: 'open' | 'resolved' | 'dismissed';
  readonly runId: string;
  readonly entity: string;
  readonly system: string | null;
  readonly recordId: string;
  readonly sourceKey: string | null;
  readonly field: string | null;
  readonly sourceValue: unknown;
  readonly localValue: unknown;
  readonly candidateId: string | null;
  readonly score: number | null;
}

export async function findCase(tx: TenantTx, tenantId: string, id: string): Promise<StoredCase | undefined> {
  const result = await sql<{ id: string; kind: StoredCase['kind']; status: StoredCase['status']; run_id: string; entity: string; system: string | null; record_id: string; source_key: string | null; field: string | null; source_value: unknown; local_value: unknown; candidate_id: string | null; score: number | null }>`
    select id, kind, status, run_id, entity, system, record_id, source_key, field, source_value, local_value, candidate_id, score from ingest_cases
    where tenant_id = ${tenantId} and id = ${id} for update`.execute(tx);
  const row = result.rows[0];
  return row && { id: row.id, kind: row.kind, status: row.status, runId: row.run_id, entity: row.entity, system: row.system, recordId: row.record_id, sourceKey: row.source_key, field: row.field, sourceValue: row.source_value, localValue: row.local_value, candidateId: row.candidate_id, score: row.score };
}

export async function closeCase(tx: TenantTx, tenantId: string, id: string, outcome: { status: 'resolved' | 'dismissed'; resolution: 'merge' | 'distinct' | 'keepLocal' | 'takeSource' | null }): Promise<void> {
  await sql`update ingest_cases set status = ${outcome.status}, resolution = ${outcome.resolution}, resolved_at = now(), resolved_by = tenantry_current_user()
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}
