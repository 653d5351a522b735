/** Who may administer a tenant's members and API keys, and which roles they may give. */
import { administratorRoles } from '../access/index.ts';
import type { TenantContext } from '../db/index.ts';
import type { RoleCatalog } from './api-keys.contract.ts';
import { adminErrors } from './api-keys.errors.ts';

const ownerRole = 'owner';

/** An owner or admin acting in person; trusted in-process work (no roles) too. An API key never administers. */
export function assertAdministrator(context: TenantContext, what: string): void {
  if (context.apiKeyId) throw adminErrors.notAdministrator(what);
  if (context.roles === undefined) return;
  if (!context.roles.some((role) => (administratorRoles as readonly string[]).includes(role))) throw adminErrors.notAdministrator(what);
}

/** Giving or taking the owner role is for owners; the role must exist in the tenant. */
export async function assertAssignable(context: TenantContext, role: string, roles: RoleCatalog): Promise<void> {
  if (role === ownerRole) assertOwner(context);
  if (!(await roles.exists(context, role))) throw adminErrors.unknownRole(role);
}

export function assertOwner(context: TenantContext): void {
  if (context.roles !== undefined && !context.roles.includes(ownerRole)) throw adminErrors.ownerOnly();
}

export { ownerRole };
