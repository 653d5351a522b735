import { fileURLToPath } from 'node:url';

export { createSyncService } from './sync.service.ts';
export type { SyncOptions } from './sync.service.ts';
export type { EntityChanges, PullRequest, PullResult, SyncService } from './sync.contract.ts';
export { syncRoutes } from './sync.routes.ts';
export { syncErrors } from './sync.errors.ts';
export { createSyncRetention, syncRetentionQueues } from './sync-retention.ts';
export type { SyncRetention } from './sync-retention.ts';

export const syncMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
