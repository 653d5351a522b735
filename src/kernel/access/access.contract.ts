/**
 * Access control: who may do what with which rows and fields of an entity, in one tenant.
 * Glossary: role = a named set of permissions a principal holds in a tenant (built-in: owner, admin,
 * manager, member, viewer; or defined by the tenant); permission = an action on an entity (read,
 * create, update, delete, or a custom one such as `order.approve`), possibly limited to rows that
 * meet declared conditions (row scope, compiled to an SQL predicate); field mask = fields a role may
 * not read (hidden) or not write (read-only). Whatever is not granted is denied.
 */
import type { RawBuilder } from 'kysely';
import type { TenantContext, TenantTx } from '../db/index.ts';
import type { EntityDef } from '../model/index.ts';

export const builtInRoles = ['owner', 'admin', 'manager', 'member', 'viewer'] as const;
export type BuiltInRole = (typeof builtInRoles)[number];
/** Roles that manage the tenant's roles (and, in kernel/identity, its members and keys). */
export const administratorRoles: readonly BuiltInRole[] = ['owner', 'admin'];
/**
 * Capabilities of kernel modules a tenant role can be granted besides entity permissions, written
 * as a permission on the capability's area: `{ "entity": "audit", "actions": ["read"] }` = `audit.read`
 * (read the audit log); `flags.manage` (manage the tenant's feature flags); `fields.manage` (manage
 * the tenant's custom fields); `ingest.manage` (mapping specs, ingestion runs, rejects and cases).
 * Owners and admins hold them all.
 */
export const kernelCapabilities = { audit: ['read'], flags: ['manage'], fields: ['manage'], ingest: ['manage'] } as const satisfies Record<string, readonly string[]>;
export type KernelCapability = 'audit.read' | 'flags.manage' | 'fields.manage' | 'ingest.manage';

/** The rows an action may touch: every row (null) or those meeting an SQL predicate on the entity's table. */
export interface RowScope {
  readonly predicate: RawBuilder<unknown> | null;
}

/** What one principal may do with one entity, decided once per operation. */
export interface EntityPermissions {
  can(action: string): boolean;
  /** The row scope of an action; throws access.denied when the action is not granted. */
  require(action: string): RowScope;
  /** API properties the principal may not read. */
  readonly hiddenFields: ReadonlySet<string>;
  /** API properties the principal may not write. */
  readonly readOnlyFields: ReadonlySet<string>;
}

/**
 * The check the record service (and later GraphQL, sync, ingestion) runs. Tenant-defined roles are
 * read inside the caller's tenant transaction, never cached, so a role change applies to the next request.
 */
export interface AccessControl {
  permissionsOn(tx: TenantTx, context: TenantContext, entity: EntityDef): Promise<EntityPermissions>;
}

/** One permission of a tenant-defined role, as stored and as the admin API exchanges it. */
export interface RolePermission {
  entity: string;
  actions: string[];
  where?: string[];
  hiddenFields?: string[];
  readOnlyFields?: string[];
}

export interface TenantRole {
  name: string;
  description: string | null;
  permissions: RolePermission[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface RoleInput {
  name: string;
  description?: string | null;
  permissions: RolePermission[];
}

/** Management of a tenant's own roles (admin routes); the caller must be owner or admin. */
export interface RoleAdmin {
  listRoles(context: TenantContext): Promise<{ builtIn: readonly string[]; roles: TenantRole[] }>;
  getRole(context: TenantContext, name: string): Promise<TenantRole>;
  createRole(context: TenantContext, input: RoleInput): Promise<TenantRole>;
  updateRole(context: TenantContext, name: string, input: Omit<RoleInput, 'name'>): Promise<TenantRole>;
  deleteRole(context: TenantContext, name: string): Promise<void>;
}
