-- Runs that are not an uploaded file: batches of records pushed over HTTP and re-submissions of a
-- run's rejected rows. Both are NDJSON files written by the platform, whatever the spec's source says.

-- 'ndjson': the run's file is UTF-8 NDJSON written by the platform (a pushed batch, a re-submission);
-- null: the file is read with the spec's source options.
ALTER TABLE ingest_runs ADD COLUMN source_format text CHECK (source_format IN ('ndjson'));
-- The batch's Idempotency-Key (or batchId): a retried push of the same batch gets the same run.
ALTER TABLE ingest_runs ADD COLUMN batch_key text CHECK (batch_key ~ '^[\x21-\x7e]{1,255}$');
-- The run whose rejected rows this run re-submits (no foreign key: a run may outlive its parent).
ALTER TABLE ingest_runs ADD COLUMN resubmits_run_id uuid;

CREATE UNIQUE INDEX ingest_runs_batch_key ON ingest_runs (tenant_id, batch_key) WHERE batch_key IS NOT NULL;
CREATE INDEX ingest_runs_resubmits ON ingest_runs (tenant_id, resubmits_run_id) WHERE resubmits_run_id IS NOT NULL;
