/**
 * Custom fields: fields a tenant's admins add to its exposed entities. Values live in each record's
 * `ext` and are checked on every write by kernel/records against the definitions read in the write's
 * transaction; GET /v1/metadata describes them. Every change is audited in its own transaction.
 * Glossary: definition = one custom field of one entity (model/custom-field.ts: key, type, labels,
 * required, personalData, constraints); key = its property inside `ext`, unique per entity and
 * tenant, never one of the entity's declared fields. Stored values are not rewritten when a
 * definition changes or is deleted: a write checks the keys it sends; a deleted field's values stay
 * in `ext` until a write clears them with null (and count again if the key is defined again).
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { CustomField, CustomFieldConstraints, CustomFieldType, EntityDef } from '../model/index.ts';

export interface CustomFieldDefinition extends CustomField {
  description: string | null;
  /** Bumped by every change: the ETag, for If-Match. */
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

/** A definition as an admin writes it (PUT replaces all of it). */
export interface CustomFieldInput {
  type: CustomFieldType;
  labels: Record<string, string>;
  description?: string | null;
  required?: boolean;
  personalData?: boolean;
  constraints?: CustomFieldConstraints;
}

/** An If-Match precondition: a version, or `*` (the field must exist). */
export type CustomFieldPrecondition = number | 'any';

/**
 * Management of a tenant's custom fields. Who may call is decided by the caller (the admin routes
 * are guarded: owners, admins and tenant roles granted `fields.manage`); in-process callers are trusted.
 */
export interface CustomFieldAdmin {
  /** By entity, then key; only one entity's when `entity` is given. */
  listFields(context: TenantContext, entity?: string): Promise<CustomFieldDefinition[]>;
  /** Throws fields.not_found. */
  getField(context: TenantContext, entity: string, key: string): Promise<CustomFieldDefinition>;
  /** Creates or replaces; an unchanged definition is not written again (no new version, no audit event). */
  putField(context: TenantContext, entity: string, key: string, input: CustomFieldInput, options?: { ifMatch?: CustomFieldPrecondition }): Promise<{ field: CustomFieldDefinition; created: boolean }>;
  deleteField(context: TenantContext, entity: string, key: string, options?: { ifMatch?: CustomFieldPrecondition }): Promise<void>;
}

/** Reads for the write path (kernel/records' CustomFieldSource) and for metadata. */
export interface CustomFieldReader {
  /** The custom fields of one entity, in the caller's tenant transaction (one query). */
  fieldsOf(tx: TenantTx, tenantId: string, entity: EntityDef): Promise<readonly CustomField[]>;
  /** False when a read of the last few seconds showed no required custom field on the entity. */
  mayRequire(tenantId: string, entity: EntityDef): boolean;
  /** Every custom field of the tenant, in the caller's tenant transaction (one query). */
  allFieldsOf(tx: TenantTx, tenantId: string): Promise<readonly CustomField[]>;
}

export interface CustomFields extends CustomFieldAdmin, CustomFieldReader {}

export type CustomFieldChangeAction = 'custom_field.created' | 'custom_field.updated' | 'custom_field.deleted';

/** What custom fields need of kernel/audit (its recordSecurityEvent), in the change's own transaction. */
export interface CustomFieldAuditRecorder {
  recordSecurityEvent(
    tx: TenantTx,
    event: { action: CustomFieldChangeAction; entity: string; recordId: string; details: Record<string, unknown> },
    context: Partial<TenantContext>,
  ): Promise<unknown>;
}
