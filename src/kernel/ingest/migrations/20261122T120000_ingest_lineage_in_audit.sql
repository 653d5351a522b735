-- Lineage moves into the audit log: each write of a run carries its run, source system, source key
-- and row in its audit event's details (`details.ingest`), so a record's history shows where each
-- change came from, hash-chained with every other change, and a load writes one table less per row.
-- Rows written before this migration are dropped with the table (their audit events remain).
DROP TABLE ingest_lineage;
