export { openDatabase, withUrlParts } from './database.ts';
export type { Database, DatabaseOptions } from './database.ts';
export { startEmbeddedServer } from './embedded-server.ts';
export type { EmbeddedServer, EmbeddedServerOptions } from './embedded-server.ts';
export { collectMigrations, migrateToLatest, migrationTable, pendingMigrations } from './migrations.ts';
export { assertRuntimeRoleIsSafe, ensureRuntimeRole, runtimeRoleName } from './roles.ts';
export { withTenant } from './tenant-context.ts';
export type { TenantContext, TenantTx, TransactionOptions } from './tenant-context.ts';
export { kernelDbMigrations } from './paths.ts';
