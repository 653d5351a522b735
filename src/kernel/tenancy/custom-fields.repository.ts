/** SQL of custom fields: the only code that touches custom_fields. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { CustomField, CustomFieldConstraints, CustomFieldType } from '../model/index.ts';
import type { CustomFieldDefinition } from './custom-fields.contract.ts';
import type { CustomFieldDefinitionValues } from './custom-fields.validation.ts';

interface FieldRow {
  entity: string;
  key: string;
  type: CustomFieldType;
  labels: Record<string, string>;
  description: string | null;
  required: boolean;
  personal_data: boolean;
  constraints: CustomFieldConstraints;
  version: string | number;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
  updated_by: string | null;
}

const columns = sql`entity, key, type, labels, description, required, personal_data, constraints, version, created_at, updated_at, created_by, updated_by`;
const fieldColumns = sql`entity, key, type, labels, required, personal_data, constraints`;

const toField = (row: Pick<FieldRow, 'entity' | 'key' | 'type' | 'labels' | 'required' | 'personal_data' | 'constraints'>): CustomField => ({
  entity: row.entity,
  key: row.key,
  type: row.type,
  labels: row.labels,
  required: row.required,
  personalData: row.personal_data,
  constraints: row.constraints,
});

const toDefinition = (row: FieldRow): CustomFieldDefinition => ({
  ...toField(row),
  description: row.description,
  version: Number(row.version),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  createdBy: row.created_by,
  updatedBy: row.updated_by,
});

export async function selectDefinitions(tx: TenantTx, tenantId: string, entity?: string): Promise<CustomFieldDefinition[]> {
  const only = entity === undefined ? sql`` : sql` and entity = ${entity}`;
  const result = await sql<FieldRow>`select ${columns} from custom_fields where tenant_id = ${tenantId}${only} order by entity, key`.execute(tx);
  return result.rows.map(toDefinition);
}

/** What validation and metadata need: one entity's fields, or all of the tenant's (one query, by the primary key). */
export async function selectFields(tx: TenantTx, tenantId: string, entity?: string): Promise<CustomField[]> {
  const only = entity === undefined ? sql`` : sql` and entity = ${entity}`;
  const result = await sql<FieldRow>`select ${fieldColumns} from custom_fields where tenant_id = ${tenantId}${only} order by entity, key`.execute(tx);
  return result.rows.map(toField);
}

export async function countFields(tx: TenantTx, tenantId: string, entity: string): Promise<number> {
  const result = await sql<{ count: number }>`select count(*)::int as count from custom_fields where tenant_id = ${tenantId} and entity = ${entity}`.execute(tx);
  return result.rows[0]!.count;
}

export async function findDefinition(tx: TenantTx, tenantId: string, entity: string, key: string, options: { lock?: boolean } = {}): Promise<CustomFieldDefinition | undefined> {
  const lock = options.lock ? sql` for update` : sql``;
  const result = await sql<FieldRow>`select ${columns} from custom_fields where tenant_id = ${tenantId} and entity = ${entity} and key = ${key}${lock}`.execute(tx);
  return result.rows[0] && toDefinition(result.rows[0]);
}

/** Inserts a definition; undefined when the key was taken meanwhile (a concurrent create). */
export async function insertDefinition(tx: TenantTx, target: { tenantId: string; entity: string; key: string }, values: CustomFieldDefinitionValues, userId: string | null): Promise<CustomFieldDefinition | undefined> {
  const result = await sql<FieldRow>`
    insert into custom_fields (tenant_id, entity, key, type, labels, description, required, personal_data, constraints, created_by, updated_by)
    values (${target.tenantId}, ${target.entity}, ${target.key}, ${values.type}, ${JSON.stringify(values.labels)}::jsonb, ${values.description},
      ${values.required}, ${values.personalData}, ${JSON.stringify(values.constraints)}::jsonb, ${userId}, ${userId})
    on conflict (tenant_id, entity, key) do nothing returning ${columns}`.execute(tx);
  return result.rows[0] && toDefinition(result.rows[0]);
}

export async function updateDefinition(tx: TenantTx, target: { tenantId: string; entity: string; key: string }, values: CustomFieldDefinitionValues, userId: string | null): Promise<CustomFieldDefinition | undefined> {
  const result = await sql<FieldRow>`
    update custom_fields set type = ${values.type}, labels = ${JSON.stringify(values.labels)}::jsonb, description = ${values.description},
      required = ${values.required}, personal_data = ${values.personalData}, constraints = ${JSON.stringify(values.constraints)}::jsonb,
      version = version + 1, updated_at = now(), updated_by = ${userId}
    where tenant_id = ${target.tenantId} and entity = ${target.entity} and key = ${target.key} returning ${columns}`.execute(tx);
  return result.rows[0] && toDefinition(result.rows[0]);
}

export async function deleteDefinition(tx: TenantTx, tenantId: string, entity: string, key: string): Promise<boolean> {
  const result = await sql`delete from custom_fields where tenant_id = ${tenantId} and entity = ${entity} and key = ${key}`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}
