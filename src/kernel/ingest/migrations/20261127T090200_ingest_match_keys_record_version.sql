-- The record version a row of match keys was computed from. A run's first fuzzy search refreshes the
-- keys of records written since the last refresh (refresh-match-keys.ts); without the version it
-- could not tell a record a load wrote (and keyed itself) from one an app changed since, and read
-- every record the previous run wrote again: a re-run of a 100,000-row file with fuzzy matching took
-- 7.2-8.4 s against 5.3 s without fuzzy matching (965 against 584 round trips); with the version, 6.0
-- s. NULL: not known (keys written before this column), refreshed when the record next changes.
ALTER TABLE ingest_match_keys ADD COLUMN record_version bigint;
