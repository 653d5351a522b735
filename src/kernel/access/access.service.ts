/**
 * Decisions of access control: the principal's roles (built-in defaults from the entity's declared
 * policy, tenant-defined roles from the tenant's table) combined into the permissions on an entity.
 * A principal with several roles gets the union of their grants; a field is hidden (or read-only)
 * only when every role that reads (or writes) the entity hides it.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';
import { crudActions, type AttributeSource, type EntityDef, type RoleAccess } from '../model/index.ts';
import { builtInRoles, type AccessControl, type BuiltInRole, type EntityPermissions, type RolePermission, type RowScope } from './access.contract.ts';
import { accessErrors } from './access.errors.ts';
import { findRolePermissions } from './access.repository.ts';
import { createAttributeResolver } from './derived-attributes.ts';
import { anyOf, compileConditions } from './row-scope.ts';

const everything: RoleAccess = { grants: [{ actions: ['*'] }] };
const unrestrictedScope: RowScope = { predicate: null };
const nothing: ReadonlySet<string> = new Set();

/** What trusted in-process work (no roles in its context) may do: everything. */
const unrestricted: EntityPermissions = {
  can: () => true,
  require: () => unrestrictedScope,
  hiddenFields: nothing,
  readOnlyFields: nothing,
};

export const isBuiltInRole = (role: string): role is BuiltInRole => (builtInRoles as readonly string[]).includes(role);

/**
 * The built-in role's access to an entity: owner always everything; admin everything unless the
 * policy overrides it; without a policy nothing else (deny by default); otherwise the policy's
 * override or the default: manager read/create/update, member the same on the rows of the `own`
 * condition when the policy declares one, viewer read.
 */
export function builtInAccess(role: BuiltInRole, entity: EntityDef): RoleAccess | undefined {
  if (role === 'owner') return everything;
  const policy = entity.access;
  const override = policy?.roles?.[role];
  if (override !== undefined) return override || undefined;
  if (role === 'admin') return everything;
  if (!policy) return undefined;
  switch (role) {
    case 'manager':
      return { grants: [{ actions: ['read', 'create', 'update'] }] };
    case 'member':
      return { grants: [{ actions: ['read', 'create', 'update'], ...(policy.conditions?.own ? { where: ['own'] } : {}) }] };
    case 'viewer':
      return { grants: [{ actions: ['read'] }] };
  }
}

/** The access a tenant-defined role's stored permissions give on an entity. */
export function tenantRoleAccess(permissions: readonly RolePermission[], entity: EntityDef): RoleAccess | undefined {
  const own = permissions.filter((permission) => permission.entity === entity.name);
  if (own.length === 0) return undefined;
  return {
    grants: own.map((permission) => ({ actions: permission.actions, ...(permission.where?.length ? { where: permission.where } : {}) })),
    hiddenFields: own.flatMap((permission) => permission.hiddenFields ?? []),
    readOnlyFields: own.flatMap((permission) => permission.readOnlyFields ?? []),
  };
}

export function isKnownAction(entity: EntityDef, action: string): boolean {
  return (crudActions as readonly string[]).includes(action) || entity.actions.includes(action);
}

/** Combines the accesses of a principal's roles into its permissions on the entity. */
export function combineAccess(entity: EntityDef, accesses: readonly RoleAccess[], context: TenantContext): EntityPermissions {
  const grantsOf = (action: string) =>
    isKnownAction(entity, action) ? accesses.flatMap((access) => access.grants.filter((grant) => grant.actions.includes(action) || grant.actions.includes('*'))) : [];
  const maskOf = (actions: readonly string[], pick: (access: RoleAccess) => readonly string[] | undefined): ReadonlySet<string> => {
    const relevant = accesses.filter((access) => access.grants.some((grant) => grant.actions.includes('*') || actions.some((action) => grant.actions.includes(action))));
    if (relevant.length === 0) return nothing;
    const [first, ...rest] = relevant.map((access) => new Set(pick(access) ?? []));
    return new Set([...first!].filter((property) => rest.every((set) => set.has(property))));
  };
  return {
    can: (action) => grantsOf(action).length > 0,
    require(action) {
      const grants = grantsOf(action);
      if (grants.length === 0) throw accessErrors.denied(entity.plural, action);
      if (grants.some((grant) => !grant.where || grant.where.length === 0)) return unrestrictedScope;
      return { predicate: anyOf(grants.map((grant) => compileConditions(entity, grant.where!, context))) };
    },
    hiddenFields: maskOf(['read'], (access) => access.hiddenFields),
    readOnlyFields: maskOf(['create', 'update'], (access) => access.readOnlyFields),
  };
}

export interface AccessControlOptions {
  /** Principal attributes derived from the tenant's data (apps' AttributeSource). */
  attributeSources?: readonly AttributeSource[];
}

export function createAccessControl(options: AccessControlOptions = {}): AccessControl {
  const withDerivedAttributes = createAttributeResolver(options.attributeSources ?? []);
  return {
    async permissionsOn(tx: TenantTx, requestContext: TenantContext, entity: EntityDef): Promise<EntityPermissions> {
      if (requestContext.roles === undefined) return unrestricted;
      const context = await withDerivedAttributes(tx, requestContext, entity);
      const accesses: RoleAccess[] = [];
      const tenantRoles: string[] = [];
      for (const role of new Set(context.roles)) {
        if (!isBuiltInRole(role)) tenantRoles.push(role);
        else {
          const access = builtInAccess(role, entity);
          if (access) accesses.push(access);
        }
      }
      // Read in the request's own transaction, never cached: a role change applies to the next request.
      if (tenantRoles.length > 0) {
        for (const permissions of await findRolePermissions(tx, context.tenantId, tenantRoles)) {
          const access = tenantRoleAccess(permissions, entity);
          if (access) accesses.push(access);
        }
      }
      return combineAccess(entity, accesses, context);
    },
  };
}
