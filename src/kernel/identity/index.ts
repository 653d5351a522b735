export type { Authenticated, BearerAuthenticator, ClientInfo, IdentityService, LoginInput, Membership, SessionInfo, SignUpInput, TokenPair, User } from './identity.contract.ts';
export { createIdentity } from './identity.module.ts';
export type { Identity, IdentitySettings } from './identity.module.ts';
export { identityMigrations } from './paths.ts';
export { checkNewPassword, normalizePassword } from './password-policy.ts';
export { argon2Options } from './password-hashing.ts';
export { createTenantAdmin } from './tenant-admin.module.ts';
export type { TenantAdmin, TenantAdminOptions } from './tenant-admin.module.ts';
export type { ApiKey, ApiKeyAdmin, CreatedApiKey, RoleCatalog } from './api-keys.contract.ts';
