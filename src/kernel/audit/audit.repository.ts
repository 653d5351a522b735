/**
 * SQL of the audit log: the chain's events (audit_events), the items of its batches
 * (audit_event_items) and every entry as the read API shows it (the audit_entries view). The only
 * code that touches them.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import { batchAction } from './audit-batch.ts';
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
  batchSeq: number | null;
}

const columns = sql`seq, occurred_at as "occurredAt", actor_kind as "actorKind", actor_id as "actorId", action, entity,
  record_id as "recordId", changes, details, request_id as "requestId", ip, prev_hash as "prevHash", hash`;
/** The columns of an entry of audit_entries: an event's, and for a batch's item the batch's seq. */
const entryColumns = sql`${columns}, batch_seq as "batchSeq"`;

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
  batch: row.batchSeq === undefined || row.batchSeq === null ? null : Number(row.batchSeq),
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

/**
 * The items of a batch (itemLine each, in seq order), in statements of 2,000 lines: one text
 * parameter each, split by PostgreSQL; the body is stored as the text that was hashed.
 */
export async function insertItems(tx: TenantTx, tenantId: string, batchSeq: number, lines: readonly string[]): Promise<void> {
  for (let start = 0; start < lines.length; start += 2000) {
    const text = lines.slice(start, start + 2000).join('\n');
    await sql`
      insert into audit_event_items (tenant_id, seq, batch_seq, entity, record_id, action, body)
      select ${tenantId}, f[1]::bigint, ${batchSeq}, f[2], f[3], f[4], f[5]
      from (select string_to_array(line, E'\t') as f from string_to_table(${text}::text, E'\n') as line offset 0) as fields`.execute(tx);
  }
}

/** A batch's item as stored. */
export interface StoredItem {
  seq: number;
  batchSeq: number;
  entity: string;
  recordId: string;
  action: string;
  body: string;
}

/** The items stored in a batch's seq range (after `batchSeq`, `count` seqs), in seq order. */
export async function selectBatchItems(tx: TenantTx, tenantId: string, batchSeq: number, count: number): Promise<StoredItem[]> {
  const result = await sql<StoredItem>`
    select seq, batch_seq as "batchSeq", entity, record_id as "recordId", action, body from audit_event_items
    where tenant_id = ${tenantId} and seq > ${batchSeq} and seq <= ${batchSeq + count} order by seq`.execute(tx);
  return result.rows.map((row) => ({ ...row, seq: Number(row.seq), batchSeq: Number(row.batchSeq) }));
}

/** How many items the tenant's batches hold. */
export async function countItems(tx: TenantTx, tenantId: string): Promise<number> {
  const result = await sql<{ count: string }>`select count(*) as count from audit_event_items where tenant_id = ${tenantId}`.execute(tx);
  return Number(result.rows[0]!.count);
}

