/** Rules of the audit log: who the actor is, what is recorded, how events are appended and read. */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import type { RecordChange, RecordListener } from '../records/index.ts';
import { batchAction, batchDetails, itemBody, itemLine, ItemsHash } from './audit-batch.ts';
import { hashEvent } from './audit-chain.ts';
import { changedFields } from './audit-changes.ts';
import type { AuditActor, AuditEvent, AuditLog, AuditPage, SecurityEventInput } from './audit.contract.ts';
import { auditErrors } from './audit.errors.ts';
import { insertEvent, insertItems, lockChainHead, selectEvent, selectEvents, selectRunEvents } from './audit.repository.ts';
import { verifyTenantChain } from './chain-verification.ts';

/** The tenant id of the platform chain: events that belong to no tenant. No tenant can have it (ids are UUIDv7). */
export const platformChainId = '00000000-0000-0000-0000-000000000000';

const actionPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const actorKinds = new Set(['user', 'api_key', 'system', 'anonymous']);

export interface AuditLogOptions {
  /** Page size of the read API when the query names none, and its cap. */
  defaultLimit?: number;
  maxLimit?: number;
  now?: () => Date;
}

/** The actor a context stands for: an API key, else a user, else the system (CLI, jobs, seeds). */
export function actorOf(context: Partial<TenantContext>): AuditActor {
  if (context.apiKeyId) return { kind: 'api_key', id: context.apiKeyId };
  if (context.userId) return { kind: 'user', id: context.userId };
  return { kind: 'system', id: null };
}

type Draft = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash' | 'occurredAt' | 'batch'>;

/** What an event takes from the context of its write: the actor, the request and the IP. */
const contextDraft = (context: TenantContext): Pick<Draft, 'actor' | 'requestId' | 'ip'> => ({ actor: actorOf(context), requestId: context.requestId ?? null, ip: context.ip ?? null });

/** Whether two writes' events would name the same tenant, actor, request and IP. */
function sameOrigin(a: TenantContext, b: TenantContext): boolean {
  if (a === b) return true;
  const one = actorOf(a);
  const other = actorOf(b);
  return a.tenantId === b.tenantId && one.kind === other.kind && one.id === other.id && (a.requestId ?? null) === (b.requestId ?? null) && (a.ip ?? null) === (b.ip ?? null);
}

const lockAfter = new WeakMap<TenantTx, Promise<unknown>>();
/**
 * A tenant's chain is appended to under a lock held until commit: a second transaction of the tenant
 * waits in PostgreSQL until the first commits. A writer that keeps two transactions of one tenant
 * open at once and commits them in order (ingestion's chunks) says which locks first: `tx` takes the
 * chain lock only once `first` (the earlier transaction's commit or failure) has settled. Else the
 * later one could lock first while the writer holds the earlier one's commit back for it: a deadlock
 * PostgreSQL cannot see, half of it being in the writer.
 */
export function lockChainAfter(tx: TenantTx, first: Promise<unknown>): void {
  lockAfter.set(tx, first.catch(() => undefined));
}
const lockChain = async (tx: TenantTx) => {
  await lockAfter.get(tx);
  return lockChainHead(tx);
};

