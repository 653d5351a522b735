/**
 * Pull: the changes of a principal's sync scope since a cursor. One REPEATABLE READ transaction, so
 * the fence, the change rows and the rows they point to come from one snapshot and a record appears
 * at most once per page. First sync: every entity's rows in scope by id (snapshot phase), then the
 * change log from the fence the snapshot began at (log phase); rows that changed meanwhile arrive
 * twice at worst, never zero times.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import type { ModelRegistry } from '../model/index.ts';
import type { RecordService, SyncView } from '../records/index.ts';
import type { CursorCodec, CursorPosition } from './sync-cursor.ts';
import type { PullRequest, PullResult } from './sync.contract.ts';
import { syncErrors } from './sync.errors.ts';
import { readChanges, readFence, readHorizon } from './sync.repository.ts';

export const pullDefaults = { limit: 2000, maxLimit: 5000, maxBytes: 2 * 1024 * 1024, maxMaxBytes: 8 * 1024 * 1024 };

interface Page {
  /** By entity: the records' JSON text (from PostgreSQL) and the tombstones' ids as JSON, in page order. */
  json: Map<string, { upserts: string[]; deletes: string[] }>;
  rows: number;
  bytes: number;
  sent: Set<string>;
  limit: number;
  maxBytes: number;
}

/** Adds one change (a record's JSON, or null for a tombstone) unless the page is full; the first change always fits (progress is guaranteed). */
function add(page: Page, entity: string, id: string, record: string | null): boolean {
  const key = `${entity}:${id}`;
  if (page.sent.has(key)) return true;
  const text = record ?? JSON.stringify(id);
  if (page.rows >= page.limit || (page.rows > 0 && page.bytes + text.length > page.maxBytes)) return false;
  const json = page.json.get(entity) ?? { upserts: [], deletes: [] };
  page.json.set(entity, json);
  if (record === null) json.deletes.push(text);
  else json.upserts.push(text);
  page.rows += 1;
  page.bytes += text.length;
  page.sent.add(key);
  return true;
}

/** The response body, joined from the records' JSON text: no record is parsed or serialized here. */
function serializePage(page: Page, cursor: string, hasMore: boolean, reset: boolean): string {
  const entities = [...page.json].map(([name, { upserts, deletes }]) => `${JSON.stringify(name)}:{"upserts":[${upserts.join(',')}],"deletes":[${deletes.join(',')}]}`);
  return `{"changes":{${entities.join(',')}},"cursor":${JSON.stringify(cursor)},"hasMore":${hasMore},"reset":${reset}}`;
}

/** The result around its body; `changes` is parsed from the body when an in-process caller reads it (HTTP sends the body). */
function pageResult(body: string, cursor: string, hasMore: boolean, reset: boolean): PullResult {
  let changes: PullResult['changes'] | undefined;
  const result = {
    get changes(): PullResult['changes'] {
      changes ??= (JSON.parse(body) as { changes: PullResult['changes'] }).changes;
      return changes;
    },
    cursor,
    hasMore,
    reset,
  };
  Object.defineProperty(result, 'body', { value: body, enumerable: false });
  return result;
}

