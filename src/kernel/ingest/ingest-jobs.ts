/**
 * Runs as jobs: an uploaded file's run is queued and a worker (in process or `tenantry worker`)
 * executes it. A worker that dies mid-run leaves the run at its checkpoint; pg-boss retries the job
 * and the run resumes there. A run that failed on its input stays failed (no retry). A retry that
 * starts while an attempt still runs (pg-boss fails an attempt active longer than the expiry) takes
 * the run over; the earlier attempt stops at its next commit (executeRun's claim).
 */
import type { JobQueue } from '../jobs/index.ts';
import type { IngestService } from './ingest.service.ts';

export const ingestQueues = { run: 'ingest.run' } as const;

export function createIngestJobs(service: IngestService, options: { concurrency: number }) {
  return {
    register(jobs: JobQueue): void {
      jobs.register<{ runId: string; userId: string | null }>(ingestQueues.run, {
        retryLimit: 3,
        // A run holds up to about 300 MB at its peak (docs/ingestion.md): runs at once per process stay few (INGEST_CONCURRENCY).
        concurrency: options.concurrency,
        async handler(job) {
          await service.executeRun({ tenantId: job.tenantId, userId: job.payload.userId }, job.payload.runId).catch((error: unknown) => {
            // A bad file fails the run with its reason; retrying would fail the same way.
            if ((error as { kind?: string }).kind === undefined || (error as { kind?: string }).kind === 'internal') throw error;
          });
        },
      });
    },
    enqueue: (jobs: JobQueue, tenantId: string, runId: string, userId: string | null) => jobs.enqueue({ tenantId }, ingestQueues.run, { runId, userId }, { singletonKey: `ingest:${runId}` }).then(() => undefined),
  };
}
