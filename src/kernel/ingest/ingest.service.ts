/**
 * Ingestion's rules: mapping specs are validated against the tenant's model (entity fields and
 * custom fields) when saved and stored as a new version only when they differ; a run is created for
 * a file (its size and SHA-256 recorded), executed or resumed from its checkpoint, and reports its
 * counts while it runs. Runs write as the user who started them, with the trusted rights of a
 * load (field masks are for clients, not for the tenant's own master data feed).
 */
import { stat } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../audit/index.ts';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import type { CustomField, EntityDef, ModelRegistry } from '../model/index.ts';
import type { RecordService } from '../records/index.ts';
import { AppError, isUuid, newId } from '../shared/index.ts';
import type { IngestCounts, IngestRun, ListedSpec, RunMode, RunOrigin, RunProgress, StoredSpec } from './ingest.contract.ts';
import { ingestErrors } from './ingest.errors.ts';
import { emptyCounts, findRun, insertRun, insertSpec, latestSpec, listOpenCases, listRejects, listRuns, listSpecs, updateRun, type OpenCase, type RejectRow } from './ingest.repository.ts';
import { diffMappingSpecs, validateMappingSpec } from './mapping/index.ts';
import { createReviewService, withTenantThresholds, type ReviewService } from './match/index.ts';
import { createQuarantine, specForRun, type QuarantineService } from './quarantine.service.ts';
import { hashFile } from './batch-files.ts';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
import { createIngestSettings, type IngestAuditRecorder, type IngestSettingsService, type IngestTenantSettings } from './ingest-settings.ts';
import { runChangeOf, type LineageOperation, type RunChange } from './lineage.ts';
import { runPipeline, RunSuperseded } from './run-pipeline.ts';

/** What ingestion needs of kernel/tenancy's custom fields. */
export interface IngestCustomFields {
  allFieldsOf(tx: TenantTx, tenantId: string): Promise<readonly CustomField[]>;
}

export interface IngestServiceOptions {
  db: Kysely<any>;
  registry: ModelRegistry;
  records: RecordService;
  customFields: IngestCustomFields;
  /** Rows per transaction (default 2,000). */
  chunkSize?: number;
  /** Source bytes after which a chunk is cut, whatever its rows (default 8 MiB). */
  chunkBytes?: number;
  /** Chunk transactions a run keeps open at once (default 2; 1: one connection a run, one chunk at a time). */
  chunksInFlight?: 1 | 2;
  /** False: a run prepares every row, even those whose source is unchanged (default true; unchanged-source.ts); for tests comparing both. */
  skipUnchanged?: boolean;
  /** The tenant's settings (kernel/tenancy): `ingest.fuzzy` overrides the specs' fuzzy thresholds (ingest-settings.ts). */
  tenantSettings?: IngestTenantSettings;
  /** kernel/audit: a change of the ingestion settings is recorded with it; a run's changes are read from it. */
  audit?: IngestAuditLog;
}

/** What ingestion needs of kernel/audit: to record a settings change, and to list the events of a run's lineage. */
export type IngestAuditLog = IngestAuditRecorder & Pick<AuditLog, 'listRunEvents'>;

/**
 * Pushed batches, re-submissions and the rejected rows in source shape come from QuarantineService;
 * deciding cases and unlinking merges from ReviewService (match/).
 */
export interface IngestService extends QuarantineService, ReviewService, IngestSettingsService {
  /** Validates and stores a spec; a new version only when it differs from the latest. */
  saveSpec(context: TenantContext, name: string, input: unknown): Promise<{ spec: StoredSpec; created: boolean; changes: { pointer: string; before: unknown; after: unknown }[] }>;
  getSpec(context: TenantContext, name: string, version?: number): Promise<StoredSpec>;
  /** A version with the problems its checks find now (none: runs of it are made). */
  describeSpec(context: TenantContext, name: string, version?: number): Promise<ListedSpec>;
  /** A version runs can be made of: 404 when there is none, 422 `ingest.spec_no_longer_valid` with its problems when it no longer passes. */
  runnableSpec(context: TenantContext, name: string, version?: number): Promise<StoredSpec>;
  /** Latest versions, each with the problems its checks find now (runs of a spec with any are refused). */
  listSpecs(context: TenantContext): Promise<ListedSpec[]>;
  /** A queued run of the spec's latest (or given) version over a file on this machine. */
  createRun(context: TenantContext, request: { spec: string; specVersion?: number; mode: RunMode; file: { path: string; name: string }; origin?: RunOrigin }): Promise<IngestRun>;
  /** Executes a queued run or resumes a failed or interrupted one; a finished run is returned as is. */
  executeRun(context: TenantContext, runId: string, hooks?: { onProgress?: (progress: RunProgress) => void }): Promise<IngestRun>;
  getRun(context: TenantContext, runId: string): Promise<IngestRun>;
  listRuns(context: TenantContext, limit?: number): Promise<IngestRun[]>;
  /** Rejects by row and sequence; `after` is the `<row>.<seq>` of the last one of the previous page. */
  listRejects(context: TenantContext, runId: string, options?: { after?: string; limit?: number }): Promise<RejectRow[]>;
  listCases(context: TenantContext, limit?: number): Promise<OpenCase[]>;
  /**
   * What the run wrote, from the lineage its writes carry in the audit trail, in the order they were
   * written (time, then chain position): `after` is the `seq` of the last one of the previous page;
   * `operation` keeps one kind.
   */
  listChanges(context: TenantContext, runId: string, options?: { after?: number; limit?: number; operation?: LineageOperation }): Promise<RunChange[]>;
  /** Counts rows, runs and run time into the process's `/metrics` from now on. */
  registerMetrics(registry: Registry): void;
}

