/**
 * Resolves the principal of a request: from `Authorization: Bearer <access token or API key>` (verified and
 * checked live by the injected authenticator, the tenant checked active), or, only when
 * TENANT_DEV_HEADER is on (tests, local development; refused in production), from the development
 * header `X-Tenant` (a tenant slug or id, taking precedence when sent), which then acts as role owner
 * with no user. A request with neither answers 401 on a tenant route.
 */
import type { FastifyRequest } from 'fastify';
import type { TenantDirectory } from '../tenancy/index.ts';
import { tenantRequired } from '../tenancy/index.ts';
import type { BearerAuthenticator, Principal } from './http.contract.ts';

export const devTenantHeader = 'x-tenant';
const devRoles: readonly string[] = ['owner'];

export interface TenantResolver {
  (request: FastifyRequest): Promise<Principal>;
  /** The principal when it needs no I/O (dev header, tenant cached), else undefined; throws like the resolver. */
  cached(request: FastifyRequest): Principal | undefined;
}

/** The bearer token of a request, if it has an Authorization header of that scheme. */
function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match ? match[1] : '';
}

export function createTenantResolver(tenants: TenantDirectory, options: { devHeader: boolean; authenticator?: BearerAuthenticator | undefined }): TenantResolver {
  const namedTenant = (request: FastifyRequest): string => {
    const named = options.devHeader ? request.headers[devTenantHeader] : undefined;
    if (typeof named !== 'string' || named.trim().length === 0) throw tenantRequired();
    return named.trim();
  };
  // With TENANT_DEV_HEADER on (never in production), an X-Tenant header, when sent, takes precedence.
  const hasDevHeader = (request: FastifyRequest) => options.devHeader && typeof request.headers[devTenantHeader] === 'string';
  const toPrincipal = (tenant: { id: string; slug: string }): Principal => ({ tenantId: tenant.id, tenantSlug: tenant.slug, userId: null, roles: [...devRoles], sessionId: null });
  // An unknown tenant answers exactly like a missing one: no probing which tenants exist.
  const activeTenant = (idOrSlug: string) =>
    tenants.resolveActiveTenant(idOrSlug).catch((error: unknown) => {
      throw (error as { code?: string }).code === 'tenancy.tenant_not_found' ? tenantRequired() : error;
    });
  const resolver = async (request: FastifyRequest): Promise<Principal> => {
    const token = bearerOf(request);
    if (token !== undefined && options.authenticator && !hasDevHeader(request)) {
      const identity = await options.authenticator.authenticate(token);
      const tenant = await activeTenant(identity.tenantId);
      return { tenantId: tenant.id, tenantSlug: tenant.slug, userId: identity.userId, roles: identity.roles, sessionId: identity.sessionId, ...(identity.apiKeyId ? { apiKeyId: identity.apiKeyId } : {}) };
    }
    return toPrincipal(await activeTenant(namedTenant(request)));
  };
  return Object.assign(resolver, {
    cached(request: FastifyRequest) {
      if (options.authenticator && request.headers.authorization !== undefined && !hasDevHeader(request)) return undefined;
      const tenant = tenants.peekActiveTenant(namedTenant(request));
      return tenant && toPrincipal(tenant);
    },
  });
}
