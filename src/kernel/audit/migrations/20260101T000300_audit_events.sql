-- The audit log: one row per audited change or security event, append-only and hash-chained per
-- tenant. The runtime role may only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE is granted, so
-- the database (not only the code) refuses to rewrite history. The tenant policies per command exist
-- for the catalog checks; the missing privileges are what refuse updates and deletes.
-- No foreign key to tenants: the platform chain (tenant 00000000-0000-0000-0000-000000000000) holds
-- events with no tenant, such as a failed login for an unknown e-mail.
CREATE TABLE audit_events (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_kind text NOT NULL,
  actor_id text,
  action text NOT NULL,
  entity text,
  record_id text,
  changes jsonb NOT NULL DEFAULT '{}'::jsonb,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id text,
  ip text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  -- (tenant_id, seq) unique: even outside the lock below, two appends can never fork the chain.
  CONSTRAINT audit_events_pkey PRIMARY KEY (tenant_id, seq),
  CONSTRAINT audit_events_seq_check CHECK (seq > 0),
  CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous')),
  CONSTRAINT audit_events_action_check CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND char_length(action) <= 100),
  CONSTRAINT audit_events_hash_check CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_events_changes_check CHECK (jsonb_typeof(changes) = 'object' AND jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_events_record_idx ON audit_events (tenant_id, entity, record_id, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (tenant_id, actor_id, seq);
CREATE INDEX audit_events_action_idx ON audit_events (tenant_id, action, seq);
CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_tenant_select ON audit_events FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_events_tenant_insert ON audit_events FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_events_tenant_update ON audit_events FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_events_tenant_delete ON audit_events FOR DELETE USING (tenant_id = tenantry_current_tenant());
REVOKE ALL ON audit_events FROM PUBLIC;
GRANT SELECT, INSERT ON audit_events TO tenantry_app;

-- The head of the current tenant's chain, under a transaction-scoped advisory lock per tenant, so
-- that concurrent appends of one tenant queue instead of forking the chain. VOLATILE: the SELECT
-- takes a fresh snapshot after the lock is granted, so it sees the append of the previous holder.
-- The two-int key space (audit namespace, tenant hash) is apart from idempotency's bigint keys.
CREATE FUNCTION tenantry_audit_chain_head() RETURNS TABLE (head_tenant uuid, head_seq bigint, head_hash text)
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  current_tenant uuid := tenantry_current_tenant();
BEGIN
  IF current_tenant IS NULL THEN
    RAISE EXCEPTION 'audit: no tenant context' USING ERRCODE = '42501';
  END IF;
  PERFORM pg_advisory_xact_lock(1635083380, hashtext(current_tenant::text));
  RETURN QUERY SELECT current_tenant, a.seq, a.hash FROM audit_events a WHERE a.tenant_id = current_tenant ORDER BY a.seq DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY SELECT current_tenant, 0::bigint, repeat('0', 64);
  END IF;
END
$$;
GRANT EXECUTE ON FUNCTION tenantry_audit_chain_head() TO tenantry_app;

-- Deleting a tenant removes its audit rows too (see docs/architecture.md, "Audit"): the runtime role
-- cannot delete them, so this owner-privileged trigger does, for that tenant only and only when its
-- tenants row goes. It sets the tenant context for its own statement, as FORCE RLS applies to the
-- owner too, and restores the previous setting.
CREATE FUNCTION tenantry_audit_purge_deleted_tenant() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  previous text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.tenant_id', OLD.id::text, true);
  DELETE FROM public.audit_events WHERE tenant_id = OLD.id;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
  RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION tenantry_audit_purge_deleted_tenant() FROM PUBLIC;
CREATE TRIGGER tenants_audit_purge AFTER DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION tenantry_audit_purge_deleted_tenant();
