/**
 * The offline sync client (docs/sync-protocol.md): a local copy of a user's synced records, edited
 * offline, exchanged with the server by push and pull. Dependency-free, so a web or mobile team can ship it.
 * Glossary: server copy = a record as the server last sent it; view = the server copy with the pending
 * mutations applied on top (what the app shows); queue = mutations made locally and not yet settled;
 * settled = the server answered applied, duplicate, conflict or rejected; cursor = where the last pull ended.
 */

/** A record in the API form of GET /v1/<plural>/{id}: id, version, fields, ext. */
export type ClientRecord = Record<string, unknown> & { id: string; version: number };

/** One offline edit, as pushed. `baseVersion` 0 means "made on a create of mine not yet applied". */
export interface QueuedMutation {
  id: number;
  entity: string;
  op: 'create' | 'update' | 'delete' | 'action';
  recordId: string;
  baseVersion?: number;
  data?: Record<string, unknown>;
  action?: string;
  input?: Record<string, unknown>;
}

export interface Problem {
  code: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: { pointer?: string; parameter?: string; detail: string }[];
  [member: string]: unknown;
}

export interface PullRequest {
  cursor?: string;
  limit?: number;
  maxBytes?: number;
}

export interface PullResponse {
  changes: Record<string, { upserts: ClientRecord[]; deletes: string[] }>;
  cursor: string;
  hasMore: boolean;
  reset: boolean;
}

export interface PushRequest {
  clientId: string;
  mutations: QueuedMutation[];
}

export interface MutationResult {
  id: number;
  status: 'applied' | 'duplicate' | 'conflict' | 'rejected';
  record?: ClientRecord;
  serverRecord?: ClientRecord;
  problem?: Problem;
  missing?: [number, number];
}

export interface PushResponse {
  clientId: string;
  lastMutationId: number;
  results: MutationResult[];
}

/** How the client talks to the server; createFetchTransport is the HTTP one. Failures throw SyncClientError. */
export interface SyncTransport {
  pull(request: PullRequest): Promise<PullResponse>;
  push(request: PushRequest): Promise<PushResponse>;
}

/** The local row of one record: the server copy and the view (null: none, or deleted locally). */
export interface StoredRecord {
  server: ClientRecord | null;
  view: ClientRecord | null;
}

export interface SyncState {
  /** One UUID per installation and user, made on first use and kept. */
  clientId: string;
  cursor: string | null;
  /** The id of the last mutation made; the next one is this plus one. */
  lastMutationId: number;
}

/**
 * The operations of one local transaction. The client awaits nothing else inside a transaction, so an
 * IndexedDB implementation can map it onto one readwrite transaction and SQLite onto BEGIN ... COMMIT.
 */
export interface LocalTransaction {
  readState(): Promise<SyncState | undefined>;
  writeState(state: SyncState): Promise<void>;
  getRecord(entity: string, id: string): Promise<StoredRecord | undefined>;
  /** Stores the row; a row with neither server copy nor view is removed. */
  putRecord(entity: string, id: string, record: StoredRecord): Promise<void>;
  listRecords(entity: string): Promise<StoredRecord[]>;
  /** Removes every record (a reset); the queue and the state stay. */
  clearRecords(): Promise<void>;
  /** The queue in id order. */
  listMutations(): Promise<QueuedMutation[]>;
  /** Adds or replaces a queued mutation (by id). */
  putMutation(mutation: QueuedMutation): Promise<void>;
  deleteMutations(ids: readonly number[]): Promise<void>;
}

/** Where the local copy lives. `transaction` is atomic (all its writes or none) and runs one at a time. */
export interface LocalStore {
  transaction<T>(work: (tx: LocalTransaction) => Promise<T>): Promise<T>;
}

/** What a custom action does to a record, for the optimistic view (the server's answer replaces it). */
export type ActionEffect = (record: ClientRecord, input: Record<string, unknown>) => Record<string, unknown>;

export type SyncEvent =
  | { type: 'applied'; mutation: QueuedMutation; record?: ClientRecord }
  | { type: 'duplicate'; mutation: QueuedMutation }
  | { type: 'conflict'; mutation: QueuedMutation; problem?: Problem; serverRecord?: ClientRecord }
  | { type: 'rejected'; mutation: QueuedMutation; problem: Problem }
  | { type: 'reset'; reason: 'first_sync' | 'scope_changed' | 'must_refetch' | 'invalid_cursor' };

export interface RetryPolicy {
  /** Tries per request, the first included (default 4). */
  attempts: number;
  /** Delay before the n-th retry: baseDelayMs * 2^(n-1) (default 250). */
  baseDelayMs: number;
}

export interface SyncClientOptions {
  store: LocalStore;
  transport: SyncTransport;
  /** Optimistic effects of custom actions, by entity then action; without one an action changes the view only when the server answers. */
  actionEffects?: Record<string, Record<string, ActionEffect>>;
  retry?: Partial<RetryPolicy>;
  /** Most mutations per push (the server takes at most 500). */
  batchSize?: number;
  /** Page size of pulls (server default 1000). */
  pullLimit?: number;
}

export interface SyncReport {
  pushed: number;
  applied: number;
  conflicts: number;
  rejected: number;
  pulledPages: number;
}
