/**
 * Retention of the sync change log: a daily job fans out one purge job per tenant, which removes the
 * tenant's change rows older than SYNC_RETENTION_DAYS and raises its horizon (a cursor from before it
 * answers 410 sync.must_refetch). Needs only the database and the tenant directory, so the server
 * and `tenantry worker` both register it.
 */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import { registerTenantSweep, scheduleTenantSweep, type JobQueue, type TenantLister } from '../jobs/index.ts';
import { purgeChanges } from './sync.repository.ts';

export const syncRetentionQueues = { fanOut: 'sync.retention', tenant: 'sync.retention-tenant' } as const;
const day = 86_400_000;

export interface SyncRetentionOptions {
  db: Kysely<any>;
  tenants: TenantLister;
  retentionDays: number;
  logger?: { info(details: object, message: string): void };
}

export function createSyncRetention(options: SyncRetentionOptions) {
  const { db, tenants, retentionDays, logger } = options;
  const cutoffOf = (now: Date) => new Date(now.getTime() - retentionDays * day);
  /** One tenant's change rows older than the retention, in its own transaction. */
  const purgeTenant = (tenantId: string, now: Date) => withTenant(db, { tenantId }, (tx) => purgeChanges(tx, tenantId, cutoffOf(now)));
  return {
    purgeTenant,
    register(jobs: JobQueue): void {
      registerTenantSweep(jobs, {
        queues: syncRetentionQueues,
        key: 'sync-retention',
        tenants,
        async perTenant(job, now) {
          const removed = await job.withTenant((tx) => purgeChanges(tx, job.tenantId, cutoffOf(now)));
          logger?.info({ tenantId: job.tenantId, removed }, 'sync change log purged');
        },
      });
    },
    /** Runs the fan-out daily (after jobs.start(); pg-boss keeps one schedule per queue). */
    schedule(jobs: JobQueue, cron = '41 3 * * *'): Promise<void> {
      return scheduleTenantSweep(jobs, syncRetentionQueues.fanOut, cron);
    },
  };
}

export type SyncRetention = ReturnType<typeof createSyncRetention>;
