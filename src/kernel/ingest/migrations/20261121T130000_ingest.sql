-- Canonical data ingestion (kernel/ingest): mapping specs, runs with their checkpoints and reports,
-- the cross-reference from source keys to records, the keys each run has seen (duplicates within a
-- file, records missing from a full load), rejected rows and the lineage of every changed record.

-- A mapping spec, versioned: a save adds a version; runs name the version they used.
CREATE TABLE ingest_specs (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  version integer NOT NULL CHECK (version > 0),
  entity text NOT NULL,
  system text NOT NULL,
  spec jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  CONSTRAINT ingest_specs_pkey PRIMARY KEY (tenant_id, name, version)
);

CREATE TABLE ingest_runs (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  spec_name text NOT NULL,
  spec_version integer NOT NULL,
  entity text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('full', 'delta')),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  file_name text,
  file_path text,
  file_bytes bigint,
  file_sha256 text,
  encoding text,
  -- Source rows whose outcome is committed: a resumed run skips them.
  checkpoint_row bigint NOT NULL DEFAULT 0,
  counts jsonb NOT NULL DEFAULT '{}',
  error_code text,
  error_detail text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  started_at timestamptz,
  finished_at timestamptz,
  CONSTRAINT ingest_runs_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT ingest_runs_spec_fkey FOREIGN KEY (tenant_id, spec_name, spec_version) REFERENCES ingest_specs (tenant_id, name, version)
);
CREATE INDEX ingest_runs_recent ON ingest_runs (tenant_id, created_at DESC);

-- (source system, entity, source key) -> record. content_hash: the mapped values of the last load
-- (unchanged rows are skipped); source_values: what the source last set, to tell local edits apart.
CREATE TABLE ingest_xref (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  system text NOT NULL,
  entity text NOT NULL,
  source_key text NOT NULL,
  record_id uuid NOT NULL,
  content_hash text NOT NULL,
  source_values jsonb NOT NULL,
  deleted_in_source boolean NOT NULL DEFAULT false,
  last_run_id uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ingest_xref_pkey PRIMARY KEY (tenant_id, system, entity, source_key)
);
CREATE INDEX ingest_xref_record ON ingest_xref (tenant_id, entity, record_id);

-- The source keys a run has taken (insert-only): a second row with the same key in one file is a
-- duplicate; after a full load, xref keys not here are missing from the source.
CREATE TABLE ingest_run_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  run_id uuid NOT NULL,
  source_key text NOT NULL,
  row_number bigint NOT NULL,
  CONSTRAINT ingest_run_keys_pkey PRIMARY KEY (tenant_id, run_id, source_key)
);

CREATE TABLE ingest_rejects (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  run_id uuid NOT NULL,
  row_number bigint NOT NULL,
  seq integer NOT NULL,
  line bigint,
  source_key text,
  field text,
  value text,
  code text NOT NULL,
  reason text NOT NULL,
  -- The source row (fields cut to 1,000 characters), to fix and submit again.
  source_row jsonb,
  CONSTRAINT ingest_rejects_pkey PRIMARY KEY (tenant_id, run_id, row_number, seq)
);

CREATE TABLE ingest_lineage (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  run_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  source_key text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('create', 'update', 'link', 'deactivate')),
  row_number bigint,
  CONSTRAINT ingest_lineage_pkey PRIMARY KEY (tenant_id, run_id, record_id, source_key)
);
CREATE INDEX ingest_lineage_record ON ingest_lineage (tenant_id, entity, record_id);


ALTER TABLE ingest_specs ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_specs FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_specs_tenant_select ON ingest_specs FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_specs_tenant_insert ON ingest_specs FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_specs_tenant_update ON ingest_specs FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_specs_tenant_delete ON ingest_specs FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, DELETE ON ingest_specs TO tenantry_app;

ALTER TABLE ingest_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_runs_tenant_select ON ingest_runs FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_runs_tenant_insert ON ingest_runs FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_runs_tenant_update ON ingest_runs FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_runs_tenant_delete ON ingest_runs FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_runs TO tenantry_app;

ALTER TABLE ingest_xref ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_xref FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_xref_tenant_select ON ingest_xref FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_xref_tenant_insert ON ingest_xref FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_xref_tenant_update ON ingest_xref FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_xref_tenant_delete ON ingest_xref FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_xref TO tenantry_app;

ALTER TABLE ingest_run_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_run_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_run_keys_tenant_select ON ingest_run_keys FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_run_keys_tenant_insert ON ingest_run_keys FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_run_keys_tenant_update ON ingest_run_keys FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_run_keys_tenant_delete ON ingest_run_keys FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, DELETE ON ingest_run_keys TO tenantry_app;

ALTER TABLE ingest_rejects ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_rejects FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_rejects_tenant_select ON ingest_rejects FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_rejects_tenant_insert ON ingest_rejects FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_rejects_tenant_update ON ingest_rejects FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_rejects_tenant_delete ON ingest_rejects FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_rejects TO tenantry_app;

ALTER TABLE ingest_lineage ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_lineage FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_lineage_tenant_select ON ingest_lineage FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_lineage_tenant_insert ON ingest_lineage FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_lineage_tenant_update ON ingest_lineage FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_lineage_tenant_delete ON ingest_lineage FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, DELETE ON ingest_lineage TO tenantry_app;

-- Cases for a person to decide: a source change to a field a user edited since the last load
-- (conflict), a likely duplicate between the thresholds (review).
CREATE TABLE ingest_cases (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('conflict', 'review')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
  run_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  source_key text,
  field text,
  source_value jsonb,
  local_value jsonb,
  candidate_id uuid,
  score real,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by uuid,
  CONSTRAINT ingest_cases_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ingest_cases_open ON ingest_cases (tenant_id, status, created_at);

ALTER TABLE ingest_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_cases_tenant_select ON ingest_cases FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_cases_tenant_insert ON ingest_cases FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_cases_tenant_update ON ingest_cases FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_cases_tenant_delete ON ingest_cases FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_cases TO tenantry_app;
