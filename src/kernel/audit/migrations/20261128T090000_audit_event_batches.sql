-- Batches: a bulk write (ingestion, seeds) appends its record changes as one link of the chain, an
-- `audit.batch` event, and one row per change here, instead of one full audit_events row each. The
-- items take the seqs right after their batch's (batch S with n items: S+1..S+n; the next link is
-- S+n+1), so every entry of the log keeps a seq of its own. The batch's details hold the item count
-- and the SHA-256 of its items (kernel/audit/audit-batch.ts), so its hash covers them: editing,
-- dropping or adding an item breaks the chain's verification as editing an event does.
-- Why: an audit_events row of an ingested record cost PostgreSQL 38-50 us to insert (fourteen
-- columns parsed from text, five indexes, four CHECKs); an item costs 11-14 us (measured on 195,264
-- events of a 200,000-row load, re-inserted into each form, three rounds each). The actor, time,
-- request and IP of a batch's items are the batch's: they are stored once.
CREATE TABLE audit_event_items (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL,
  -- The seq of the audit.batch event whose hash covers the item.
  batch_seq bigint NOT NULL,
  entity text NOT NULL,
  record_id text NOT NULL,
  action text NOT NULL,
  -- The canonical JSON {"changes":{...},"details":{...}} as hashed (text: PostgreSQL neither
  -- validates nor converts it on insert; the readers parse it).
  body text NOT NULL,
  CONSTRAINT audit_event_items_pkey PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_event_items_record_idx ON audit_event_items (tenant_id, entity, record_id, seq);

ALTER TABLE audit_event_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_event_items FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_event_items_tenant_select ON audit_event_items FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_event_items_tenant_insert ON audit_event_items FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_event_items_tenant_update ON audit_event_items FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY audit_event_items_tenant_delete ON audit_event_items FOR DELETE USING (tenant_id = tenantry_current_tenant());
REVOKE ALL ON audit_event_items FROM PUBLIC;
GRANT SELECT, INSERT ON audit_event_items TO tenantry_app;

-- Every entry of the log, as the read API shows it: the chain's own events, and the items of the
-- batches with their batch's time, actor, request and IP (and its hash, which covers them). For
-- reading entries by seq or record, and for operators; a newest-first page reads the two tables on
-- their own indexes (audit.repository.ts: a union member that joins is not walked in index order).
-- security_invoker: read with the caller's rights, so the tables' row-level security applies.
CREATE VIEW audit_entries WITH (security_invoker = true) AS
  SELECT e.tenant_id, e.seq, e.occurred_at, e.actor_kind, e.actor_id, e.action, e.entity, e.record_id, e.changes, e.details,
    e.request_id, e.ip, e.prev_hash, e.hash, NULL::bigint AS batch_seq
  FROM audit_events e
  UNION ALL
  SELECT i.tenant_id, i.seq, b.occurred_at, b.actor_kind, b.actor_id, i.action, i.entity, i.record_id, (i.body::json) -> 'changes', (i.body::json) -> 'details',
    b.request_id, b.ip, b.prev_hash, b.hash, i.batch_seq
  FROM audit_event_items i JOIN audit_events b ON b.tenant_id = i.tenant_id AND b.seq = i.batch_seq;
REVOKE ALL ON audit_entries FROM PUBLIC;
GRANT SELECT ON audit_entries TO tenantry_app;

-- The head of the chain is its last link; after a batch, the next seq follows the batch's items.
CREATE OR REPLACE FUNCTION tenantry_audit_chain_head() RETURNS TABLE (head_tenant uuid, head_seq bigint, head_hash text)
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  current_tenant uuid := tenantry_current_tenant();
BEGIN
  IF current_tenant IS NULL THEN
    RAISE EXCEPTION 'audit: no tenant context' USING ERRCODE = '42501';
  END IF;
  PERFORM pg_advisory_xact_lock(1635083380, hashtext(current_tenant::text));
  RETURN QUERY SELECT current_tenant, a.seq + CASE WHEN a.action = 'audit.batch' THEN (a.details ->> 'items')::bigint ELSE 0 END, a.hash
    FROM audit_events a WHERE a.tenant_id = current_tenant ORDER BY a.seq DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY SELECT current_tenant, 0::bigint, repeat('0', 64);
  END IF;
END
$$;

-- Deleting a tenant removes its batch items with its events.
CREATE OR REPLACE FUNCTION tenantry_audit_purge_deleted_tenant() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  previous text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.tenant_id', OLD.id::text, true);
  DELETE FROM public.audit_event_items WHERE tenant_id = OLD.id;
  DELETE FROM public.audit_events WHERE tenant_id = OLD.id;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
  RETURN OLD;
END
$$;
