/**
 * API keys: created by an administrator for one role, shown once, stored as SHA-256 of a 256-bit
 * secret (a slow hash adds nothing for a secret of that entropy and would cost every request).
 * Format `tnt_<tenant id, 32 hex>_<key id, 32 hex>_<secret, 43 base64url>`: the public prefix names
 * the tenant and key, so the lookup is one primary-key read under that tenant's RLS.
 * A live key is cached per node for the session bound (IDENTITY_SESSION_CACHE_MS); revocation on
 * this node evicts at once, on another node it takes effect within that bound.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withTenant, type TenantContext } from '../db/index.ts';
import { isUuid, newId, type FieldError } from '../shared/index.ts';
import type { ApiKey, ApiKeyAdmin, ApiKeyInput, ApiKeyPrincipal, RoleCatalog, SecurityEventRecorder } from './api-keys.contract.ts';
import { adminErrors } from './api-keys.errors.ts';
import { insertApiKey, listApiKeys, revokeApiKey, useApiKey, type ApiKeyRow } from './api-keys.repository.ts';
import { invalidToken } from './identity.errors.ts';
import { assertAdministrator, assertAssignable } from './tenant-admin.ts';

export interface ApiKeyOptions {
  db: Kysely<any>;
  roles: RoleCatalog;
  audit?: SecurityEventRecorder | undefined;
  cacheMs: number;
  now?: () => number;
}

export const apiKeyScheme = 'tnt_';
const keyPattern = /^tnt_([0-9a-f]{32})_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const compact = (uuid: string) => uuid.replaceAll('-', '').toLowerCase();
const expand = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Whether a bearer credential is an API key rather than an access token. */
export const isApiKey = (token: string): boolean => token.startsWith(apiKeyScheme);

export function apiKeyPrefix(tenantId: string, id: string): string {
  return `${apiKeyScheme}${compact(tenantId)}_${compact(id)}`;
}

function parseKey(key: string): { tenantId: string; id: string; secret: string } {
  const match = keyPattern.exec(key);
  if (!match) throw invalidToken();
  return { tenantId: expand(match[1]!), id: expand(match[2]!), secret: match[3]! };
}

const toApiKey = (tenantId: string, row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  role: row.role,
  prefix: apiKeyPrefix(tenantId, row.id),
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  expiresAt: iso(row.expiresAt),
  lastUsedAt: iso(row.lastUsedAt),
  revokedAt: iso(row.revokedAt),
});

export function createApiKeyAdmin(options: ApiKeyOptions): ApiKeyAdmin {
  const { db, roles, audit } = options;
  const now = options.now ?? Date.now;
  const live = new Map<string, { principal: ApiKeyPrincipal; hash: Buffer; until: number }>();

  const expiryOf = (input: ApiKeyInput): Date | null => {
    if (input.expiresAt === undefined || input.expiresAt === null) return null;
    const at = Date.parse(input.expiresAt);
    const errors: FieldError[] = [];
    if (Number.isNaN(at)) errors.push({ pointer: '/expiresAt', detail: 'expiresAt must be an RFC 3339 date-time' });
    else if (at <= now()) errors.push({ pointer: '/expiresAt', detail: 'expiresAt must be in the future' });
    if (errors.length > 0) throw adminErrors.invalidApiKey(errors);
    return new Date(at);
  };

  return {
    async create(context: TenantContext, input: ApiKeyInput) {
      assertAdministrator(context, 'API keys');
      const name = String(input.name).normalize('NFC').trim();
      if (name.length < 1 || name.length > 100) throw adminErrors.invalidApiKey([{ pointer: '/name', detail: 'name must have 1 to 100 characters' }]);
      const expiresAt = expiryOf(input);
      await assertAssignable(context, input.role, roles);
      const id = newId();
      const secret = randomBytes(32).toString('base64url');
      const row = await withTenant(db, context, async (tx) => {
        const inserted = await insertApiKey(tx, { tenantId: context.tenantId, id, name, role: input.role, hash: hashSecret(secret), createdBy: context.userId ?? null, expiresAt });
        await audit?.recordSecurityEvent(tx, { action: 'apikey.created', entity: 'apiKey', recordId: id, details: { role: input.role, expiresAt: iso(expiresAt) } }, context);
        return inserted;
      });
      return { ...toApiKey(context.tenantId, row), key: `${apiKeyPrefix(context.tenantId, id)}_${secret}` };
    },

    async list(context: TenantContext) {
      assertAdministrator(context, 'API keys');
      const rows = await withTenant(db, context, (tx) => listApiKeys(tx, context.tenantId));
      return rows.map((row) => toApiKey(context.tenantId, row));
    },

    async revoke(context: TenantContext, id: string) {
      assertAdministrator(context, 'API keys');
      if (!isUuid(id)) throw adminErrors.apiKeyNotFound();
      const keyId = id.toLowerCase();
      live.delete(`${context.tenantId}:${keyId}`);
      const revoked = await withTenant(db, context, async (tx) => {
        const done = await revokeApiKey(tx, context.tenantId, keyId, context.userId ?? null);
        if (done) await audit?.recordSecurityEvent(tx, { action: 'apikey.revoked', entity: 'apiKey', recordId: keyId }, context);
        return done;
      });
      if (!revoked) throw adminErrors.apiKeyNotFound();
    },

    async authenticate(key: string) {
      const { tenantId, id, secret } = parseKey(key);
      const hash = hashSecret(secret);
      const cacheKey = `${tenantId}:${id}`;
      const cached = live.get(cacheKey);
      if (cached && cached.until > now()) {
        if (cached.hash.equals(hash)) return cached.principal;
        throw invalidToken();
      }
      const role = await withTenant(db, { tenantId }, (tx) => useApiKey(tx, tenantId, id, hash));
      if (!role) throw invalidToken();
      const principal: ApiKeyPrincipal = { tenantId, apiKeyId: id, userId: null, sessionId: null, roles: [role] };
      if (options.cacheMs > 0) {
        if (live.size >= 100_000) live.clear();
        live.set(cacheKey, { principal, hash, until: now() + options.cacheMs });
      }
      return principal;
    },
  };
}
