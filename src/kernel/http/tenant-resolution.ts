/**
 * Resolves the principal of a request. Until the identity module lands, the only source is the
 * development header `X-Tenant` (a tenant slug or id), honoured only when TENANT_DEV_HEADER is on,
 * which the config refuses in production. Without a principal a tenant route answers 401.
 */
import type { FastifyRequest } from 'fastify';
import type { TenantDirectory } from '../tenancy/index.ts';
import { tenantRequired } from '../tenancy/index.ts';
import type { Principal } from './http.contract.ts';

export const devTenantHeader = 'x-tenant';

export interface TenantResolver {
  (request: FastifyRequest): Promise<Principal>;
  /** The principal when the tenant is in the cache (no I/O), else undefined; throws like the resolver. */
  cached(request: FastifyRequest): Principal | undefined;
}

export function createTenantResolver(tenants: TenantDirectory, options: { devHeader: boolean }): TenantResolver {
  const namedTenant = (request: FastifyRequest): string => {
    const named = options.devHeader ? request.headers[devTenantHeader] : undefined;
    if (typeof named !== 'string' || named.trim().length === 0) throw tenantRequired();
    return named.trim();
  };
  const toPrincipal = (tenant: { id: string; slug: string }): Principal => ({ tenantId: tenant.id, tenantSlug: tenant.slug, userId: null });
  const resolver = async (request: FastifyRequest): Promise<Principal> => {
    // An unknown tenant answers exactly like a missing one: no probing which tenants exist.
    const tenant = await tenants.resolveActiveTenant(namedTenant(request)).catch((error: unknown) => {
      throw (error as { code?: string }).code === 'tenancy.tenant_not_found' ? tenantRequired() : error;
    });
    return toPrincipal(tenant);
  };
  return Object.assign(resolver, {
    cached(request: FastifyRequest) {
      const tenant = tenants.peekActiveTenant(namedTenant(request));
      return tenant && toPrincipal(tenant);
    },
  });
}
