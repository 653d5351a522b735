/**
 * The HTTP module: the Fastify app, generated REST routes for every exposed entity, problem+json,
 * health and metrics. Glossary: principal = who a request acts as (tenant, user, roles, session); exposed entity =
 * one the model marks `expose`, served under /v1/<plural>.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import type { ModelRegistry } from '../model/index.ts';
import type { Logger, Metrics } from '../observability/index.ts';
import type { RecordService } from '../records/index.ts';
import type { TenantDirectory } from '../tenancy/index.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { RateLimitStore } from './rate-limit-store.ts';
import type { RouteRateLimits } from './rate-limits.ts';

export interface Principal {
  tenantId: string;
  tenantSlug: string;
  userId: string | null;
  /** The user's roles in this tenant (read live from the membership); the dev header acts as ['owner']. */
  roles: string[];
  /** The session the access token belongs to; null for the development header. */
  sessionId: string | null;
  /** The API key a request authenticated with (then userId and sessionId are null); audit names it as the actor. */
  apiKeyId?: string | null;
  /** Set per request: the request id and client address, carried into audit records. */
  requestId?: string;
  ip?: string;
}

export interface HealthProbe {
  /** Problems that make the service not ready (database unreachable, migrations pending). */
  check(): Promise<string[]>;
  isDraining(): boolean;
}

/** A module's own routes (audit log, identity flows, admin), registered after the generated ones. */
export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

/** What a valid bearer credential (access token or API key) stands for (implemented by kernel/identity, injected by compose). */
export interface BearerAuthenticator {
  authenticate(token: string): Promise<{ tenantId: string; userId: string | null; sessionId: string | null; roles: string[]; apiKeyId?: string | null }>;
}

export interface HttpDependencies {
  config: Config;
  logger: Logger;
  registry: ModelRegistry;
  records: RecordService;
  tenants: TenantDirectory;
  metrics: Metrics;
  health: HealthProbe;
  idempotency: IdempotencyStore;
  routes?: readonly RouteRegistrar[];
  /** Resolves `Authorization: Bearer` tokens; without it only the development header can name a tenant. */
  authenticator?: BearerAuthenticator;
  /** Where rate-limit hits are counted; unset: in this process (createMemoryRateLimitStore). Several nodes: createRedisRateLimitStore. */
  rateLimitStore?: RateLimitStore;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The route acts for a tenant: a principal is resolved before the handler. */
    tenant?: boolean;
    /** The route's own rate limits (kernel/http/rate-limits.ts); false: never limited (health, metrics, docs). */
    rateLimits?: RouteRateLimits | false;
  }
}
