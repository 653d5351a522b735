/**
 * Guards for the admin routes of other modules (audit log, mail outbox): owners and admins pass; a
 * kernel capability such as `audit.read` also passes for tenant roles granted it, as a permission
 * `{ "entity": "audit", "actions": ["read"] }` (see kernelCapabilities). Tenant roles are read in a
 * tenant transaction only when the principal has no administrator role, never cached.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../db/index.ts';
import { administratorRoles, kernelCapabilities, type KernelCapability } from './access.contract.ts';
import { accessErrors } from './access.errors.ts';
import { findRolePermissions } from './access.repository.ts';
import { isBuiltInRole } from './access.service.ts';
import { withRequestRoles } from './request-principal.ts';

/** A Fastify preHandler: resolves when the request may pass, throws access.denied otherwise. */
export type RouteGuard = (request: FastifyRequest) => Promise<void>;

export function createRouteGuards(db: Kysely<any>, options: { devHeaders: boolean }) {
  const contextOf = (request: FastifyRequest): TenantContext & { roles: readonly string[] } =>
    withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
  const isAdministrator = (roles: readonly string[]) => roles.some((role) => (administratorRoles as readonly string[]).includes(role));
  return {
    /** Owners and admins only. */
    administrators(what: string): RouteGuard {
      return async (request) => {
        if (!isAdministrator(contextOf(request).roles)) throw accessErrors.deniedRoute(what);
      };
    },
    /** Owners, admins and tenant roles granted the capability (`audit.read`). */
    capability(capability: KernelCapability, what: string): RouteGuard {
      const [area, action] = capability.split('.') as [keyof typeof kernelCapabilities, string];
      return async (request) => {
        const context = contextOf(request);
        if (isAdministrator(context.roles)) return;
        const tenantRoles = context.roles.filter((role) => !isBuiltInRole(role));
        if (tenantRoles.length > 0) {
          const granted = await withTenant(db, context, (tx) => findRolePermissions(tx, context.tenantId, tenantRoles));
          if (granted.flat().some((permission) => permission.entity === area && (permission.actions.includes(action) || permission.actions.includes('*')))) return;
        }
        throw accessErrors.deniedRoute(what);
      };
    },
  };
}

export type RouteGuards = ReturnType<typeof createRouteGuards>;