export function createPull(db: Kysely<any>, registry: ModelRegistry, records: RecordService, cursors: CursorCodec) {
  const synced = registry.entities.filter((entity) => entity.sync);

  const openViews = async (tx: TenantTx, context: TenantContext): Promise<SyncView[]> => {
    const views: SyncView[] = [];
    for (const entity of synced) {
      const view = await records.syncView(tx, context, entity);
      if (view) views.push(view);
    }
    return views;
  };

  const snapshotStep = async (page: Page, views: SyncView[], position: Extract<CursorPosition, { phase: 'snapshot' }>): Promise<CursorPosition> => {
    let { entity, afterId } = position;
    while (entity < views.length) {
      const view = views[entity]!;
      const want = page.limit - page.rows;
      if (want <= 0) return { ...position, entity, afterId };
      const rows = await view.snapshot(afterId, want);
      for (const record of rows) {
        if (!add(page, view.entity.name, record.id, record.json)) return { ...position, entity, afterId };
        afterId = record.id;
      }
      if (rows.length < want) {
        entity += 1;
        afterId = null;
      }
    }
    return { phase: 'log', txid: position.fence, seq: '0' };
  };

  const logStep = async (tx: TenantTx, context: TenantContext, page: Page, views: SyncView[], position: Extract<CursorPosition, { phase: 'log' }>, fence: string) => {
    const byTable = new Map(views.map((view) => [view.entity.table, view]));
    const want = page.limit - page.rows;
    if (want <= 0) return { position, more: true };
    const rows = await readChanges(tx, context.tenantId, position, fence, [...byTable.keys()], want + 1);
    const more = rows.length > want;
    const changes = more ? rows.slice(0, want) : rows;
    const outcomes = new Map<string, Awaited<ReturnType<SyncView['changed']>>>();
    for (const [table, view] of byTable) {
      const ofTable = changes.filter((change) => change.entity_table === table).map((change) => ({ id: change.record_id, version: Number(change.version), previous: change.previous }));
      if (ofTable.length > 0) outcomes.set(table, await view.changed(ofTable));
    }
    let reached = position;
    for (const change of changes) {
      const outcome = outcomes.get(change.entity_table)?.get(`${change.record_id}@${change.version}`);
      const name = byTable.get(change.entity_table)!.entity.name;
      if (outcome && !add(page, name, change.record_id, 'upsert' in outcome ? outcome.upsert.json : null)) return { position: reached, more: true };
      reached = { phase: 'log', txid: change.txid, seq: change.seq };
    }
    return { position: reached, more };
  };

  return async function pull(context: TenantContext, request: PullRequest): Promise<PullResult> {
    const principalId = context.userId ?? context.apiKeyId ?? 'anonymous';
    const page: Page = {
      json: new Map(),
      rows: 0,
      bytes: 0,
      sent: new Set(),
      limit: Math.min(request.limit ?? pullDefaults.limit, pullDefaults.maxLimit),
      maxBytes: Math.min(request.maxBytes ?? pullDefaults.maxBytes, pullDefaults.maxMaxBytes),
    };
    const cursor = request.cursor === undefined ? undefined : cursors.decode(request.cursor);
    if (cursor && (cursor.tenantId !== context.tenantId || cursor.principalId !== principalId)) throw syncErrors.invalidCursor();
    return withTenant(
      db,
      context,
      async (tx) => {
        const views = await openViews(tx, context);
        if (views.length === 0) throw syncErrors.noSyncScope();
        const scope = createHash('sha256').update(views.map((view) => view.scopeKey).join(',')).digest('base64url').slice(0, 22);
        const { fence, next } = await readFence(tx);
        const reset = cursor !== undefined && cursor.scope !== scope;
        let position: CursorPosition = cursor && !reset ? cursor.position : { phase: 'snapshot', fence, entity: 0, afterId: null };
        const issued = position.phase === 'snapshot' ? position.fence : position.txid;
        if (BigInt(issued) > BigInt(next)) throw syncErrors.invalidCursor(); // from the future: not of this database
        // A position from the client's cursor must not reach behind the retained log (a snapshot started
        // in this pull needs no log before it: it read the rows as they are).
        if (cursor && !reset) {
          const horizon = await readHorizon(tx, context.tenantId);
          if (horizon !== null && BigInt(issued) <= BigInt(horizon)) throw syncErrors.mustRefetch();
        }
        let more = false;
        if (position.phase === 'snapshot') {
          position = await snapshotStep(page, views, position);
          more = position.phase === 'snapshot';
        }
        if (position.phase === 'log') {
          const step = await logStep(tx, context, page, views, position, fence);
          position = step.position;
          more = step.more;
        }
        const nextCursor = cursors.encode({ tenantId: context.tenantId, principalId, scope, position });
        const resets = reset || cursor === undefined;
        return pageResult(serializePage(page, nextCursor, more, resets), nextCursor, more, resets);
      },
      { snapshot: true },
    );
  };
}
