export type { CreateTenantInput, CreateTenantOptions, Tenant, TenantDirectory, TenantStatus } from './tenancy.contract.ts';
export { tenantNotFound, tenantRequired, tenantSuspended } from './tenancy.errors.ts';
export { createTenantDirectory } from './tenancy.service.ts';
export type { TenancyOptions } from './tenancy.service.ts';
export { tenancyMigrations } from './paths.ts';
export type { FeatureFlag, FeatureFlagAdmin, FeatureFlagEvaluator, FeatureFlagInput, FeatureFlags, FlagRules } from './feature-flags.contract.ts';
export { createFeatureFlags } from './feature-flags.service.ts';
export { featureFlagRoutes } from './feature-flags.routes.ts';