/** The first item that lies in no batch's seq range or names another batch than the one whose range holds it. */
export async function findUncoveredItem(tx: TenantTx, tenantId: string): Promise<number | undefined> {
  const result = await sql<{ seq: string }>`
    select i.seq from audit_event_items i
    where i.tenant_id = ${tenantId} and not exists (
      select 1 from audit_events b where b.tenant_id = i.tenant_id and b.seq = i.batch_seq and b.action = ${batchAction}
        and i.seq > b.seq and i.seq <= b.seq + (b.details ->> 'items')::bigint)
    order by i.seq limit 1`.execute(tx);
  return result.rows[0] ? Number(result.rows[0].seq) : undefined;
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

/**
 * Newest first, `limit` entries at most; filtered by tenant in SQL as well as by RLS. The page's seqs
 * are found in each table on its own indexes (an item's time, actor and the like are its batch's,
 * asked of the batches), then only those entries are read whole. Through the audit_entries view,
 * PostgreSQL cannot walk the items in seq order (a union member that joins is planned on its own,
 * for all its rows): it parsed every item's body and sorted them (1.7 s for a page of 200,000
 * items, measured; this: a few ms).
 */
export async function selectEvents(tx: TenantTx, tenantId: string, filter: EventFilter, limit: number): Promise<AuditEvent[]> {
  const own = (alias: string) => {
    const column = (name: string) => sql.ref(`${alias}.${name}`);
    const conditions = [sql`${column('tenant_id')} = ${tenantId}`];
    if (filter.entity !== undefined) conditions.push(sql`${column('entity')} = ${filter.entity}`);
    if (filter.recordId !== undefined) conditions.push(sql`${column('record_id')} = ${filter.recordId}`);
    if (filter.action !== undefined) conditions.push(sql`${column('action')} = ${filter.action}`);
    if (filter.beforeSeq !== undefined) conditions.push(sql`${column('seq')} < ${filter.beforeSeq}`);
    return conditions;
  };
  const origin = (alias: string) => {
    const column = (name: string) => sql.ref(`${alias}.${name}`);
    const conditions = [];
    if (filter.actorId !== undefined) conditions.push(sql`${column('actor_id')} = ${filter.actorId}`);
    if (filter.from !== undefined) conditions.push(sql`${column('occurred_at')} >= ${filter.from}::timestamptz`);
    if (filter.to !== undefined) conditions.push(sql`${column('occurred_at')} < ${filter.to}::timestamptz`);
    return conditions;
  };
  const batchOrigin = origin('b');
  // Filters on the batch (actor, time): the matching batches first, each one's items by its seq range.
  const items =
    batchOrigin.length === 0
      ? sql`select i.seq from audit_event_items i where ${sql.join(own('i'), sql` and `)} order by i.seq desc limit ${limit}`
      : sql`select i.seq from audit_events b cross join lateral (
          select i.seq from audit_event_items i
          where ${sql.join(own('i'), sql` and `)} and i.seq > b.seq and i.seq <= b.seq + (b.details ->> 'items')::bigint order by i.seq desc limit ${limit}
        ) as i
        where b.tenant_id = ${tenantId} and b.action = ${batchAction} and ${sql.join(batchOrigin, sql` and `)} order by i.seq desc limit ${limit}`;
  const result = await sql<Row>`
    with page as (
      select seq from (
        (select e.seq from audit_events e where ${sql.join([...own('e'), ...origin('e')], sql` and `)} order by e.seq desc limit ${limit})
        union all
        (${items})
      ) as found order by seq desc limit ${limit}
    )
    select * from (
      select ${columns}, null::bigint as "batchSeq" from audit_events where tenant_id = ${tenantId} and seq in (select seq from page)
      union all
      select i.seq, b.occurred_at as "occurredAt", b.actor_kind as "actorKind", b.actor_id as "actorId", i.action, i.entity, i.record_id as "recordId",
        (i.body::json) -> 'changes' as changes, (i.body::json) -> 'details' as details, b.request_id as "requestId", b.ip, b.prev_hash as "prevHash", b.hash, i.batch_seq as "batchSeq"
      from audit_event_items i join audit_events b on b.tenant_id = i.tenant_id and b.seq = i.batch_seq
      where i.tenant_id = ${tenantId} and i.seq in (select seq from page)
    ) as entries order by seq desc`.execute(tx);
  return result.rows.map(toEvent);
}

/**
 * Entries carrying the lineage of an ingestion run (details.ingest.run) that occurred within the
 * window, in time order (seq breaks ties), after the position of the entry `after`. Read through
 * the chain's time index: no index of their own, which every ingest write would pay for, where a
 * run's entries sit together in time. The links of the window come in time order, each expanded in
 * place (a batch into its items, in seq order: they share its time), so the final order needs only
 * an incremental sort within a time, and a page reads the batches it shows.
 */
export async function selectRunEvents(tx: TenantTx, tenantId: string, runId: string, filter: { since: string; until?: string; after?: { occurredAt: string; seq: number }; operation?: string }, limit: number): Promise<AuditEvent[]> {
  const conditions = [sql`b.tenant_id = ${tenantId}`, sql`b.occurred_at >= ${filter.since}::timestamptz`, sql`(e.details -> 'ingest') ->> 'run' = ${runId}`];
  if (filter.until !== undefined) conditions.push(sql`b.occurred_at <= ${filter.until}::timestamptz`);
  // The links from the cursor's time on (on the time index), and of its batch only the items after it
  // (each other item's body would be parsed for the run's id).
  const afterItem = filter.after === undefined ? sql`` : sql`and (b.occurred_at > ${filter.after.occurredAt}::timestamptz or i.seq > ${filter.after.seq})`;
  if (filter.after !== undefined) conditions.push(sql`b.occurred_at >= ${filter.after.occurredAt}::timestamptz`, sql`(b.occurred_at, e.seq) > (${filter.after.occurredAt}::timestamptz, ${filter.after.seq})`);
  if (filter.operation !== undefined) conditions.push(sql`(e.details -> 'ingest') ->> 'operation' = ${filter.operation}`);
  const result = await sql<Row>`
    select e.seq, b.occurred_at as "occurredAt", b.actor_kind as "actorKind", b.actor_id as "actorId", e.action, e.entity, e.record_id as "recordId",
      e.changes, e.details, b.request_id as "requestId", b.ip, b.prev_hash as "prevHash", b.hash, e.batch_seq as "batchSeq"
    from audit_events b
    cross join lateral (
      select b.seq, b.action, b.entity, b.record_id, b.changes, b.details, null::bigint as batch_seq where b.action <> ${batchAction}
      union all
      select i.seq, i.action, i.entity, i.record_id, (i.body::json) -> 'changes', (i.body::json) -> 'details', i.batch_seq from audit_event_items i
      where b.action = ${batchAction} and i.tenant_id = b.tenant_id and i.seq > b.seq and i.seq <= b.seq + (b.details ->> 'items')::bigint ${afterItem}
    ) as e
    where ${sql.join(conditions, sql` and `)}
    order by b.occurred_at, e.seq limit ${limit}`.execute(tx);
  return result.rows.map(toEvent);
}

export async function selectEvent(tx: TenantTx, tenantId: string, seq: number): Promise<AuditEvent | undefined> {
  const result = await sql<Row>`select ${entryColumns} from audit_entries where tenant_id = ${tenantId} and seq = ${seq}`.execute(tx);
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
