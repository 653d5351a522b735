/**
 * What a load left in a tenant, reduced to counts and checksums computed in SQL on the owner
 * connection (explicit tenant filters), so two tenants loaded from the same file compare without
 * shipping a million rows: the outlets' values, the cross-reference, and per run its rejects and
 * lineage (the audit events' `details.ingest`); the cases (conflicts, review holds); the audit trail and the sync change log by count. Generated ids and timestamps are left
 * out; records are identified by their code. A checksum is the md5 of the rows' md5s in order (the
 * rows' text itself would come near string_agg's 1 GB limit at a million rows).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

export interface TenantFingerprint {
  readonly outlets: number;
  readonly distinctCodes: number;
  readonly inactive: number;
  /** md5 over every outlet column but id, tenant and timestamps (version included), ordered by code. */
  readonly outletsChecksum: string;
  readonly xrefEntries: number;
  /** md5 over (source key, code of its record, content hash, deleted flag, source values). */
  readonly xrefChecksum: string;
  readonly auditByAction: Readonly<Record<string, number>>;
  /** The most audit 'create' events of one record (1: no record was created twice). */
  readonly auditMostCreatesPerRecord: number;
  readonly lineageRows: number;
  /** The most 'create' lineage rows of one record over all runs. */
  readonly lineageMostCreatesPerRecord: number;
  readonly syncChanges: number;
  readonly cases: number;
  /** md5 over the cases (conflicts, reviews): kind, status, source key, field, codes of record and candidate, score, values. */
  readonly casesChecksum: string;
}

export interface RunFingerprint {
  readonly rejects: number;
  readonly distinctRejects: number;
  readonly rejectsChecksum: string;
  readonly lineage: Readonly<Record<string, number>>;
  readonly lineageChecksum: string;
}

/** The tenant's lineage: what each audit entry of an ingest write says about it (kernel/ingest/lineage.ts). */
const lineageOf = (tenantId: string) => sql`
  select record_id, details->'ingest'->>'run' as run_id, details->'ingest'->>'sourceKey' as source_key, details->'ingest'->>'operation' as operation,
    (details->'ingest'->>'row')::bigint as row_number
  from audit_entries where tenant_id = ${tenantId} and details->'ingest' is not null`;

const one = async <T>(owner: Kysely<any>, query: RawBuilder<T>): Promise<T> => (await query.execute(owner)).rows[0]!;

export async function fingerprintTenant(owner: Kysely<any>, tenantId: string): Promise<TenantFingerprint> {
  const outlets = await one(owner, sql<{ outlets: number; codes: number; inactive: number; checksum: string }>`
    select count(*)::int as outlets, count(distinct code)::int as codes, count(*) filter (where not active)::int as inactive,
      md5(coalesce(string_agg(md5((to_jsonb(o) - 'tenant_id' - 'id' - 'created_at' - 'updated_at' - 'created_by' - 'updated_by')::text), '' order by o.code), '')) as checksum
    from outlets o where o.tenant_id = ${tenantId}`);
  const xref = await one(owner, sql<{ entries: number; checksum: string }>`
    select count(*)::int as entries,
      md5(coalesce(string_agg(md5(concat_ws('|', x.source_key, o.code, x.content_hash, x.deleted_in_source, x.source_values::jsonb::text)), '' order by x.source_key), '')) as checksum
    from ingest_xref x left join outlets o on o.tenant_id = x.tenant_id and o.id = x.record_id
    where x.tenant_id = ${tenantId} and x.entity = 'outlet'`);
  const audit = await sql<{ action: string; events: number; most: number }>`
    select action, sum(events)::int as events, max(events)::int as most from (
      select action, record_id, count(*) as events from audit_entries where tenant_id = ${tenantId} and entity = 'outlet' group by action, record_id
    ) per_record group by action`.execute(owner);
  const cases = await one(owner, sql<{ cases: number; checksum: string }>`
    select count(*)::int as cases,
      md5(coalesce(string_agg(md5(concat_ws('|', c.kind, c.status, c.source_key, c.field, r.code, k.code, c.score, c.source_value::text, c.local_value::text)), '' order by c.kind, c.source_key, c.field), '')) as checksum
    from ingest_cases c left join outlets r on r.tenant_id = c.tenant_id and r.id = c.record_id left join outlets k on k.tenant_id = c.tenant_id and k.id = c.candidate_id
    where c.tenant_id = ${tenantId} and c.entity = 'outlet'`);
  const lineage = await one(owner, sql<{ rows: number; most: number | null }>`
    with l as (${lineageOf(tenantId)})
    select (select count(*)::int from l) as rows, (select max(creates)::int from (select count(*) as creates from l where operation = 'create' group by record_id) c) as most`);
  const sync = await one(owner, sql<{ changes: number }>`select count(*)::int as changes from sync_changes where tenant_id = ${tenantId} and entity_table = 'outlets'`);
  return {
    outlets: outlets.outlets,
    distinctCodes: outlets.codes,
    inactive: outlets.inactive,
    outletsChecksum: outlets.checksum,
    xrefEntries: xref.entries,
    xrefChecksum: xref.checksum,
    auditByAction: Object.fromEntries(audit.rows.map((row) => [row.action, row.events])),
    auditMostCreatesPerRecord: Math.max(0, ...audit.rows.filter((row) => /create/.test(row.action)).map((row) => row.most)),
    lineageRows: lineage.rows,
    lineageMostCreatesPerRecord: lineage.most ?? 0,
    syncChanges: sync.changes,
    cases: cases.cases,
    casesChecksum: cases.checksum,
  };
}

