/**
 * Management of a tenant's own roles: only an owner or admin may, and every permission must name
 * what the model declares (entity, action, condition, field), so a stored role cannot widen access
 * beyond the model's vocabulary.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../db/index.ts';
import type { ModelRegistry } from '../model/index.ts';
import type { FieldError } from '../shared/index.ts';
import { administratorRoles, builtInRoles, kernelCapabilities, type RoleAdmin, type RolePermission } from './access.contract.ts';
import { accessErrors } from './access.errors.ts';
import { deleteRole, findRole, insertRole, listRoles, updateRole } from './access.repository.ts';
import { isBuiltInRole, isKnownAction } from './access.service.ts';

/** May manage roles: an owner or admin (trusted in-process work has no roles and may too). */
export function isAdministrator(context: TenantContext): boolean {
  return context.roles === undefined || context.roles.some((role) => (administratorRoles as readonly string[]).includes(role));
}

/** Problems of permissions against the model, with pointers into the request body. */
export function checkPermissions(registry: ModelRegistry, permissions: readonly RolePermission[]): FieldError[] {
  const errors: FieldError[] = [];
  permissions.forEach((permission, index) => {
    const at = `/permissions/${index}`;
    const capability = Object.hasOwn(kernelCapabilities, permission.entity) && !registry.find(permission.entity) ? (kernelCapabilities as Record<string, readonly string[]>)[permission.entity]! : undefined;
    if (capability) return void errors.push(...checkCapability(permission, capability, at));
    const entity = registry.find(permission.entity);
    if (!entity) return void errors.push({ pointer: `${at}/entity`, detail: `no entity "${permission.entity}"` });
    permission.actions.forEach((action, position) => {
      if (action !== '*' && !isKnownAction(entity, action)) errors.push({ pointer: `${at}/actions/${position}`, detail: `${entity.name} has no action "${action}"` });
    });
    const conditions = entity.access?.conditions ?? {};
    (permission.where ?? []).forEach((name, position) => {
      if (!Object.hasOwn(conditions, name)) errors.push({ pointer: `${at}/where/${position}`, detail: `${entity.name} declares no condition "${name}"` });
    });
    for (const key of ['hiddenFields', 'readOnlyFields'] as const) {
      (permission[key] ?? []).forEach((name, position) => {
        if (!Object.hasOwn(entity.fields, name)) errors.push({ pointer: `${at}/${key}/${position}`, detail: `${entity.name} has no field "${name}"` });
      });
    }
  });
  return errors;
}

/** A capability permission (`audit` + `read`) names only the capability's actions, with no rows or fields. */
function checkCapability(permission: RolePermission, actions: readonly string[], at: string): FieldError[] {
  const errors: FieldError[] = [];
  permission.actions.forEach((action, position) => {
    if (action !== '*' && !actions.includes(action)) errors.push({ pointer: `${at}/actions/${position}`, detail: `${permission.entity} has no action "${action}"` });
  });
  for (const key of ['where', 'hiddenFields', 'readOnlyFields'] as const) {
    if ((permission[key] ?? []).length > 0) errors.push({ pointer: `${at}/${key}`, detail: `${permission.entity} is a capability: no ${key}` });
  }
  return errors;
}

export function createRoleAdmin(db: Kysely<any>, registry: ModelRegistry): RoleAdmin {
  const asAdministrator = (context: TenantContext) => {
    if (!isAdministrator(context)) throw accessErrors.notAdministrator();
  };
  const validPermissions = (permissions: RolePermission[]) => {
    const errors = checkPermissions(registry, permissions);
    if (errors.length > 0) throw accessErrors.invalidRole(errors);
    return permissions;
  };
  return {
    async listRoles(context) {
      asAdministrator(context);
      const roles = await withTenant(db, context, (tx) => listRoles(tx, context.tenantId));
      return { builtIn: builtInRoles, roles };
    },
    async getRole(context, name) {
      asAdministrator(context);
      const role = await withTenant(db, context, (tx) => findRole(tx, context.tenantId, name));
      if (!role) throw accessErrors.roleNotFound(name);
      return role;
    },
    async createRole(context, input) {
      asAdministrator(context);
      if (isBuiltInRole(input.name)) throw accessErrors.reservedRole(input.name);
      const permissions = validPermissions(input.permissions);
      const role = await withTenant(db, context, (tx) => insertRole(tx, context.tenantId, { name: input.name, description: input.description ?? null, permissions }));
      if (!role) throw accessErrors.roleExists(input.name);
      return role;
    },
    async updateRole(context, name, input) {
      asAdministrator(context);
      if (isBuiltInRole(name)) throw accessErrors.reservedRole(name);
      const permissions = validPermissions(input.permissions);
      const role = await withTenant(db, context, (tx) => updateRole(tx, context.tenantId, name, { description: input.description ?? null, permissions }));
      if (!role) throw accessErrors.roleNotFound(name);
      return role;
    },
    async deleteRole(context, name) {
      asAdministrator(context);
      if (isBuiltInRole(name)) throw accessErrors.reservedRole(name);
      const deleted = await withTenant(db, context, (tx) => deleteRole(tx, context.tenantId, name));
      if (!deleted) throw accessErrors.roleNotFound(name);
    },
  };
}

/** Whether a role can be given in the tenant: a built-in role or one the tenant defined (for kernel/identity). */
export function createRoleCatalog(db: Kysely<any>) {
  return {
    async exists(context: TenantContext, role: string): Promise<boolean> {
      if (isBuiltInRole(role)) return true;
      return (await withTenant(db, { tenantId: context.tenantId }, (tx) => findRole(tx, context.tenantId, role))) !== undefined;
    },
  };
}
