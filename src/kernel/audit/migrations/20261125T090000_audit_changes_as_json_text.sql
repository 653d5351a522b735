-- An event's changes and details are kept as the JSON text that was hashed (json), no longer as a
-- binary jsonb copy. Nothing queries inside them in SQL; the log is written far more often than it is
-- read, and building jsonb (parse, key-sort, binary layout) was the largest part of a bulk append:
-- measured on 20,000 ingestion events, the insert took 20-25 us an event with json columns against
-- 28-33 us with jsonb (a 200,000-row load's appends: 5.9-6.2 s against 6.9 s, its WAL 319 against
-- 363 MB). The text is also a little smaller (787 against 909 bytes an event).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_changes_check;
ALTER TABLE audit_events
  ALTER COLUMN changes DROP DEFAULT,
  ALTER COLUMN details DROP DEFAULT;
ALTER TABLE audit_events
  ALTER COLUMN changes TYPE json USING changes::json,
  ALTER COLUMN details TYPE json USING details::json;
ALTER TABLE audit_events
  ALTER COLUMN changes SET DEFAULT '{}'::json,
  ALTER COLUMN details SET DEFAULT '{}'::json,
  ADD CONSTRAINT audit_events_changes_check CHECK (json_typeof(changes) = 'object' AND json_typeof(details) = 'object');
