/** SQL of the audit_events table: the only code that touches it. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { ActorKind, AuditEvent } from './audit.contract.ts';

interface Row {
  seq: number;
  occurredAt: Date;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  entity: string | null;
  recordId: string | null;
  changes: AuditEvent['changes'];
  details: AuditEvent['details'];
  requestId: string | null;
  ip: string | null;
  prevHash: string;
  hash: string;
}

const columns = sql`seq, occurred_at as "occurredAt", actor_kind as "actorKind", actor_id as "actorId", action, entity,
  record_id as "recordId", changes, details, request_id as "requestId", ip, prev_hash as "prevHash", hash`;

const toEvent = (row: Row): AuditEvent => ({
  seq: row.seq,
  occurredAt: row.occurredAt.toISOString(),
  actor: { kind: row.actorKind, id: row.actorId },
  action: row.action,
  entity: row.entity,
  recordId: row.recordId,
  changes: row.changes,
  details: row.details,
  requestId: row.requestId,
  ip: row.ip,
  prevHash: row.prevHash,
  hash: row.hash,
});

export interface ChainHead {
  tenantId: string;
  seq: number;
  hash: string;
}

/** Takes the tenant's chain lock (until the transaction ends) and reads the head. */
export async function lockChainHead(tx: TenantTx): Promise<ChainHead> {
  const result = await sql<{ tenantId: string; seq: number; hash: string }>`
    select head_tenant as "tenantId", head_seq as seq, head_hash as hash from tenantry_audit_chain_head()`.execute(tx);
  return result.rows[0]!;
}

export async function insertEvent(tx: TenantTx, tenantId: string, event: AuditEvent): Promise<void> {
  await sql`
    insert into audit_events (tenant_id, seq, occurred_at, actor_kind, actor_id, action, entity, record_id, changes, details, request_id, ip, prev_hash, hash)
    values (${tenantId}, ${event.seq}, ${event.occurredAt}, ${event.actor.kind}, ${event.actor.id}, ${event.action}, ${event.entity}, ${event.recordId},
            ${JSON.stringify(event.changes)}::json, ${JSON.stringify(event.details)}::json, ${event.requestId}, ${event.ip}, ${event.prevHash}, ${event.hash})`.execute(tx);
}

/** An event of a bulk append: its place in the chain and its content as hashed (canonicalContentParts). */
export interface LinkedEvent {
  seq: number;
  prevHash: string;
  hash: string;
  occurredAt: string;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  entity: string | null;
  recordId: string | null;
  requestId: string | null;
  ip: string | null;
  /** The canonical JSON of the changes and the details, as written into the hashed content. */
  changes: string;
  details: string;
}

/**
 * An event of a bulk append as a line of insertEvents' text: seq, prevHash, hash, the scalar columns
 * as a JSON array, the details and the changes, tab-separated. None of them can hold a tab or a
 * newline (an integer, hex, JSON text, which escapes both); were one to, its JSON would no longer
 * parse and the statement would fail. Made as each event is linked, so a bulk append keeps one string
 * an event, not the objects it was made from (ingestion appends thousands at once).
 */
export function eventLine(event: LinkedEvent): string {
  const scalars = JSON.stringify([event.occurredAt, event.actorKind, event.actorId, event.action, event.entity, event.recordId, event.requestId, event.ip]);
  return `${event.seq}\t${event.prevHash}\t${event.hash}\t${scalars}\t${event.details}\t${event.changes}`;
}

/**
 * Several events of one chain (eventLine each, in chain order) in one statement per 2,000 (bulk
 * writes: seeds, ingestion): one text parameter, not one per cell. The changes and details are stored
 * as the canonical text that was hashed (json columns: PostgreSQL checks the text but builds no binary
 * copy); only the short array is parsed as jsonb, once (the subquery's `offset 0` keeps the planner
 * from inlining the cast into every column that reads it). Measured on 20,000 ingestion events:
 * 20-25 us an event against 28-33 us when the whole content was parsed as jsonb and the columns read
 * from it. A jsonb array of all the events cost 9 us an event more again (PostgreSQL first building
 * and key-sorting a binary copy of the whole array).
 */
