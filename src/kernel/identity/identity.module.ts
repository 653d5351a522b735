/** Builds the identity module from its settings: the service, the bearer authenticator and the routes. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TenantDirectory } from '../tenancy/index.ts';
import { createAccessTokens } from './access-tokens.ts';
import type { IdentityService } from './identity.contract.ts';
import { identityRoutes } from './identity.routes.ts';
import { createIdentityService } from './identity.service.ts';
import { createLoginThrottle } from './login-throttle.ts';

/** The identity slice of the config (names as in kernel/config). */
export interface IdentitySettings {
  TOKEN_SECRET: string;
  TOKEN_ISSUER: string;
  TOKEN_AUDIENCE: string;
  ACCESS_TOKEN_TTL_SECONDS: number;
  SESSION_TTL_SECONDS: number;
  IDENTITY_SESSION_CACHE_MS: number;
  IDENTITY_LOGIN_FREE_ATTEMPTS: number;
  IDENTITY_LOCKOUT_AFTER: number;
  IDENTITY_LOCKOUT_SECONDS: number;
  IDENTITY_IP_FAILURES: number;
  AUTH_RATE_LIMIT_MAX: number;
}

export interface Identity {
  service: IdentityService;
  routes: (app: FastifyInstance) => Promise<void>;
}

export function createIdentity(db: Kysely<any>, tenants: TenantDirectory, settings: IdentitySettings): Identity {
  const tokens = createAccessTokens({ secret: settings.TOKEN_SECRET, issuer: settings.TOKEN_ISSUER, audience: settings.TOKEN_AUDIENCE, ttlSeconds: settings.ACCESS_TOKEN_TTL_SECONDS });
  const throttle = createLoginThrottle({
    freeAttempts: settings.IDENTITY_LOGIN_FREE_ATTEMPTS,
    lockoutAfter: settings.IDENTITY_LOCKOUT_AFTER,
    lockoutSeconds: settings.IDENTITY_LOCKOUT_SECONDS,
    maxDelaySeconds: 300,
    ipFailuresPerWindow: settings.IDENTITY_IP_FAILURES,
    ipWindowSeconds: 900,
  });
  const service = createIdentityService({ db, tenants, tokens, throttle, sessionTtlSeconds: settings.SESSION_TTL_SECONDS, sessionCacheMs: settings.IDENTITY_SESSION_CACHE_MS });
  return { service, routes: identityRoutes(service, { rateLimitMax: settings.AUTH_RATE_LIMIT_MAX }) };
}
