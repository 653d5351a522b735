/**
 * Audit: the append-only, hash-chained log of every audited change and security event, per tenant.
 * Glossary: event = one audit row; chain = a tenant's events in `seq` order, each row's `hash` being
 * SHA-256 over the previous row's hash and the row's canonical content; head = the last event of a
 * chain; platform chain = the chain of events that belong to no tenant (tenant id all zeros);
 * mask = what a personal-data value is replaced by (`"[masked]"`; null stays null); batch = one link
 * of the chain (`audit.batch`) standing for a bulk write's changes, its items, each an entry of the
 * log with a seq of its own (the batch's seq plus its position).
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { RecordListener } from '../records/index.ts';

export type ActorKind = 'user' | 'api_key' | 'system' | 'anonymous';

export interface AuditActor {
  kind: ActorKind;
  /** User or API key id; a component name for `system`; null when unknown. */
  id: string | null;
}

/** One changed field: values in API form, personal data masked. */
export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** One audit row as the read API returns it. */
export interface AuditEvent {
  seq: number;
  occurredAt: string;
  actor: AuditActor;
  /** `create`, `update`, `delete`, a custom action (`order.approve`) or a security event (`auth.login_failed`). */
  action: string;
  entity: string | null;
  recordId: string | null;
  changes: Record<string, FieldChange>;
  details: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  /** For an item of a batch, its batch's: the hash that covers it. */
  prevHash: string;
  hash: string;
  /**
   * The seq of the batch (an `audit.batch` event: a bulk write's changes appended at once) this entry
   * is an item of; null for an event that is a link of the chain itself.
   */
  batch: number | null;
}

/**
 * A security event or custom action, as a caller (identity, access, apps) reports it. `details` is
 * stored as given: it must carry no secret and no personal data (say `reason: 'bad_password'`, never
 * the e-mail address).
 */
export interface SecurityEventInput {
  /** Dotted, lower case, past tense: `auth.login_succeeded`, `auth.lockout_started`, `apikey.revoked`. */
  action: string;
  /** Defaults to the actor of the context (user, API key, or system). */
  actor?: AuditActor;
  entity?: string | null;
  recordId?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
  ip?: string | null;
}

export interface AuditQuery {
  entity?: string;
  recordId?: string;
  actorId?: string;
  action?: string;
  /** Inclusive lower bound of occurredAt (RFC 3339). */
  from?: string;
  /** Exclusive upper bound of occurredAt (RFC 3339). */
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface RunEventsQuery {
  /** Inclusive bounds of occurredAt (RFC 3339) the run's events lie within: they are read by time. */
  since: string;
  until?: string;
  /** The seq of the last event of the previous page. */
  afterSeq?: number;
  operation?: string;
  limit: number;
}

export interface AuditPage {
  /** Newest first. */
  data: AuditEvent[];
  nextCursor: string | null;
}

export type ChainProblemKind = 'edited' | 'deleted' | 'reordered';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The seq of the first row found out of place (for `deleted`: the row after the gap). */
  seq: number;
  detail: string;
}

export interface ChainReport {
  tenantId: string;
  intact: boolean;
  /** Rows read. */
  checked: number;
  headSeq: number;
  headHash: string;
  problem?: ChainProblem;
}

export interface AuditLog {
  /**
   * Writes one event per create/update/delete of an `audited` entity, in the write's transaction; a
   * bulk write's changes as one batch and its items.
   */
  readonly listener: RecordListener;
  /** Appends a security event or custom action to the chain of the transaction's tenant. */
  recordSecurityEvent(tx: TenantTx, event: SecurityEventInput, context?: Partial<TenantContext>): Promise<AuditEvent>;
  /** Appends an event with no tenant (a failed login for an unknown e-mail) to the platform chain, in its own transaction. */
  recordPlatformSecurityEvent(event: SecurityEventInput): Promise<AuditEvent>;
  list(context: TenantContext, query: AuditQuery): Promise<AuditPage>;
  /**
   * The entries (events, and items of batches) that carry an ingestion run's lineage
   * (`details.ingest.run`: kernel/ingest/lineage.ts) and occurred within `since`..`until`, in time
   * order (then seq), after the entry `afterSeq`, `limit` at most; `operation` keeps those of one
   * operation.
   */
  listRunEvents(context: TenantContext, runId: string, query: RunEventsQuery): Promise<AuditEvent[]>;
  get(context: TenantContext, seq: number): Promise<AuditEvent>;
  /** Walks the tenant's chain in seq order and reports the first edited, deleted or reordered row. */
  verifyChain(tenantId: string): Promise<ChainReport>;
}
