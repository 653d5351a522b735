/**
 * Tenant administration by identity: API keys and members, their routes, and the authenticator that
 * accepts both access tokens and API keys on `Authorization: Bearer`.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { ApiKeyAdmin, ApiKeyPrincipal, RoleCatalog, SecurityEventRecorder } from './api-keys.contract.ts';
import { apiKeyRoutes } from './api-keys.routes.ts';
import { createApiKeyAdmin, isApiKey } from './api-keys.service.ts';
import type { Authenticated, BearerAuthenticator } from './identity.contract.ts';
import { memberRoutes } from './members.routes.ts';
import { createMemberAdmin, type MemberAdmin, type SessionEviction } from './members.service.ts';

export interface TenantAdminOptions {
  db: Kysely<any>;
  roles: RoleCatalog;
  audit?: SecurityEventRecorder;
  /** The identity module's session cache (Identity.sessionCache). */
  sessions: SessionEviction;
  /** IDENTITY_SESSION_CACHE_MS: how long a node trusts a live key without asking the database. */
  cacheMs: number;
  /** TENANT_DEV_HEADER: X-Dev-Roles applies to these routes too (tests, development). */
  devHeaders: boolean;
}

export interface TenantAdmin {
  apiKeys: ApiKeyAdmin;
  members: MemberAdmin;
  routes: (app: FastifyInstance) => void;
  /** Access tokens go to `tokens`; a credential in the API key format is checked as a key. */
  authenticatorWith(tokens: BearerAuthenticator): { authenticate(token: string): Promise<Authenticated | ApiKeyPrincipal> };
}

export function createTenantAdmin(options: TenantAdminOptions): TenantAdmin {
  const apiKeys = createApiKeyAdmin({ db: options.db, roles: options.roles, audit: options.audit, cacheMs: options.cacheMs });
  const members = createMemberAdmin({ db: options.db, roles: options.roles, sessions: options.sessions, audit: options.audit });
  const keyRoutes = apiKeyRoutes(apiKeys, { devHeaders: options.devHeaders });
  const membersRoutes = memberRoutes(members, { devHeaders: options.devHeaders });
  return {
    apiKeys,
    members,
    routes: (app) => {
      keyRoutes(app);
      membersRoutes(app);
    },
    authenticatorWith: (tokens) => ({ authenticate: (token) => (isApiKey(token) ? apiKeys.authenticate(token) : tokens.authenticate(token)) }),
  };
}
