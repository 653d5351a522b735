/**
 * Offline sync (kernel/sync): clients keep a copy of the rows in their scope and exchange changes.
 * Glossary: scope = the rows of synced entities the principal may read (row conditions included);
 * pull = changes since a cursor (upserts and tombstones), paged by rows and bytes; push = offline
 * mutations applied once each, in order; tombstone = the id of a row deleted or moved out of scope;
 * reset = the scope changed since the cursor: the client drops its copy and takes the snapshot that
 * follows. See docs/sync-protocol.md.
 */
import type { TenantContext } from '../db/index.ts';
import type { ApiRecord } from '../records/index.ts';

export interface PullRequest {
  cursor?: string;
  /** Most changes in this page (default 2000). */
  limit?: number;
  /** Soft limit on the page's records in bytes of JSON (default 2 MiB); at least one change is sent. */
  maxBytes?: number;
}

export interface EntityChanges {
  upserts: ApiRecord[];
  deletes: string[];
}

export interface PullResult {
  /** By entity name; an entity with no change in this page is absent. Parsed from `body` on first read. */
  changes: Record<string, EntityChanges>;
  cursor: string;
  /** More changes are ready now: pull again with the new cursor. */
  hasMore: boolean;
  /** The scope changed: drop every local row, then apply this page and the following ones. */
  reset: boolean;
  /** The page as JSON text, joined from the records' JSON that PostgreSQL wrote (not enumerable): what HTTP sends. */
  readonly body?: string;
}

/** One offline edit. `id` increases per client (gaps allowed, reported); `recordId` is client-made on create. */
export interface Mutation {
  id: number;
  entity: string;
  op: 'create' | 'update' | 'delete' | 'action';
  recordId: string;
  /** The version the edit was made on (required for update and delete of `version`-policy entities). */
  baseVersion?: number;
  /** create: the record's fields; update: only the changed fields. */
  data?: Record<string, unknown>;
  /** op action: the action's name and input. */
  action?: string;
  input?: Record<string, unknown>;
}

export interface PushRequest {
  clientId: string;
  mutations: Mutation[];
}

export interface MutationResult {
  id: number;
  /** applied; duplicate (applied before, skipped); conflict (server copy attached); rejected (problem attached). */
  status: 'applied' | 'duplicate' | 'conflict' | 'rejected';
  /** The record after an applied create, update or action. */
  record?: ApiRecord;
  /** The server's copy that a conflict met (absent when the record is gone or out of scope). */
  serverRecord?: ApiRecord;
  problem?: { code: string; title: string; detail: string; errors?: { pointer?: string; parameter?: string; detail: string }[]; [member: string]: unknown };
  /** Mutation ids skipped before this one (never received): the client lost them. */
  missing?: [number, number];
}

export interface PushResult {
  clientId: string;
  lastMutationId: number;
  results: MutationResult[];
}

export interface SyncService {
  pull(context: TenantContext, request: PullRequest): Promise<PullResult>;
  push(context: TenantContext, request: PushRequest): Promise<PushResult>;
  /** Removes change rows older than `cutoff` for a tenant (retention); cursors from before refetch. */
  purge(tenantId: string, cutoff: Date): Promise<number>;
}
