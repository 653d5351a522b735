/**
 * A periodic sweep over every tenant (retention and purges): a fan-out job that belongs to no tenant
 * reads the tenant directory page by page and enqueues one job per tenant (suspended ones included;
 * a singleton key per tenant, so a tenant whose previous sweep still waits is not queued twice); each
 * runs the module's work under its tenant with the fan-out's time, so all tenants share one cutoff.
 */
import type { JobQueue, JobRun } from './jobs.contract.ts';

/** The tenant id of jobs that belong to no tenant (the fan-out only reads the tenant directory). */
export const noTenantId = '00000000-0000-0000-0000-000000000000';
const tenantPage = 500;

export interface TenantLister<T extends { id: string; slug: string } = { id: string; slug: string }> {
  listTenants(options?: { limit?: number; afterSlug?: string }): Promise<readonly T[]>;
}

export interface TenantSweep {
  /** The fan-out queue (scheduled) and the per-tenant queue. */
  readonly queues: { readonly fanOut: string; readonly tenant: string };
  /** Prefix of the per-tenant singleton key. */
  readonly key: string;
  readonly tenants: TenantLister;
  /** One tenant's work; `now` is the fan-out's time. */
  readonly perTenant: (job: JobRun<{ now?: string }>, now: Date) => Promise<void>;
}

/** Every tenant, page by page. */
export async function forEachTenant<T extends { id: string; slug: string }>(tenants: TenantLister<T>, visit: (tenantId: string, tenant: T) => Promise<void>): Promise<void> {
  for (let afterSlug = ''; ;) {
    const page = await tenants.listTenants({ limit: tenantPage, afterSlug });
    for (const tenant of page) await visit(tenant.id, tenant);
    if (page.length < tenantPage) return;
    afterSlug = page.at(-1)!.slug;
  }
}

/** Declares the sweep's two queues (before jobs.start()). */
export function registerTenantSweep(jobs: JobQueue, sweep: TenantSweep): void {
  jobs.register<Record<string, never>>(sweep.queues.fanOut, {
    retryLimit: 2,
    async handler() {
      const now = new Date().toISOString();
      await forEachTenant(sweep.tenants, async (tenantId) => {
        await jobs.enqueue({ tenantId }, sweep.queues.tenant, { now }, { singletonKey: `${sweep.key}:${tenantId}` });
      });
    },
  });
  jobs.register<{ now?: string }>(sweep.queues.tenant, {
    retryLimit: 3,
    handler: (job) => sweep.perTenant(job, job.payload.now ? new Date(job.payload.now) : new Date()),
  });
}

/** Runs the fan-out on a cron schedule (after jobs.start(); pg-boss keeps one schedule per queue, so every node may call it). */
export function scheduleTenantSweep(jobs: JobQueue, fanOutQueue: string, cron: string): Promise<void> {
  return jobs.schedule(fanOutQueue, cron, { tenantId: noTenantId, payload: {} });
}
