export type { EnqueueOptions, JobHandler, JobInfo, JobQueue, JobRun, JobState, JobTarget, QueueDefinition, QueuePolicy } from './jobs.contract.ts';
export { deadLetterQueueOf } from './jobs.contract.ts';
export { jobsSlice } from './jobs.config.ts';
export type { JobsSettings } from './jobs.config.ts';
export { createJobQueue } from './jobs.service.ts';
export type { JobQueueOptions } from './jobs.service.ts';
export { jobsMigrations } from './paths.ts';
export { forEachTenant, noTenantId, registerTenantSweep, scheduleTenantSweep } from './tenant-sweep.ts';
export type { TenantLister, TenantSweep } from './tenant-sweep.ts';
