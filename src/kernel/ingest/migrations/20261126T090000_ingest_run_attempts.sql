-- Which execution of a run may write it. A run is a job, and pg-boss starts a job again when an attempt
-- outlives its expiry (a large file, a stalled worker) or when `tenantry ingest resume` is asked while
-- an attempt still runs: two executions of one run then read the same checkpoint and wrote the same
-- rows, each overwriting the other's counts (tested: a 60-row run executed twice at once ended with
-- created 0, duplicates 40). Each execution now claims the run (a fresh id, under the run row's lock,
-- with the checkpoint it starts from); every chunk's checkpoint, each deactivation step and the final
-- status are written only while the claim is still its own, so the later execution takes over and the
-- earlier one's next commit rolls back and it steps aside.
ALTER TABLE ingest_runs ADD COLUMN attempt_id uuid;
