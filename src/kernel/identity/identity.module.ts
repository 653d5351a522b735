/** Builds the identity module from its settings: the service, the bearer authenticator and the routes. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { TenantDirectory } from '../tenancy/index.ts';
import { createAccessTokens } from './access-tokens.ts';
import type { IdentityService } from './identity.contract.ts';
import { identityRoutes } from './identity.routes.ts';
import { createIdentityService } from './identity.service.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { createRedisThrottleStore } from './login-throttle.redis.ts';
import { createSessionCache, type SessionCache } from './session-cache.ts';
import { shareSessionCache } from './session-cache.redis.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Logger } from '../observability/index.ts';
import type { RedisConnection } from '../redis/index.ts';
import { createAccountNotices } from './account-notices.ts';
import { accountRoutes } from './account.routes.ts';
import { createEmailVerification } from './email-verification.ts';
import { createPasswordReset } from './password-reset.ts';
import { createIdentityEvents, noSecurityEvents, type SecurityEventLog } from './security-events.ts';
import type { RoleCatalog } from './api-keys.contract.ts';
import { invitationRoutes } from './invitations.routes.ts';
import { createInvitationAdmin } from './invitations.service.ts';
import { createChallenges } from './two-factor.challenge.ts';
import { twoFactorRoutes } from './two-factor.routes.ts';
import { createSecretBox } from './two-factor.secret-box.ts';
import { createTwoFactor } from './two-factor.service.ts';

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
  APP_BASE_URL: string;
  IDENTITY_VERIFICATION_TTL_HOURS: number;
  IDENTITY_RESET_TTL_MINUTES: number;
  IDENTITY_INVITATION_TTL_DAYS: number;
  IDENTITY_TOTP_KEY?: string | undefined;
  TENANT_DEV_HEADER: boolean;
}

/** What identity uses of other modules (compose.ts injects them): security events, the mail outbox, the log. */
export interface IdentityDependencies {
  audit?: SecurityEventLog;
  mail?: MailQueue;
  logger?: Logger;
  /** The tenant's roles (kernel/access): invitations are built only with it. */
  roles?: RoleCatalog;
  /** Shared by every node (REDIS_URL): the login throttle's counts and session evictions. Unset: this process only. */
  redis?: RedisConnection | undefined;
}

export interface Identity {
  service: IdentityService;
  /** The per-node cache of live sessions (evictions shared through Redis when configured), shared with the member admin (tenant-admin.module.ts). */
  sessionCache: SessionCache;
  routes: (app: FastifyInstance) => Promise<void>;
}

export function createIdentity(db: Kysely<any>, tenants: TenantDirectory, settings: IdentitySettings, dependencies: IdentityDependencies = {}): Identity {
  const tokens = createAccessTokens({ secret: settings.TOKEN_SECRET, issuer: settings.TOKEN_ISSUER, audience: settings.TOKEN_AUDIENCE, ttlSeconds: settings.ACCESS_TOKEN_TTL_SECONDS });
  const { redis, logger } = dependencies;
  const throttle = createLoginThrottle({
    freeAttempts: settings.IDENTITY_LOGIN_FREE_ATTEMPTS,
    lockoutAfter: settings.IDENTITY_LOCKOUT_AFTER,
    lockoutSeconds: settings.IDENTITY_LOCKOUT_SECONDS,
    maxDelaySeconds: 300,
    ipFailuresPerWindow: settings.IDENTITY_IP_FAILURES,
    ipWindowSeconds: 900,
    ...(redis ? { store: createRedisThrottleStore(redis.client) } : {}),
    onStoreFailure: (error) => {
      logger?.warn({ err: error }, 'login throttle store failed; attempt admitted unthrottled');
      redis?.countFailure('login_throttle');
    },
  });
  const localSessions = createSessionCache(settings.IDENTITY_SESSION_CACHE_MS);
  const sessionCache = redis
    ? shareSessionCache(localSessions, redis, {
        onPublishFailure: (error) => {
          logger?.warn({ err: error }, 'session eviction not published; other nodes follow within IDENTITY_SESSION_CACHE_MS');
          redis.countFailure('session_invalidation');
        },
      })
    : localSessions;
  const events = createIdentityEvents(dependencies.audit ?? noSecurityEvents);
  const flows = { db, mail: dependencies.mail, events, linkBase: settings.APP_BASE_URL };
  const reset = createPasswordReset({ ...flows, throttle, sessions: sessionCache, login: (input, client) => service.loginWithinSession(input, client), ttlSeconds: settings.IDENTITY_RESET_TTL_MINUTES * 60, logger });
  const verification = createEmailVerification({ ...flows, reauthenticate: reset.reauthenticate, ttlSeconds: settings.IDENTITY_VERIFICATION_TTL_HOURS * 3600, logger });
  const notices = createAccountNotices({ ...flows, logger });
  const service = createIdentityService({
    db, tenants, tokens, throttle, sessionTtlSeconds: settings.SESSION_TTL_SECONDS, sessionCacheMs: settings.IDENTITY_SESSION_CACHE_MS, sessionCache,
    events, afterSignUp: verification.afterSignUp, onKnownAddress: notices.noticeAccountExists, onLockout: (tx, user, _tenantId, lockedSeconds) => reset.queueLockoutNotice(tx, user, lockedSeconds),
    secondFactor: (userId, tenantId) => twoFactor.requireChallenge(userId, tenantId),
  });
  const twoFactor = createTwoFactor({
    db, events, throttle, sessions: service, reauthenticate: reset.reauthenticate, issuer: settings.TOKEN_ISSUER,
    box: createSecretBox(settings.IDENTITY_TOTP_KEY ?? settings.TOKEN_SECRET), challenges: createChallenges(settings.TOKEN_SECRET),
  });
  const routes = [identityRoutes(service, { rateLimitMax: settings.AUTH_RATE_LIMIT_MAX }), accountRoutes({ verification, reset }, { rateLimitMax: settings.AUTH_RATE_LIMIT_MAX }), twoFactorRoutes(twoFactor, { rateLimitMax: settings.AUTH_RATE_LIMIT_MAX })];
  if (dependencies.roles) {
    const invitations = createInvitationAdmin({
      db, tenants, roles: dependencies.roles, mail: dependencies.mail, audit: dependencies.audit ?? noSecurityEvents, throttle, sessions: service, tokens: service,
      linkBase: settings.APP_BASE_URL, ttlSeconds: settings.IDENTITY_INVITATION_TTL_DAYS * 86_400,
    });
    routes.push(invitationRoutes(invitations, { devHeaders: settings.TENANT_DEV_HEADER, rateLimitMax: settings.AUTH_RATE_LIMIT_MAX }));
  }
  return {
    service,
    sessionCache,
    routes: async (app) => {
      for (const register of routes) await register(app);
    },
  };
}
