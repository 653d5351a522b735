export type { CreateTenantInput, CreateTenantOptions, Tenant, TenantDirectory, TenantStatus } from './tenancy.contract.ts';
export { tenantNotFound, tenantRequired, tenantSuspended } from './tenancy.errors.ts';
export { createTenantDirectory } from './tenancy.service.ts';
export type { TenancyOptions } from './tenancy.service.ts';
export { tenancyMigrations } from './paths.ts';
