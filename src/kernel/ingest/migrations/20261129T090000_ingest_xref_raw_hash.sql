-- The hash of the source row a cross-reference entry was last prepared from, under the preparation
-- it was prepared with (unchanged-source.ts): a re-run skips mapping, normalizing and validating the
-- rows whose hash is still the entry's. Null for entries written before, or by something other than
-- a run's row (a full load's missing records, a review's link): those rows are prepared again.
ALTER TABLE ingest_xref ADD COLUMN raw_hash text;