export function createIngestService(options: IngestServiceOptions): IngestService {
  const { db, registry, records, customFields } = options;
  const chunkSize = options.chunkSize ?? 2000;
  const chunkBytes = options.chunkBytes ?? 8 * 1024 ** 2;
  const chunksInFlight = options.chunksInFlight ?? 2;
  const entityOf = (name: string): EntityDef => {
    const entity = registry.find(name);
    if (!entity || entity.scope !== 'tenant') throw ingestErrors.unknownEntity(name);
    return entity;
  };
  /** A spec (one being saved, or a stored version) checked against its entity and the tenant's custom fields as they are now. */
  const checkSpec = async (tx: TenantTx, tenantId: string, input: unknown, fields?: readonly CustomField[]) => {
    const entityName = (input as { entity?: unknown } | null)?.entity;
    const entity = typeof entityName === 'string' ? registry.find(entityName) : undefined;
    if (!entity || entity.scope !== 'tenant') return { ok: false as const, problems: [{ pointer: '/entity', detail: 'is not a tenant entity of the model' }] };
    const all = fields ?? (await customFields.allFieldsOf(tx, tenantId));
    return validateMappingSpec(input, { entity, customFields: all.filter((field) => field.entity === entity.name) });
  };
  const problemsOf = async (tx: TenantTx, tenantId: string, stored: StoredSpec, fields?: readonly CustomField[]): Promise<ListedSpec['problems']> => {
    const checked = await checkSpec(tx, tenantId, stored.spec, fields);
    return checked.ok ? [] : checked.problems;
  };
  const requireRunId = (runId: string) => {
    if (!isUuid(runId)) throw ingestErrors.runNotFound();
    return runId.toLowerCase();
  };

  let metrics: IngestMetrics | undefined;
  const service: IngestService = {
    ...createQuarantine({ db, runs: () => service }),
    ...createReviewService({ db, records, entityOf }),
    ...createIngestSettings(db, { ...(options.tenantSettings ? { settings: options.tenantSettings } : {}), ...(options.audit ? { audit: options.audit } : {}) }),
    async saveSpec(context, name, input) {
      if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) throw ingestErrors.invalidSpecName(name);
      return withTenant(db, context, async (tx) => {
        const checked = await checkSpec(tx, context.tenantId, input);
        if (!checked.ok) throw ingestErrors.invalidSpec(checked.problems);
        const latest = await latestSpec(tx, context.tenantId, name);
        const changes = latest ? diffMappingSpecs(latest.spec, checked.spec) : [];
        if (latest && changes.length === 0) return { spec: latest, created: false, changes };
        const version = (latest?.version ?? 0) + 1;
        await insertSpec(tx, context.tenantId, name, version, checked.spec);
        return { spec: (await latestSpec(tx, context.tenantId, name, version))!, created: true, changes };
      });
    },
    async getSpec(context, name, version) {
      const spec = await withTenant(db, context, (tx) => latestSpec(tx, context.tenantId, name, version));
      if (!spec) throw ingestErrors.specNotFound(name, version);
      return spec;
    },
    listSpecs: (context) =>
      withTenant(db, context, async (tx) => {
        const listed: ListedSpec[] = [];
        const fields = await customFields.allFieldsOf(tx, context.tenantId);
        for (const stored of await listSpecs(tx, context.tenantId)) listed.push({ ...stored, problems: await problemsOf(tx, context.tenantId, stored, fields) });
        return listed;
      }),
    describeSpec: (context, name, version) =>
      withTenant(db, context, async (tx) => {
        const stored = await latestSpec(tx, context.tenantId, name, version);
        if (!stored) throw ingestErrors.specNotFound(name, version);
        return { ...stored, problems: await problemsOf(tx, context.tenantId, stored) };
      }),
    async runnableSpec(context, name, version) {
      // A version saved under other custom fields or rules (a field it maps deleted since, an exact
      // key without an index) is refused, with what to fix, rather than run to fail.
      const { problems, ...spec } = await service.describeSpec(context, name, version);
      if (problems.length > 0) throw ingestErrors.specNoLongerValid(spec.name, spec.version, [...problems]);
      return spec;
    },
    async createRun(context, request) {
      const spec = await service.runnableSpec(context, request.spec, request.specVersion);
      const info = await stat(request.file.path).catch(() => undefined);
      if (!info?.isFile()) throw ingestErrors.fileNotFound(request.file.name);
      const sha256 = await hashFile(request.file.path);
      const id = newId();
      await withTenant(db, context, (tx) => insertRun(tx, context.tenantId, { id, spec, mode: request.mode, file: { name: request.file.name, path: request.file.path, bytes: info.size, sha256 }, ...(request.origin ? { origin: request.origin } : {}) }));
      return service.getRun(context, id);
    },
    async executeRun(context, runId, hooks = {}) {
      const id = requireRunId(runId);
      // This execution claims the run, with the checkpoint it starts from, under the run row's lock: an
      // earlier execution still running (a job started again, a resume) steps aside at its next commit.
      const attempt = newId();
      const run = await withTenant(db, context, async (tx) => {
        const found = await findRun(tx, context.tenantId, id, true);
        if (!found) throw ingestErrors.runNotFound();
        if (found.status !== 'succeeded') await updateRun(tx, context.tenantId, id, { status: 'running', error: null, started: true, attempt });
        return found;
      });
      if (run.status === 'succeeded') return run;
      const stored = await service.getSpec(context, run.spec.name, run.spec.version);
      const entity = entityOf(stored.spec.entity);
      const fields = await withTenant(db, context, (tx) => customFields.allFieldsOf(tx, context.tenantId));
      // The load's own rights: the user is recorded, roles do not narrow what the feed may write.
      const loadContext: TenantContext = { tenantId: context.tenantId, userId: context.userId ?? null, apiKeyId: context.apiKeyId ?? null, requestId: context.requestId ?? null };
      let counts: IngestCounts;
      const before: IngestCounts = { ...emptyCounts(), ...run.counts };
      try {
        counts = await runPipeline({ db, records, chunkSize, chunkBytes, chunksInFlight, skipUnchanged: options.skipUnchanged ?? true }, { context: loadContext, attempt, run: { ...run, counts: { ...emptyCounts(), ...run.counts } }, spec: withTenantThresholds(specForRun(stored.spec, run), (await options.tenantSettings?.read(context.tenantId)) ?? {}), entity, customFields: fields, entityOf: (name) => registry.find(name), ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}) });
      } catch (error) {
        // Taken over: the run is the other execution's to finish or fail.
        if (error instanceof RunSuperseded) return service.getRun(context, id);
        const failure = error instanceof AppError ? { code: error.code, detail: error.message } : { code: 'ingest.run_failed', detail: 'The run stopped on an internal error; it can be resumed.' };
        if (!(await withTenant(db, context, (tx) => updateRun(tx, context.tenantId, id, { status: 'failed', error: failure }, attempt)))) return service.getRun(context, id);
        if (metrics) metrics.runEnded(entity.name, 'failed', before, (await service.getRun(context, id)).counts);
        throw error;
      }
      if (await withTenant(db, context, (tx) => updateRun(tx, context.tenantId, id, { status: 'succeeded', counts, finished: true }, attempt))) metrics?.runEnded(entity.name, 'succeeded', before, counts);
      return service.getRun(context, id);
    },
    async getRun(context, runId) {
      const id = requireRunId(runId);
      const run = await withTenant(db, context, (tx) => findRun(tx, context.tenantId, id));
      if (!run) throw ingestErrors.runNotFound();
      return run;
    },
    listRuns: (context, limit = 50) => withTenant(db, context, (tx) => listRuns(tx, context.tenantId, Math.min(Math.max(limit, 1), 200))),
    async listRejects(context, runId, options = {}) {
      const run = await service.getRun(context, runId);
      const [row = 0, seq = -1] = /^\d{1,15}\.\d{1,6}$/.test(options.after ?? '') ? options.after!.split('.').map(Number) : [];
      return withTenant(db, context, (tx) => listRejects(tx, context.tenantId, run.id, { row, seq }, Math.min(Math.max(options.limit ?? 500, 1), 5000)));
    },
    async listChanges(context, runId, query = {}) {
      const run = await service.getRun(context, runId);
      const audit = options.audit;
      if (!audit) throw new Error('the ingest service was built without an audit log: it has no run changes to read');
      // The run's writes happen between its creation and its end (a running or resumed run: until
      // now), each stamped by the clock of the process that wrote it: a minute either side for clocks
      // that differ. Decisions on its cases taken after it ended are in the records' audit history.
      const margin = 60_000;
      const ended = run.status === 'succeeded' || run.status === 'failed' ? run.finishedAt : null;
      const events = await audit.listRunEvents(context, run.id, {
        since: new Date(Date.parse(run.createdAt) - margin).toISOString(),
        ...(ended ? { until: new Date(Date.parse(ended) + margin).toISOString() } : {}),
        limit: Math.min(Math.max(query.limit ?? 500, 1), 5000),
        ...(query.after === undefined ? {} : { afterSeq: query.after }),
        ...(query.operation === undefined ? {} : { operation: query.operation }),
      });
      return events.map(runChangeOf);
    },
    registerMetrics(registry) {
      metrics = createIngestMetrics(registry);
    },
    listCases: (context, limit = 200) => withTenant(db, context, (tx) => listOpenCases(tx, context.tenantId, Math.min(Math.max(limit, 1), 1000))),
  };
  return service;
}

