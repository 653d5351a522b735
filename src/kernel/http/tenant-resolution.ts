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

export function createTenantResolver(tenants: TenantDirectory, options: { devHeader: boolean }) {
  return async function resolvePrincipal(request: FastifyRequest): Promise<Principal> {
    const named = options.devHeader ? request.headers[devTenantHeader] : undefined;
    if (typeof named !== 'string' || named.length === 0) throw tenantRequired();
    // An unknown tenant answers exactly like a missing one: no probing which tenants exist.
    const tenant = await tenants.resolveActiveTenant(named.trim()).catch((error: unknown) => {
      throw (error as { code?: string }).code === 'tenancy.tenant_not_found' ? tenantRequired() : error;
    });
    return { tenantId: tenant.id, tenantSlug: tenant.slug, userId: null };
  };
}