export function createAuditLog(db: Kysely<any>, options: AuditLogOptions = {}): AuditLog {
  const defaultLimit = options.defaultLimit ?? 50;
  const maxLimit = options.maxLimit ?? 200;
  const now = options.now ?? (() => new Date());

  /** Locks the chain of the transaction's tenant, links the event to its head and inserts it. */
  const append = async (tx: TenantTx, draft: Draft, expectedTenantId?: string): Promise<AuditEvent> => {
    const head = await lockChain(tx);
    if (expectedTenantId !== undefined && head.tenantId !== expectedTenantId.toLowerCase()) throw auditErrors.tenantMismatch();
    // The time is taken under the lock, so it never goes backwards along one process's appends.
    const content = { ...draft, occurredAt: now().toISOString() };
    const hash = hashEvent(head.hash, { ...content, tenantId: head.tenantId });
    const event: AuditEvent = { seq: head.seq + 1, ...content, prevHash: head.hash, hash, batch: null };
    await insertEvent(tx, head.tenantId, event);
    return event;
  };

  /**
   * Appends a bulk write's changes as one batch under one lock of the chain: the `audit.batch` event,
   * then an item per change with the seqs after it (audit-batch.ts). Each change becomes its line of
   * the items' statement before the next is looked at, so the changes of thousands of records are
   * never all held at once in another form.
   */
  const appendBatch = async (tx: TenantTx, changes: readonly RecordChange[]): Promise<void> => {
    const first = changes[0]!;
    const head = await lockChain(tx);
    if (head.tenantId !== first.context.tenantId.toLowerCase()) throw auditErrors.tenantMismatch();
    const occurredAt = now().toISOString();
    const batchSeq = head.seq + 1;
    const itemsHash = new ItemsHash();
    const lines: string[] = [];
    for (const change of changes) {
      const body = itemBody({ changes: change.entity.audited ? changedFields(change) : {}, details: change.details ?? {} });
      const line = itemLine(batchSeq + 1 + lines.length, change.entity.name, change.id, change.action, body);
      itemsHash.add(line);
      lines.push(line);
    }
    const draft: Draft = {
      ...contextDraft(first.context),
      action: batchAction,
      // The entities and records are the items': a filter by entity or record finds those.
      entity: null,
      recordId: null,
      changes: {},
      details: batchDetails(lines.length, itemsHash.digest()),
    };
    const content = { ...draft, occurredAt };
    const hash = hashEvent(head.hash, { ...content, tenantId: head.tenantId });
    await insertEvent(tx, head.tenantId, { seq: batchSeq, ...content, prevHash: head.hash, hash, batch: null });
    await insertItems(tx, head.tenantId, batchSeq, lines);
  };

  // A write of an entity that is not audited is kept only when its writer gave details (ingestion's
  // lineage), without its field changes.
  const kept = (change: RecordChange) => change.entity.audited || change.details !== undefined;
  const changeDraft = (change: RecordChange): Draft => ({
    ...contextDraft(change.context),
    action: change.action,
    entity: change.entity.name,
    recordId: change.id,
    changes: change.entity.audited ? changedFields(change) : {},
    details: change.details ?? {},
  });

  const securityDraft = (event: SecurityEventInput, context: Partial<TenantContext>): Draft => {
    if (typeof event.action !== 'string' || event.action.length > 100 || !actionPattern.test(event.action)) throw auditErrors.invalidEvent('action must be dotted lower-case words, such as auth.login_failed');
    if (event.action === batchAction) throw auditErrors.invalidEvent(`${batchAction} is the log's own action for bulk writes`);
    if (event.actor && !actorKinds.has(event.actor.kind)) throw auditErrors.invalidEvent('actor.kind must be user, api_key, system or anonymous');
    const details = event.details ?? {};
    if (typeof details !== 'object' || details === null || Array.isArray(details)) throw auditErrors.invalidEvent('details must be an object');
    return {
      actor: event.actor ?? actorOf(context),
      action: event.action,
      entity: event.entity ?? null,
      recordId: event.recordId ?? null,
      changes: {},
      details: JSON.parse(JSON.stringify(details)) as Record<string, unknown>,
      requestId: event.requestId ?? context.requestId ?? null,
      ip: event.ip ?? context.ip ?? null,
    };
  };

  const listener: RecordListener = {
    async afterWrite(tx, change) {
      if (!kept(change)) return;
      await append(tx, changeDraft(change), change.context.tenantId);
    },
    async afterWriteMany(tx, changes) {
      const audited = changes.filter(kept);
      // A batch's items share its actor, request and IP: changes told at once by different
      // contexts (none of today's writers does) each get a batch of their own.
      for (let start = 0; start < audited.length; ) {
        let end = start + 1;
        while (end < audited.length && sameOrigin(audited[end]!.context, audited[start]!.context)) end++;
        if (end - start === 1) await append(tx, changeDraft(audited[start]!), audited[start]!.context.tenantId);
        else await appendBatch(tx, audited.slice(start, end));
        start = end;
      }
    },
  };

  return {
    listener,
    recordSecurityEvent: (tx, event, context = {}) => append(tx, securityDraft(event, context), context.tenantId),
    async recordPlatformSecurityEvent(event) {
      const draft = securityDraft(event, {});
      return withTenant(db, { tenantId: platformChainId }, (tx) => append(tx, draft, platformChainId));
    },
    async list(context, query) {
      const limit = query.limit ?? defaultLimit;
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw auditErrors.invalidQuery('limit', `an integer from 1 to ${maxLimit}`);
      const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      for (const bound of ['from', 'to'] as const) {
        if (query[bound] !== undefined && Number.isNaN(Date.parse(query[bound]!))) throw auditErrors.invalidQuery(bound, 'an RFC 3339 date-time');
      }
      const { entity, recordId, actorId, action, from, to } = query;
      const filter = { entity, recordId, actorId, action, from, to, beforeSeq };
      const rows = await withTenant(db, context, (tx) => selectEvents(tx, context.tenantId, filter, limit + 1));
      const data = rows.slice(0, limit);
      return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1]!.seq) : null } satisfies AuditPage;
    },
    async listRunEvents(context, runId, query) {
      if (!Number.isInteger(query.limit) || query.limit < 1) throw auditErrors.invalidQuery('limit', 'a positive integer');
      if (query.afterSeq !== undefined && (!Number.isSafeInteger(query.afterSeq) || query.afterSeq < 0)) throw auditErrors.invalidQuery('after', 'a non-negative integer');
      for (const bound of ['since', 'until'] as const) {
        if (query[bound] !== undefined && Number.isNaN(Date.parse(query[bound]!))) throw auditErrors.invalidQuery(bound, 'an RFC 3339 date-time');
      }
      const { since, until, afterSeq, operation } = query;
      return withTenant(db, context, async (tx) => {
        const after = afterSeq === undefined ? undefined : await selectEvent(tx, context.tenantId, afterSeq);
        if (afterSeq !== undefined && !after) throw auditErrors.invalidQuery('after', 'the nextAfter of a previous page');
        const filter = { since, ...(until === undefined ? {} : { until }), ...(after ? { after } : {}), ...(operation === undefined ? {} : { operation }) };
        return selectRunEvents(tx, context.tenantId, runId.toLowerCase(), filter, query.limit);
      });
    },
    async get(context, seq) {
      if (!Number.isSafeInteger(seq) || seq < 1) throw auditErrors.eventNotFound();
      const event = await withTenant(db, context, (tx) => selectEvent(tx, context.tenantId, seq));
      if (!event) throw auditErrors.eventNotFound();
      return event;
    },
    verifyChain: (tenantId) => withTenant(db, { tenantId }, (tx) => verifyTenantChain(tx, tenantId.toLowerCase())),
  };
}

// The cursor is the last seq of the page; opaque to clients so that its form may change.
const cursorPrefix = 'a1.';

function encodeCursor(seq: number): string {
  return Buffer.from(`${cursorPrefix}${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(cursorPrefix) ? Number(text.slice(cursorPrefix.length)) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 1 || encodeCursor(seq) !== cursor) throw auditErrors.invalidCursor();
  return seq;
}