export async function insertEvents(tx: TenantTx, tenantId: string, lines: readonly string[]): Promise<void> {
  for (let start = 0; start < lines.length; start += 2000) {
    const text = lines.slice(start, start + 2000).join('\n');
    await sql`
      insert into audit_events (tenant_id, seq, occurred_at, actor_kind, actor_id, action, entity, record_id, changes, details, request_id, ip, prev_hash, hash)
      select ${tenantId}, e.seq, (e.s->>0)::timestamptz, e.s->>1, e.s->>2, e.s->>3, e.s->>4, e.s->>5, e.changes, e.details, e.s->>6, e.s->>7, e.prev_hash, e.hash
      from (
        select f[1]::bigint as seq, f[2] as prev_hash, f[3] as hash, f[4]::jsonb as s, f[5]::json as details, f[6]::json as changes
        from (select string_to_array(line, E'\t') as f from string_to_table(${text}::text, E'\n') as line) as fields
        offset 0
      ) as e`.execute(tx);
  }
}

export interface EventFilter {
  entity?: string;
  recordId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
  /** Only events with a smaller seq (keyset paging, newest first). */
  beforeSeq?: number;
}

/** Newest first, `limit` rows at most; filtered by tenant in SQL as well as by RLS. */
export async function selectEvents(tx: TenantTx, tenantId: string, filter: EventFilter, limit: number): Promise<AuditEvent[]> {
  const conditions = [sql`tenant_id = ${tenantId}`];
  if (filter.entity !== undefined) conditions.push(sql`entity = ${filter.entity}`);
  if (filter.recordId !== undefined) conditions.push(sql`record_id = ${filter.recordId}`);
  if (filter.actorId !== undefined) conditions.push(sql`actor_id = ${filter.actorId}`);
  if (filter.action !== undefined) conditions.push(sql`action = ${filter.action}`);
  if (filter.from !== undefined) conditions.push(sql`occurred_at >= ${filter.from}::timestamptz`);
  if (filter.to !== undefined) conditions.push(sql`occurred_at < ${filter.to}::timestamptz`);
  if (filter.beforeSeq !== undefined) conditions.push(sql`seq < ${filter.beforeSeq}`);
  const result = await sql<Row>`select ${columns} from audit_events where ${sql.join(conditions, sql` and `)} order by seq desc limit ${limit}`.execute(tx);
  return result.rows.map(toEvent);
}

/**
 * Events carrying the lineage of an ingestion run (details.ingest.run) that occurred within the
 * window, in time order (seq breaks ties), after the position of the event `after`. Read through
 * the time index: no index of their own, which every ingest write would pay for (4 us an event,
 * measured), where a run's events sit together in time.
 */
export async function selectRunEvents(tx: TenantTx, tenantId: string, runId: string, filter: { since: string; until?: string; after?: { occurredAt: string; seq: number }; operation?: string }, limit: number): Promise<AuditEvent[]> {
  const conditions = [sql`tenant_id = ${tenantId}`, sql`occurred_at >= ${filter.since}::timestamptz`, sql`(details -> 'ingest') ->> 'run' = ${runId}`];
  if (filter.until !== undefined) conditions.push(sql`occurred_at <= ${filter.until}::timestamptz`);
  if (filter.after !== undefined) conditions.push(sql`(occurred_at, seq) > (${filter.after.occurredAt}::timestamptz, ${filter.after.seq})`);
  if (filter.operation !== undefined) conditions.push(sql`(details -> 'ingest') ->> 'operation' = ${filter.operation}`);
  const result = await sql<Row>`select ${columns} from audit_events where ${sql.join(conditions, sql` and `)} order by occurred_at, seq limit ${limit}`.execute(tx);
  return result.rows.map(toEvent);
}

export async function selectEvent(tx: TenantTx, tenantId: string, seq: number): Promise<AuditEvent | undefined> {
  const result = await sql<Row>`select ${columns} from audit_events where tenant_id = ${tenantId} and seq = ${seq}`.execute(tx);
  return result.rows[0] && toEvent(result.rows[0]);
}

/** A page of the chain in seq order, from `afterSeq` on (exclusive). */
export async function selectChainPage(tx: TenantTx, tenantId: string, afterSeq: number, limit: number): Promise<AuditEvent[]> {
  const result = await sql<Row>`select ${columns} from audit_events where tenant_id = ${tenantId} and seq > ${afterSeq} order by seq limit ${limit}`.execute(tx);
  return result.rows.map(toEvent);
}

/** The seq of the tenant's event with this hash, if any (used only once a link is found broken). */
export async function findSeqByHash(tx: TenantTx, tenantId: string, hash: string): Promise<number | undefined> {
  const result = await sql<{ seq: number }>`select seq from audit_events where tenant_id = ${tenantId} and hash = ${hash} order by seq limit 1`.execute(tx);
  return result.rows[0]?.seq;
}
