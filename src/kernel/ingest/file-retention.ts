/**
 * Retention of the files ingestion keeps (uploads, pushed batches, re-submissions, all under
 * `<DATA_DIR>/ingest/<tenant id>/`): a daily sweep per tenant removes each file older than
 * INGEST_FILE_RETENTION_DAYS unless a run of it is queued or running, or ended within the retention;
 * the runs of a removed file keep its name, size and SHA-256 but lose its path (they can no longer be
 * resumed; rejects and the writes' lineage stay). Files no run names (an upload whose run was never created) go the
 * same way. Files outside the directory (`tenantry ingest <file>` reads the operator's file in place)
 * are never touched. Deleting a tenant removes its directory (`removeTenantFiles`).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { withTenant } from '../db/index.ts';
import { registerTenantSweep, scheduleTenantSweep, type JobQueue, type TenantLister } from '../jobs/index.ts';
import { forgetRunFiles, runsOfFiles } from './ingest.repository.ts';

export const ingestFileRetentionQueues = { fanOut: 'ingest.file-retention', tenant: 'ingest.file-retention-tenant' } as const;
const day = 86_400_000;

/** Where a tenant's ingestion files live. */
export const tenantFilesDir = (filesDir: string, tenantId: string): string => join(filesDir, tenantId);

/** The tenant's folder, created when missing: where uploads and pushed batches are written. */
export async function ensureTenantFilesDir(filesDir: string, tenantId: string): Promise<string> {
  const dir = tenantFilesDir(filesDir, tenantId);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A deleted tenant's files (its rows are gone with it). */
export async function removeTenantFiles(filesDir: string, tenantId: string): Promise<void> {
  await rm(tenantFilesDir(filesDir, tenantId), { recursive: true, force: true });
}

export interface IngestFileRetentionOptions {
  /** A pool of the runtime role. */
  db: Kysely<any>;
  tenants: TenantLister;
  filesDir: string;
  retentionDays: number;
  logger?: { info(details: object, message: string): void };
}

export function createIngestFileRetention(options: IngestFileRetentionOptions) {
  const { db, tenants, filesDir, retentionDays, logger } = options;

  /** Removes the tenant's files past the retention; returns how many. */
  const purgeTenant = async (tenantId: string, now: Date): Promise<{ removed: number; kept: number }> => {
    const cutoff = now.getTime() - retentionDays * day;
    const dir = tenantFilesDir(filesDir, tenantId);
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    const old: string[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && info.mtimeMs < cutoff) old.push(path);
    }
    if (old.length === 0) return { removed: 0, kept: 0 };
    const removable = await withTenant(db, { tenantId }, async (tx) => {
      const inUse = new Set((await runsOfFiles(tx, tenantId, old)).filter((run) => run.status === 'queued' || run.status === 'running' || (run.finishedAt !== null && run.finishedAt.getTime() >= cutoff)).map((run) => run.path));
      const removable = old.filter((path) => !inUse.has(path));
      await forgetRunFiles(tx, tenantId, removable);
      return removable;
    });
    // After the commit: a crash in between leaves a file no run names, removed by the next sweep.
    for (const path of removable) await rm(path, { force: true });
    return { removed: removable.length, kept: old.length - removable.length };
  };

  return {
    purgeTenant,
    register(jobs: JobQueue): void {
      registerTenantSweep(jobs, {
        queues: ingestFileRetentionQueues,
        key: 'ingest-file-retention',
        tenants,
        async perTenant(job, now) {
          const counts = await purgeTenant(job.tenantId, now);
          if (counts.removed > 0) logger?.info({ tenantId: job.tenantId, ...counts }, 'ingestion files removed');
        },
      });
    },
    /** Runs the fan-out daily (after jobs.start()). */
    schedule(jobs: JobQueue, cron = '53 3 * * *'): Promise<void> {
      return scheduleTenantSweep(jobs, ingestFileRetentionQueues.fanOut, cron);
    },
  };
}

export type IngestFileRetention = ReturnType<typeof createIngestFileRetention>;
