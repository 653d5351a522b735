-- A large first load leaves PostgreSQL's statistics stale: they were taken when the tenant (or the
-- source system, or the entity) had no rows, so the planner takes the load's rows for a handful and
-- looks keys up through whichever index starts with those columns, reading every row the load wrote
-- so far (measured: the cross-reference lookup of 2,000 keys went through ingest_xref_record with
-- source_key as a filter, 263 ms a chunk at 300,000 rows and growing, where its primary key takes
-- 1 ms; the outlets code lookup through outlets_territory_id_idx). Autovacuum analyzes only after a
-- tenth of the whole table changed, and not at all inside the load's transactions. The runtime role
-- does not own the tables and so cannot ANALYZE them: this owner-privileged function refreshes the
-- statistics of one tenant table (forced row-level security), inside the caller's transaction (rows
-- it wrote but has not committed count), for a caller with a tenant context. ANALYZE reads a sample
-- of rows into pg_statistic and returns nothing to the caller (measured: 590 ms on 880,000 outlets).
CREATE FUNCTION tenantry_refresh_statistics(target regclass) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
BEGIN
  IF tenantry_current_tenant() IS NULL THEN
    RAISE EXCEPTION 'refresh statistics: no tenant context' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = target AND n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity
  ) THEN
    RAISE EXCEPTION 'refresh statistics: % is not a tenant table', target USING ERRCODE = '42501';
  END IF;
  EXECUTE format('ANALYZE %s', target);
END
$$;
REVOKE ALL ON FUNCTION tenantry_refresh_statistics(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenantry_refresh_statistics(regclass) TO tenantry_app;
