import { fileURLToPath } from 'node:url';

export type { IngestCounts, IngestRun, ListedSpec, MappingSpec, RunMode, RunProgress, StoredSpec } from './ingest.contract.ts';
export { createIngestService } from './ingest.service.ts';
export type { IngestCustomFields, IngestService, IngestServiceOptions } from './ingest.service.ts';
export { ingestRoutes } from './ingest.routes.ts';
export type { IngestRoutesOptions } from './ingest.routes.ts';
export { ingestErrors } from './ingest.errors.ts';
export { createIngestJobs, ingestQueues } from './ingest-jobs.ts';
export { createIngestFileRetention, ingestFileRetentionQueues, removeTenantFiles, tenantFilesDir } from './file-retention.ts';
export type { IngestFileRetention } from './file-retention.ts';
export { rejectsCsv } from './rejects-csv.ts';
export { rejectedRowsFile } from './rejected-rows-file.ts';
export type { Corrections, Resubmission } from './quarantine.service.ts';
export type { IngestSettings } from './ingest-settings.ts';
export type { LineageOperation, RunChange } from './lineage.ts';

export const ingestMigrations = fileURLToPath(new URL('./migrations', import.meta.url));