export async function fingerprintRun(owner: Kysely<any>, tenantId: string, runId: string): Promise<RunFingerprint> {
  const rejects = await one(owner, sql<{ rejects: number; distinct_rejects: number; checksum: string }>`
    select count(*)::int as rejects, count(distinct (row_number, seq))::int as distinct_rejects,
      md5(coalesce(string_agg(md5(concat_ws('|', row_number, seq, line, source_key, field, value, code, reason, source_row::text)), '' order by row_number, seq), '')) as checksum
    from ingest_rejects where tenant_id = ${tenantId} and run_id = ${runId}`);
  const lineage = await sql<{ operation: string; rows: number }>`
    with l as (${lineageOf(tenantId)}) select operation, count(*)::int as rows from l where run_id = ${runId} group by operation`.execute(owner);
  const lineageChecksum = await one(owner, sql<{ checksum: string }>`
    with l as (${lineageOf(tenantId)})
    select md5(coalesce(string_agg(md5(concat_ws('|', l.source_key, l.operation, l.row_number, o.code)), '' order by l.source_key, l.operation), '')) as checksum
    from l left join outlets o on o.tenant_id = ${tenantId} and o.id = l.record_id::uuid
    where l.run_id = ${runId}`);
  return {
    rejects: rejects.rejects,
    distinctRejects: rejects.distinct_rejects,
    rejectsChecksum: rejects.checksum,
    lineage: Object.fromEntries(lineage.rows.map((row) => [row.operation, row.rows])),
    lineageChecksum: lineageChecksum.checksum,
  };
}

export interface KeyAccount {
  /** Codes of the tenant's outlets (in any order; a code twice would show here twice). */
  readonly codes: string[];
  /** Source keys of the cross-reference. */
  readonly xrefKeys: string[];
  /** Source keys linked to a record of another code (an exact or fuzzy match merged them into it). */
  readonly mergedKeys: string[];
  /** Source keys held in an open review case (a likely duplicate: no record, no cross-reference). */
  readonly heldKeys: string[];
}

/** Where every source key of the tenant went: its own record, a link to another record, or a review hold. */
export async function accountKeys(owner: Kysely<any>, tenantId: string): Promise<KeyAccount> {
  const codes = await sql<{ code: string }>`select code from outlets where tenant_id = ${tenantId}`.execute(owner);
  const xref = await sql<{ source_key: string; code: string | null }>`
    select x.source_key, o.code from ingest_xref x left join outlets o on o.tenant_id = x.tenant_id and o.id = x.record_id
    where x.tenant_id = ${tenantId} and x.entity = 'outlet'`.execute(owner);
  const held = await sql<{ source_key: string }>`
    select source_key from ingest_cases where tenant_id = ${tenantId} and entity = 'outlet' and kind = 'review' and status = 'open'`.execute(owner);
  return {
    codes: codes.rows.map((row) => row.code),
    xrefKeys: xref.rows.map((row) => row.source_key),
    mergedKeys: xref.rows.filter((row) => row.code !== row.source_key).map((row) => row.source_key),
    heldKeys: held.rows.map((row) => row.source_key),
  };
}
