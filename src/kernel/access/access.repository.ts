/** SQL of tenant-defined roles: the only code that touches access_roles. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import { newId } from '../shared/index.ts';
import type { RolePermission, TenantRole } from './access.contract.ts';

interface RoleRow {
  name: string;
  description: string | null;
  permissions: RolePermission[];
  version: string | number;
  created_at: Date;
  updated_at: Date;
}

const toRole = (row: RoleRow): TenantRole => ({
  name: row.name,
  description: row.description,
  permissions: row.permissions,
  version: Number(row.version),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** The stored permissions of the named roles that exist (one list per role). */
export async function findRolePermissions(tx: TenantTx, tenantId: string, names: readonly string[]): Promise<RolePermission[][]> {
  const result = await sql<{ permissions: RolePermission[] }>`
    select permissions from access_roles where tenant_id = ${tenantId} and name = any(${[...names]})`.execute(tx);
  return result.rows.map((row) => row.permissions);
}

export async function listRoles(tx: TenantTx, tenantId: string): Promise<TenantRole[]> {
  const result = await sql<RoleRow>`select * from access_roles where tenant_id = ${tenantId} order by name`.execute(tx);
  return result.rows.map(toRole);
}

export async function findRole(tx: TenantTx, tenantId: string, name: string): Promise<TenantRole | undefined> {
  const result = await sql<RoleRow>`select * from access_roles where tenant_id = ${tenantId} and name = ${name}`.execute(tx);
  return result.rows[0] && toRole(result.rows[0]);
}

/** Inserts a role; undefined when the name is taken. */
export async function insertRole(tx: TenantTx, tenantId: string, role: { name: string; description: string | null; permissions: RolePermission[] }): Promise<TenantRole | undefined> {
  const result = await sql<RoleRow>`
    insert into access_roles (tenant_id, id, name, description, permissions)
    values (${tenantId}, ${newId()}, ${role.name}, ${role.description}, ${JSON.stringify(role.permissions)}::jsonb)
    on conflict (tenant_id, name) do nothing returning *`.execute(tx);
  return result.rows[0] && toRole(result.rows[0]);
}

export async function updateRole(tx: TenantTx, tenantId: string, name: string, role: { description: string | null; permissions: RolePermission[] }): Promise<TenantRole | undefined> {
  const result = await sql<RoleRow>`
    update access_roles set description = ${role.description}, permissions = ${JSON.stringify(role.permissions)}::jsonb,
      version = version + 1, updated_at = now()
    where tenant_id = ${tenantId} and name = ${name} returning *`.execute(tx);
  return result.rows[0] && toRole(result.rows[0]);
}

export async function deleteRole(tx: TenantTx, tenantId: string, name: string): Promise<boolean> {
  const result = await sql`delete from access_roles where tenant_id = ${tenantId} and name = ${name}`.execute(tx);
  return Number(result.numAffectedRows ?? 0) > 0;
}
