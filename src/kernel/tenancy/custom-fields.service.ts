/**
 * Custom fields of a tenant: definitions checked against the model and versioned, every change
 * audited in its own transaction (custom_field.created / .updated / .deleted with before and after),
 * and the reads kernel/records and metadata make in their own transactions.
 * The one cache: which (tenant, entity) had no required custom field at their last read, for a few
 * seconds, so a create without `ext` can skip the lookup (CustomFieldReader.mayRequire). A change
 * clears it on this node at once; another node may let creates without the new required field
 * through for up to `requiredCacheMs`, as if they had been made just before the change. Validation
 * itself always uses definitions read in the write's transaction.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { customFieldLimits, type CustomField, type ModelRegistry } from '../model/index.ts';
import type { CustomFieldAuditRecorder, CustomFieldChangeAction, CustomFieldDefinition, CustomFieldPrecondition, CustomFields } from './custom-fields.contract.ts';
import { customFieldErrors } from './custom-fields.errors.ts';
import { countFields, deleteDefinition, findDefinition, insertDefinition, selectDefinitions, selectFields, updateDefinition } from './custom-fields.repository.ts';
import { extensibleEntity, normalizeCustomField, targetErrors, type CustomFieldDefinitionValues } from './custom-fields.validation.ts';

/** The audit log's entity name for custom fields (recordId = `<entity>.<key>`). */
export const customFieldAuditEntity = 'customField';

export interface CustomFieldOptions {
  /** The model: which entities may be extended, which keys they declare. */
  registry: ModelRegistry;
  /** kernel/audit: every change is recorded with it, or not made. */
  audit: CustomFieldAuditRecorder;
  /** How long "no required custom field" is trusted after a read (default 5 s, like tenant status). */
  requiredCacheMs?: number;
  now?: () => number;
}

const maxCachedEntries = 10_000;

const definitionOf = (field: CustomFieldDefinition): CustomFieldDefinitionValues => ({
  type: field.type,
  labels: field.labels,
  description: field.description,
  required: field.required,
  personalData: field.personalData,
  constraints: field.constraints,
});

/** JSON with object keys sorted: jsonb does not keep the order a definition was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** RFC 9110 §13.1.1: If-Match fails when the field is missing (even for `*`) or has another version. */
function checkPrecondition(key: string, current: CustomFieldDefinition | undefined, ifMatch: CustomFieldPrecondition | undefined): void {
  if (ifMatch === undefined) return;
  if (!current) throw customFieldErrors.versionMismatch(key, null);
  if (ifMatch !== 'any' && ifMatch !== current.version) throw customFieldErrors.versionMismatch(key, current.version);
}

export function createCustomFields(db: Kysely<any>, options: CustomFieldOptions): CustomFields {
  const { registry, audit } = options;
  const ttl = options.requiredCacheMs ?? 5_000;
  const now = options.now ?? Date.now;
  // `<tenantId>:<entity>` -> until when "no required custom field" holds.
  const withoutRequired = new Map<string, number>();
  const cacheKey = (tenantId: string, entity: string) => `${tenantId}:${entity}`;
  const remember = (tenantId: string, entity: string, fields: readonly CustomField[]) => {
    const key = cacheKey(tenantId, entity);
    if (fields.some((field) => field.required)) return void withoutRequired.delete(key);
    if (withoutRequired.size >= maxCachedEntries) withoutRequired.clear();
    withoutRequired.set(key, now() + ttl);
  };
  const record = (tx: TenantTx, context: TenantContext, action: CustomFieldChangeAction, id: string, details: Record<string, unknown>) =>
    audit.recordSecurityEvent(tx, { action, entity: customFieldAuditEntity, recordId: id, details }, context);
  const isTarget = (entity: string, key: string) => targetErrors(registry, entity, key).length === 0;

  return {
    async fieldsOf(tx, tenantId, entity) {
      const fields = await selectFields(tx, tenantId, entity.name);
      remember(tenantId, entity.name, fields);
      return fields;
    },
    mayRequire(tenantId, entity) {
      const until = withoutRequired.get(cacheKey(tenantId, entity.name));
      return until === undefined || until <= now();
    },
    async allFieldsOf(tx, tenantId) {
      const fields = await selectFields(tx, tenantId);
      for (const entity of registry.entities) {
        if (extensibleEntity(registry, entity.name)) remember(tenantId, entity.name, fields.filter((field) => field.entity === entity.name));
      }
      return fields;
    },
    listFields: (context, entity) => withTenant(db, context, (tx) => selectDefinitions(tx, context.tenantId, entity)),
    async getField(context, entity, key) {
      const field = isTarget(entity, key) ? await withTenant(db, context, (tx) => findDefinition(tx, context.tenantId, entity, key)) : undefined;
      if (!field) throw customFieldErrors.notFound(entity, key);
      return field;
    },
    async putField(context, entity, key, input, { ifMatch } = {}) {
      const values = normalizeCustomField(registry, entity, key, input);
      const target = { tenantId: context.tenantId, entity, key };
      const userId = context.userId ?? null;
      const id = `${entity}.${key}`;
      const result = await withTenant(db, context, async (tx) => {
        // Twice at most: an insert that loses to a concurrent create finds that field on the next read.
        for (let attempt = 0; attempt < 2; attempt++) {
          const current = await findDefinition(tx, context.tenantId, entity, key, { lock: true });
          checkPrecondition(key, current, ifMatch);
          if (current) {
            if (canonical(definitionOf(current)) === canonical(values)) return { field: current, created: false };
            const updated = (await updateDefinition(tx, target, values, userId))!;
            await record(tx, context, 'custom_field.updated', id, { before: definitionOf(current), after: definitionOf(updated) });
            return { field: updated, created: false };
          }
          if ((await countFields(tx, context.tenantId, entity)) >= customFieldLimits.perEntity) throw customFieldErrors.limitReached(entity, customFieldLimits.perEntity);
          const created = await insertDefinition(tx, target, values, userId);
          if (created) {
            await record(tx, context, 'custom_field.created', id, { after: definitionOf(created) });
            return { field: created, created: true };
          }
        }
        throw customFieldErrors.concurrentUpdate(key);
      });
      withoutRequired.delete(cacheKey(context.tenantId, entity));
      return result;
    },
    async deleteField(context, entity, key, { ifMatch } = {}) {
      if (!isTarget(entity, key)) throw customFieldErrors.notFound(entity, key);
      await withTenant(db, context, async (tx) => {
        const current = await findDefinition(tx, context.tenantId, entity, key, { lock: true });
        if (!current) throw customFieldErrors.notFound(entity, key);
        checkPrecondition(key, current, ifMatch);
        await deleteDefinition(tx, context.tenantId, entity, key);
        await record(tx, context, 'custom_field.deleted', `${entity}.${key}`, { before: definitionOf(current) });
      });
      withoutRequired.delete(cacheKey(context.tenantId, entity));
    },
  };
}
