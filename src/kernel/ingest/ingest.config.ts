/** The ingestion module's config slice. */
import Type from 'typebox';

export const ingestSlice = {
  INGEST_MAX_UPLOAD_BYTES: Type.Integer({ default: 2 * 1024 ** 3, minimum: 1024, description: 'Largest file accepted by POST /v1/ingest/runs, in bytes (default 2 GiB)' }),
  INGEST_CHUNK_ROWS: Type.Integer({ default: 2000, minimum: 10, maximum: 50_000, description: 'Source rows reconciled per transaction (and per checkpoint) in an ingestion run' }),
  INGEST_CHUNK_BYTES: Type.Integer({ default: 8 * 1024 ** 2, minimum: 1024, maximum: 1024 ** 3, description: 'Source bytes after which a chunk is cut whatever its rows (wide rows stay within memory; default 8 MiB)' }),
  INGEST_FILE_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'Days an uploaded, pushed or re-submitted file is kept after its run ended (then removed; the run can no longer be resumed)' }),
  INGEST_CONCURRENCY: Type.Integer({ default: 1, minimum: 1, maximum: 16, description: 'Ingestion runs a process (the server, each tenantry worker) executes at once, at most JOBS_CONCURRENCY; each holds up to about 300 MB at its peak, so each more raises the process memory by as much. Other runs wait in the queue' }),
  INGEST_MAX_BATCH_BYTES: Type.Integer({ default: 32 * 1024 ** 2, minimum: 1024, maximum: 1024 ** 3, description: 'Largest batch accepted by POST /v1/ingest/batches, in bytes (default 32 MiB; a JSON batch is parsed in memory)' }),
};
