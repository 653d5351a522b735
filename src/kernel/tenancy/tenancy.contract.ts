/**
 * Tenancy owns the tenants (customer organisations) and their lifecycle, and resolves which tenant
 * a request acts for. Glossary: slug = the tenant's URL-safe handle (`acme`); status = active or
 * suspended (a suspended tenant's requests are refused); settings = free-form tenant settings.
 */
import type { Kysely } from 'kysely';

export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  plan: string;
  locale: string;
  timezone: string;
  settings: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CreateTenantInput {
  slug: string;
  name: string;
  plan?: string;
  locale?: string;
  timezone?: string;
  settings?: Record<string, unknown>;
}

/** Create a tenant inside a caller's transaction (sign-up: tenant, user and owner commit together). */
export interface CreateTenantOptions {
  id?: string;
  tx?: Kysely<any>;
}

export interface TenantDirectory {
  createTenant(input: CreateTenantInput, options?: CreateTenantOptions): Promise<Tenant>;
  /** By id or slug; throws tenancy.tenant_not_found. */
  getTenant(idOrSlug: string): Promise<Tenant>;
  listTenants(options?: { limit?: number; afterSlug?: string }): Promise<Tenant[]>;
  suspendTenant(idOrSlug: string): Promise<Tenant>;
  /**
   * Sets one top-level key of the tenant's settings, or removes it (null), in the given transaction
   * when there is one (a module's settings change and its audit event commit together). Each module
   * validates its own key (`ingest`: kernel/ingest's settings). Returns the tenant and the key's
   * previous value (null: unset), read under the tenant row's lock: the `before` of the change's audit.
   */
  setSetting(tenantId: string, key: string, value: unknown, tx?: Kysely<any>): Promise<{ tenant: Tenant; previous: unknown }>;
  reactivateTenant(idOrSlug: string): Promise<Tenant>;
  /** Removes the tenant and every row of every tenant table. Returns rows removed per table. */
  deleteTenant(idOrSlug: string): Promise<Record<string, number>>;
  /** The active tenant a request names (cached briefly); throws not_found or suspended. */
  resolveActiveTenant(idOrSlug: string): Promise<Pick<Tenant, 'id' | 'slug' | 'status'>>;
  /** The same from the cache only, without I/O: undefined when not cached (or expired). */
  peekActiveTenant(idOrSlug: string): Pick<Tenant, 'id' | 'slug' | 'status'> | undefined;
}
