/**
 * The environment schema: one TypeBox object, combined from each module's slice.
 * Glossary: slice = the variables one module owns, with defaults that run locally with no setup;
 * secret = a variable whose value is redacted wherever the config is logged.
 */
import Type, { type Static } from 'typebox';
import { rateLimitSlice } from '../http/rate-limits.config.ts';
import { ingestSlice } from '../ingest/ingest.config.ts';
import { jobsSlice } from '../jobs/jobs.config.ts';
import { syncSlice } from '../sync/sync.config.ts';
import { mailSlice } from '../mail/mail.config.ts';
import { redisSlice } from '../redis/redis.config.ts';

const secret = { secret: true } as const;

export const coreSlice = {
  NODE_ENV: Type.Enum(['development', 'test', 'production'], { default: 'development', description: 'Runtime mode; production forbids development shortcuts' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info', description: 'pino log level' }),
};

export const httpSlice = {
  HOST: Type.String({ default: 'localhost', minLength: 1, description: 'Interface the HTTP server binds to' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port (0 picks a free one)' }),
  HTTP_BODY_LIMIT: Type.Integer({ default: 1_048_576, minimum: 1024, description: 'Largest accepted request body in bytes (larger: 413)' }),
  HTTP_LIST_DEFAULT_LIMIT: Type.Integer({ default: 50, minimum: 1, maximum: 1000, description: 'Page size when a list request names none' }),
  HTTP_LIST_MAX_LIMIT: Type.Integer({ default: 200, minimum: 1, maximum: 1000, description: 'Largest page size a list request may ask for' }),
  HTTP_CORS_ORIGINS: Type.String({ default: '', description: 'Comma-separated origins allowed by CORS; empty allows none' }),
  HTTP_TRUST_PROXY: Type.String({ default: '', description: 'Proxy addresses/CIDRs whose X-Forwarded-For is trusted; empty trusts none' }),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10_000, minimum: 0, description: 'How long a shutdown waits for in-flight requests' }),
};

export const dbSlice = {
  DATABASE_URL: Type.Optional(Type.String({ ...secret, pattern: '^postgres(ql)?://', description: 'Owner connection (runs migrations). Unset: embedded PostgreSQL in DATA_DIR' })),
  DATABASE_APP_URL: Type.Optional(Type.String({ ...secret, pattern: '^postgres(ql)?://', description: 'Runtime connection as tenantry_app. Unset: DATABASE_URL with the tenantry_app role' })),
  DATABASE_APP_PASSWORD: Type.String({ ...secret, default: 'tenantry-app-local', minLength: 8, description: 'Password of the tenantry_app role when Tenantry manages it' }),
  DATABASE_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 500, description: 'Runtime pool size' }),
  DATA_DIR: Type.String({ default: './.data', minLength: 1, description: 'Where the embedded PostgreSQL keeps its data' }),
  EMBEDDED_PG_PORT: Type.Integer({ default: 54320, minimum: 1, maximum: 65535, description: 'Port of the embedded PostgreSQL (loopback only)' }),
};

export const tenancySlice = {
  TENANT_DEV_HEADER: Type.Boolean({ default: false, description: 'Development only: resolve the tenant from the X-Tenant header (refused in production)' }),
  SEED_DEMO: Type.Boolean({ default: true, description: 'Seed the demo tenant on first start' }),
};

/** Development default of TOKEN_SECRET: refused in production (see load-config.ts). */
export const developmentTokenSecret = 'tenantry-development-token-secret-not-for-production';

export const identitySlice = {
  TOKEN_SECRET: Type.String({ ...secret, default: developmentTokenSecret, minLength: 32, description: 'HS256 key of access tokens (at least 32 characters; required in production)' }),
  TOKEN_ISSUER: Type.String({ default: 'tenantry', minLength: 1, description: 'iss of access tokens, checked on verify' }),
  TOKEN_AUDIENCE: Type.String({ default: 'tenantry-api', minLength: 1, description: 'aud of access tokens, checked on verify' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ default: 600, minimum: 30, maximum: 3600, description: 'Lifetime of an access token' }),
  SESSION_TTL_SECONDS: Type.Integer({ default: 2_592_000, minimum: 300, description: 'Lifetime of a session (its refresh tokens die with it)' }),
  IDENTITY_SESSION_CACHE_MS: Type.Integer({ default: 1000, minimum: 0, maximum: 10_000, description: 'How long a live session is trusted per node; revocation on another node takes effect within this bound, at once when the nodes share REDIS_URL (0: checked on every request)' }),
  IDENTITY_LOGIN_FREE_ATTEMPTS: Type.Integer({ default: 5, minimum: 1, description: 'Failed logins of an account before delays start (doubling from 1 s)' }),
  IDENTITY_LOCKOUT_AFTER: Type.Integer({ default: 20, minimum: 2, maximum: 99, description: 'Consecutive failed logins that lock the account for IDENTITY_LOCKOUT_SECONDS (password reset stays open)' }),
  IDENTITY_LOCKOUT_SECONDS: Type.Integer({ default: 900, minimum: 1, description: 'How long a locked account waits' }),
  IDENTITY_IP_FAILURES: Type.Integer({ default: 100, minimum: 1, description: 'Failed logins per client IP per 15 minutes before that IP is refused' }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({ default: 30, minimum: 1, description: 'Requests per minute per IP to each auth route (429 beyond)' }),
  APP_BASE_URL: Type.String({ default: 'http://localhost:3000', pattern: '^https?://[^\\s]+$', description: 'Where links in mails lead (the web app): <APP_BASE_URL>/verify-email?token=..., /reset-password?token=...' }),
  IDENTITY_VERIFICATION_TTL_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 168, description: 'Lifetime of an e-mail verification (or e-mail change) link' }),
  IDENTITY_RESET_TTL_MINUTES: Type.Integer({ default: 30, minimum: 5, maximum: 60, description: 'Lifetime of a password reset link (at most 60 minutes)' }),
  IDENTITY_INVITATION_TTL_DAYS: Type.Integer({ default: 7, minimum: 1, maximum: 30, description: 'Lifetime of an invitation link' }),
  IDENTITY_TOTP_KEY: Type.Optional(Type.String({ ...secret, minLength: 32, description: 'Key material (HKDF-SHA256) of the AES-256-GCM key that encrypts TOTP secrets; unset: derived from TOKEN_SECRET (then rotating TOKEN_SECRET voids every TOTP enrolment)' })),
};

export const EnvSchema = Type.Object(
  { ...coreSlice, ...httpSlice, ...rateLimitSlice, ...dbSlice, ...tenancySlice, ...identitySlice, ...jobsSlice, ...mailSlice, ...redisSlice, ...syncSlice, ...ingestSlice },
  { additionalProperties: true },
);

export type Config = Readonly<Static<typeof EnvSchema>>;
