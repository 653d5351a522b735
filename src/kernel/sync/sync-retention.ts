/**
 * Retention of the sync change log: a daily job fans out one purge job per tenant, which removes the
 * tenant's change rows older than SYNC_RETENTION_DAYS and raises its horizon (a cursor from before it
 * answers 410 sync.must_refetch). Needs only the database and the tenant directory, so the server
 * and `tenantry worker` both register it.
 */
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import { purgeChanges } from './sync.repository.ts';

export const syncRetentionQueues = { fanOut: 'sync.retention', tenant: 'sync.retention-tenant' } as const;
/** The fan-out job belongs to no tenant: it only reads the tenant directory. */
const noTenant = '00000000-0000-0000-0000-000000000000';
const day = 86_400_000;

export interface SyncRetentionOptions {
  db: Kysely<any>;
  tenants: { listTenants(options?: { limit?: number; afterSlug?: string }): Promise<{ id: string; slug: string }[]> };
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
      jobs.register<Record<string, never>>(syncRetentionQueues.fanOut, {
        retryLimit: 2,
        async handler() {
          const now = new Date().toISOString();
          for (let afterSlug = ''; ;) {
            const page = await tenants.listTenants({ limit: 500, afterSlug });
            for (const tenant of page) await jobs.enqueue({ tenantId: tenant.id }, syncRetentionQueues.tenant, { now }, { singletonKey: `sync-retention:${tenant.id}` });
            if (page.length < 500) return;
            afterSlug = page.at(-1)!.slug;
          }
        },
      });
      jobs.register<{ now?: string }>(syncRetentionQueues.tenant, {
        retryLimit: 3,
        async handler(job) {
          const now = job.payload.now ? new Date(job.payload.now) : new Date();
          const removed = await job.withTenant((tx) => purgeChanges(tx, job.tenantId, cutoffOf(now)));
          logger?.info({ tenantId: job.tenantId, removed }, 'sync change log purged');
        },
      });
    },
    /** Runs the fan-out daily (after jobs.start(); pg-boss keeps one schedule per queue). */
    schedule(jobs: JobQueue, cron = '41 3 * * *'): Promise<void> {
      return jobs.schedule(syncRetentionQueues.fanOut, cron, { tenantId: noTenant, payload: {} });
    },
  };
}

export type SyncRetention = ReturnType<typeof createSyncRetention>;
