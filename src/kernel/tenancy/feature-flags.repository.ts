/** SQL of feature flags: the only code that touches feature_flags. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { FeatureFlag, FlagRules } from './feature-flags.contract.ts';
import type { FlagDefinition } from './feature-flags.validation.ts';

interface FlagRow {
  key: string;
  description: string | null;
  enabled: boolean;
  rules: FlagRules;
  version: string | number;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
  updated_by: string | null;
}

const columns = sql`key, description, enabled, rules, version, created_at, updated_at, created_by, updated_by`;

const toFlag = (row: FlagRow): FeatureFlag => ({
  key: row.key,
  description: row.description,
  enabled: row.enabled,
  rules: row.rules,
  version: Number(row.version),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  createdBy: row.created_by,
  updatedBy: row.updated_by,
});

export async function selectFlags(tx: TenantTx, tenantId: string): Promise<FeatureFlag[]> {
  const result = await sql<FlagRow>`select ${columns} from feature_flags where tenant_id = ${tenantId} order by key`.execute(tx);
  return result.rows.map(toFlag);
}

/** What evaluation needs of every flag of the tenant (one query per evaluation). */
export async function selectFlagStates(tx: TenantTx, tenantId: string, key?: string): Promise<Pick<FeatureFlag, 'key' | 'enabled' | 'rules'>[]> {
  const only = key === undefined ? sql`` : sql` and key = ${key}`;
  const result = await sql<Pick<FeatureFlag, 'key' | 'enabled' | 'rules'>>`select key, enabled, rules from feature_flags where tenant_id = ${tenantId}${only} order by key`.execute(tx);
  return result.rows;
}

export async function findFlag(tx: TenantTx, tenantId: string, key: string, options: { lock?: boolean } = {}): Promise<FeatureFlag | undefined> {
  const lock = options.lock ? sql` for update` : sql``;
  const result = await sql<FlagRow>`select ${columns} from feature_flags where tenant_id = ${tenantId} and key = ${key}${lock}`.execute(tx);
  return result.rows[0] && toFlag(result.rows[0]);
}

/** Inserts a flag; undefined when the key was taken meanwhile (a concurrent create). */
export async function insertFlag(tx: TenantTx, tenantId: string, key: string, flag: FlagDefinition, userId: string | null): Promise<FeatureFlag | undefined> {
  const result = await sql<FlagRow>`
    insert into feature_flags (tenant_id, key, description, enabled, rules, created_by, updated_by)
    values (${tenantId}, ${key}, ${flag.description}, ${flag.enabled}, ${JSON.stringify(flag.rules)}::jsonb, ${userId}, ${userId})
    on conflict (tenant_id, key) do nothing returning ${columns}`.execute(tx);
  return result.rows[0] && toFlag(result.rows[0]);
}

export async function updateFlag(tx: TenantTx, tenantId: string, key: string, flag: FlagDefinition, userId: string | null): Promise<FeatureFlag | undefined> {
  const result = await sql<FlagRow>`
    update feature_flags set description = ${flag.description}, enabled = ${flag.enabled}, rules = ${JSON.stringify(flag.rules)}::jsonb,
      version = version + 1, updated_at = now(), updated_by = ${userId}
    where tenant_id = ${tenantId} and key = ${key} returning ${columns}`.execute(tx);
  return result.rows[0] && toFlag(result.rows[0]);
}

export async function deleteFlag(tx: TenantTx, tenantId: string, key: string): Promise<boolean> {
  const result = await sql`delete from feature_flags where tenant_id = ${tenantId} and key = ${key}`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}
