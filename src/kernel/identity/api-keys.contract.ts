/**
 * Tenant administration owned by identity: API keys and members. Glossary: API key = a secret an
 * integration sends as `Authorization: Bearer tnt_<tenant>_<key id>_<secret>`, acting in one tenant
 * with one role (no user, no session); prefix = the public part `tnt_<tenant>_<key id>` that names
 * the key; administrator = an owner or admin of the tenant (not an API key).
 */
import type { TenantContext, TenantTx } from '../db/index.ts';

export interface ApiKey {
  id: string;
  name: string;
  role: string;
  /** The public part of the key (`tnt_<tenant>_<id>`): safe to show and log. */
  prefix: string;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to a creation: the only time the whole key is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface ApiKeyInput {
  name: string;
  role: string;
  /** RFC 3339, in the future; absent or null: the key does not expire. */
  expiresAt?: string | null;
}

/** Who a live API key acts as. */
export interface ApiKeyPrincipal {
  tenantId: string;
  apiKeyId: string;
  userId: null;
  sessionId: null;
  roles: string[];
}

export interface ApiKeyAdmin {
  create(context: TenantContext, input: ApiKeyInput): Promise<CreatedApiKey>;
  list(context: TenantContext): Promise<ApiKey[]>;
  revoke(context: TenantContext, id: string): Promise<void>;
  /** The principal of a presented key; throws identity.invalid_token when it is unknown, expired or revoked. */
  authenticate(key: string): Promise<ApiKeyPrincipal>;
}

/** Which roles can be given (built-in or defined by the tenant); implemented by kernel/access, injected by compose. */
export interface RoleCatalog {
  exists(context: TenantContext, role: string): Promise<boolean>;
}

/** Where security events go (kernel/audit's recordSecurityEvent), in the caller's transaction. */
export interface SecurityEventRecorder {
  recordSecurityEvent(
    tx: TenantTx,
    event: { action: string; entity?: string | null; recordId?: string | null; details?: Record<string, unknown> },
    context: Partial<TenantContext>,
  ): Promise<unknown>;
}
