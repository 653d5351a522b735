/**
 * A tenant's ingestion settings: the fuzzy matching thresholds that override every spec's own
 * (`{ "fuzzy": { "high": 0.92, "low": 0.7 } }`, either may be left out; `"fuzzy": null` goes back to
 * the specs'). They live under the `ingest` key of the tenant's settings (kernel/tenancy), where runs
 * read them (match/fuzzy-thresholds.ts). A change is checked against every stored spec with fuzzy
 * matching, so a run never fails on a setting that was accepted, and is audited in the transaction
 * that makes it (`ingest.settings_updated`, before and after).
 */
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { createAjv, fieldErrorsOf, type ValidationIssue } from '../http/index.ts';
import { AppError, isRecord, type FieldError } from '../shared/index.ts';
import { listSpecs } from './ingest.repository.ts';
import { withTenantThresholds } from './match/index.ts';

export interface IngestSettings {
  fuzzy: { high?: number; low?: number } | null;
}

/** What ingestion needs of kernel/tenancy's tenant settings. */
export interface IngestTenantSettings {
  read(tenantId: string): Promise<Readonly<Record<string, unknown>>>;
  /** Sets (or with null removes) one top-level key of the tenant's settings, in the transaction; returns what the key held before (null: unset), read under lock. */
  write(tx: TenantTx, tenantId: string, key: string, value: unknown): Promise<unknown>;
}

/** What ingestion needs of kernel/audit. */
export interface IngestAuditRecorder {
  recordSecurityEvent(tx: TenantTx, event: { action: string; entity?: string | null; recordId?: string | null; details?: Record<string, unknown> }, context?: Partial<TenantContext>): Promise<unknown>;
}

export interface IngestSettingsService {
  getSettings(context: TenantContext): Promise<IngestSettings>;
  /** Validates, checks against the stored specs, stores and audits; returns what is stored. */
  putSettings(context: TenantContext, input: unknown): Promise<IngestSettings>;
}

/** The audit log's entity name for these settings (recordId = the tenant's id). */
export const ingestSettingsAuditEntity = 'ingestSettings';

const invalid = (errors: FieldError[]) =>
  new AppError('invalid', 'ingest.invalid_settings', 'Invalid ingestion settings', {
    detail: 'Ingestion settings are { "fuzzy": { "high": number, "low": number } | null }, with 0 < low <= high <= 1 (either may be left out).',
    errors,
  });

/** The settings as stored under the tenant's `ingest` key (a missing or foreign shape reads as none). */
function settingsOf(stored: Readonly<Record<string, unknown>>): IngestSettings {
  const fuzzy = isRecord(stored.ingest) && isRecord(stored.ingest.fuzzy) ? stored.ingest.fuzzy : null;
  if (!fuzzy) return { fuzzy: null };
  return { fuzzy: { ...(typeof fuzzy.high === 'number' ? { high: fuzzy.high } : {}), ...(typeof fuzzy.low === 'number' ? { low: fuzzy.low } : {}) } };
}

const threshold = Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 }));
/** The settings' shape: the body of PUT /v1/ingest/settings and what the service accepts from any caller. */
export const ingestSettingsSchema = Type.Object({ fuzzy: Type.Union([Type.Null(), Type.Object({ high: threshold, low: threshold }, { additionalProperties: false })]) }, { additionalProperties: false });
const validate = createAjv(false).compile<IngestSettings>(ingestSettingsSchema);

/** The shape by the schema (as the HTTP layer checks it), then what a schema cannot say: low at most high. */
function parseSettings(input: unknown): IngestSettings {
  if (!validate(input)) throw invalid(fieldErrorsOf((validate.errors ?? []) as ValidationIssue[], 'body'));
  const { high, low } = input.fuzzy ?? {};
  if (high !== undefined && low !== undefined && low > high) throw invalid([{ pointer: '/fuzzy/low', detail: `must not be above high (${high})` }]);
  return input;
}

export function createIngestSettings(db: Kysely<any>, options: { settings?: IngestTenantSettings; audit?: IngestAuditRecorder }): IngestSettingsService {
  const store = () => {
    if (!options.settings) throw new Error('ingestion settings: no tenant settings store was given');
    return options.settings;
  };
  return {
    async getSettings(context) {
      return settingsOf(await store().read(context.tenantId));
    },
    async putSettings(context, input) {
      const next = parseSettings(input);
      const settings = store();
      return withTenant(db, context, async (tx) => {
        // With one threshold left out, each spec's own other one applies: the pair must hold for every spec.
        const refused: FieldError[] = [];
        for (const stored of await listSpecs(tx, context.tenantId)) {
          try {
            withTenantThresholds(stored.spec, { ingest: { fuzzy: next.fuzzy ?? undefined } });
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            const own = stored.spec.matching?.fuzzy;
            refused.push({ pointer: '/fuzzy', detail: `with spec ${stored.name} (high ${own?.high}, low ${own?.low}) gives low ${next.fuzzy?.low ?? own?.low} above high ${next.fuzzy?.high ?? own?.high}` });
          }
        }
        if (refused.length > 0) throw invalid(refused);
        const before = settingsOf({ ingest: await settings.write(tx, context.tenantId, 'ingest', next.fuzzy === null ? null : { fuzzy: next.fuzzy }) });
        await options.audit?.recordSecurityEvent(tx, { action: 'ingest.settings_updated', entity: ingestSettingsAuditEntity, recordId: context.tenantId, details: { before, after: next } }, context);
        return next;
      });
    },
  };
}
