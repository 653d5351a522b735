export { administratorRoles, builtInRoles } from './access.contract.ts';
export type { AccessControl, BuiltInRole, EntityPermissions, RoleAdmin, RoleInput, RolePermission, RowScope, TenantRole } from './access.contract.ts';
export { accessErrors } from './access.errors.ts';
export { builtInAccess, createAccessControl } from './access.service.ts';
export { createRoleAdmin } from './tenant-roles.service.ts';
export { accessRoutes } from './access.routes.ts';
export type { AccessRoutesOptions } from './access.routes.ts';
export { devPrincipalHeaders, withRequestRoles } from './request-principal.ts';
export { accessMigrations } from './paths.ts';
