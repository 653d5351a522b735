/** Tenant lifecycle rules and request resolution, over the runtime pool. */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import { isUuid, newId } from '../shared/index.ts';
import type { CreateTenantInput, Tenant, TenantDirectory } from './tenancy.contract.ts';
import { invalidTenant, slugTaken, tenantNotFound, tenantSuspended } from './tenancy.errors.ts';
import { deleteTenantRow, deleteTenantRows, findTenant, insertTenant, selectTenants, updateTenantSetting, updateTenantStatus } from './tenancy.repository.ts';

const slugPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const timeZones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

export interface TenancyOptions {
  /** How long a resolved tenant's status is trusted before it is read again. */
  cacheTtlMs?: number;
  now?: () => number;
}

export function createTenantDirectory(db: Kysely<any>, options: TenancyOptions = {}): TenantDirectory {
  const ttl = options.cacheTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Pick<Tenant, 'id' | 'slug' | 'status'>; expires: number }>();
  const cacheKey = (idOrSlug: string) => (isUuid(idOrSlug) ? idOrSlug.toLowerCase() : idOrSlug);
  const fromCache = (key: string) => {
    const hit = cache.get(key);
    return hit && hit.expires > now() ? hit.value : undefined;
  };
  const forget = (tenant: Tenant) => {
    cache.delete(tenant.id);
    cache.delete(tenant.slug);
  };

  const getTenant = async (idOrSlug: string): Promise<Tenant> => {
    const tenant = await findTenant(db, isUuid(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug });
    if (!tenant) throw tenantNotFound();
    return tenant;
  };

  const setStatus = async (idOrSlug: string, status: Tenant['status']): Promise<Tenant> => {
    const tenant = await getTenant(idOrSlug);
    const updated = await updateTenantStatus(db, tenant.id, status);
    if (!updated) throw tenantNotFound();
    forget(updated);
    return updated;
  };

  return {
    async setSetting(tenantId, key, value, tx) {
      const updated = await updateTenantSetting(tx ?? db, tenantId, key, value);
      if (!updated) throw tenantNotFound();
      return updated;
    },
    async createTenant(input, options = {}) {
      const normalized = normalizeInput(input);
      try {
        return await insertTenant(options.tx ?? db, options.id ?? newId(), normalized);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw slugTaken();
        throw error;
      }
    },
    getTenant,
    listTenants: ({ limit = 100, afterSlug = '' } = {}) => selectTenants(db, Math.min(Math.max(limit, 1), 1000), afterSlug),
    suspendTenant: (idOrSlug) => setStatus(idOrSlug, 'suspended'),
    reactivateTenant: (idOrSlug) => setStatus(idOrSlug, 'active'),
    async deleteTenant(idOrSlug) {
      const tenant = await getTenant(idOrSlug);
      forget(tenant);
      const removed = await withTenant(db, { tenantId: tenant.id }, (tx) => deleteTenantRows(tx, tenant.id));
      await deleteTenantRow(db, tenant.id);
      return removed;
    },
    async resolveActiveTenant(idOrSlug) {
      const key = cacheKey(idOrSlug);
      let value = fromCache(key);
      if (!value) {
        if (!isUuid(key) && !slugPattern.test(key)) throw tenantNotFound();
        const tenant = await getTenant(key);
        value = { id: tenant.id, slug: tenant.slug, status: tenant.status };
        cache.set(key, { value, expires: now() + ttl });
      }
      if (value.status !== 'active') throw tenantSuspended();
      return value;
    },
    peekActiveTenant(idOrSlug) {
      const value = fromCache(cacheKey(idOrSlug));
      if (value && value.status !== 'active') throw tenantSuspended();
      return value;
    },
  };
}

function normalizeInput(input: CreateTenantInput): Required<CreateTenantInput> {
  const errors: { pointer: string; detail: string }[] = [];
  const slug = String(input.slug ?? '').trim().toLowerCase();
  const name = String(input.name ?? '').normalize('NFC').trim();
  if (!slugPattern.test(slug)) errors.push({ pointer: '/slug', detail: 'lowercase letters, digits and inner hyphens, 1 to 63 characters' });
  if (name.length < 1 || name.length > 200) errors.push({ pointer: '/name', detail: '1 to 200 characters' });
  const locale = input.locale ?? 'en';
  try {
    Intl.getCanonicalLocales(locale);
  } catch {
    errors.push({ pointer: '/locale', detail: 'a BCP 47 language tag such as en or fr-FR' });
  }
  const timezone = input.timezone ?? 'UTC';
  if (!timeZones.has(timezone)) errors.push({ pointer: '/timezone', detail: 'an IANA time zone such as Europe/Paris' });
  const plan = input.plan ?? 'free';
  if (!/^[a-z0-9_-]{1,40}$/.test(plan)) errors.push({ pointer: '/plan', detail: '1 to 40 lowercase letters, digits, _ or -' });
  const settings = input.settings ?? {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) errors.push({ pointer: '/settings', detail: 'an object' });
  if (errors.length > 0) throw invalidTenant(errors);
  return { slug, name, plan, locale, timezone, settings };
}
