-- Fuzzy duplicate matching (kernel/ingest/match): match keys per record with a trigram index, the
-- profiles they were computed for, the merges (links) made by loads and reviews, kept so that they can
-- be reversed, and what a review case needs (its source system, how it was resolved).

-- pg_trgm is a trusted extension (PostgreSQL 13+): the migration owner creates it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A fuzzy configuration of an entity (fields, block fields and their normalization), by its hash:
-- keys of different configurations never mix. refreshed_to: records changed before it have keys.
CREATE TABLE ingest_match_profiles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  entity text NOT NULL,
  profile text NOT NULL,
  definition jsonb NOT NULL,
  refreshed_to timestamptz,
  CONSTRAINT ingest_match_profiles_pkey PRIMARY KEY (tenant_id, entity, profile)
);

-- Match keys of a record: block_key (the block fields' values, folded; null when blank), name_key (the
-- first fuzzy field's key, trigram-indexed) and the other fuzzy fields' keys in spec order ('' = blank).
-- Searches without a block take the nearest names from the GiST trigram index (`<->` ... LIMIT). No
-- btree leads with tenant_id: while the statistics still call a new tenant's keys rare (a backfill of
-- a large tenant is a small share of a large table), the planner would scan the tenant's keys for each
-- row through such an index instead (measured: a statement timeout at 50,000 records). A GIN index
-- answers `%` but cannot order: 40 ms a row against 200,000 keys, the GiST index with 256-byte
-- signatures 2 ms (12 bytes, the default: 8 ms).
CREATE TABLE ingest_match_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  entity text NOT NULL,
  profile text NOT NULL,
  record_id uuid NOT NULL,
  block_key text,
  name_key text NOT NULL,
  other_keys text[] NOT NULL DEFAULT '{}',
  CONSTRAINT ingest_match_keys_pkey PRIMARY KEY (record_id, tenant_id, entity, profile)
);
CREATE INDEX ingest_match_keys_block ON ingest_match_keys (block_key, tenant_id, entity, profile);
CREATE INDEX ingest_match_keys_name_trgm ON ingest_match_keys USING gist (name_key gist_trgm_ops(siglen=256));

-- A source key linked to an existing record (exact key, fuzzy score, or a person's review), with what
-- the merge wrote and what those fields held before, and the row's own values: unlinking gives the
-- source key its own record again and restores the survivor.
CREATE TABLE ingest_merges (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  run_id uuid NOT NULL,
  entity text NOT NULL,
  system text NOT NULL,
  source_key text NOT NULL,
  record_id uuid NOT NULL,
  match text NOT NULL CHECK (match IN ('exact', 'fuzzy', 'review')),
  score real,
  source_record jsonb NOT NULL,
  content_hash text NOT NULL,
  written jsonb NOT NULL,
  previous jsonb NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reverted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  reverted_at timestamptz,
  reverted_by uuid,
  split_record_id uuid,
  CONSTRAINT ingest_merges_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ingest_merges_record ON ingest_merges (tenant_id, entity, record_id);
CREATE INDEX ingest_merges_source_key ON ingest_merges (tenant_id, entity, system, source_key);

-- Review cases name their source system (a source key is unique per system); one open review per key,
-- refreshed by each load that meets the key again. resolution: how a person (or a later load) closed it.
ALTER TABLE ingest_cases ADD COLUMN system text;
ALTER TABLE ingest_cases ADD COLUMN resolution text CHECK (resolution IN ('merge', 'distinct', 'keepLocal', 'takeSource', 'superseded'));
CREATE UNIQUE INDEX ingest_cases_open_review ON ingest_cases (tenant_id, entity, system, source_key) WHERE kind = 'review' AND status = 'open';

ALTER TABLE ingest_match_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_match_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_match_profiles_tenant_select ON ingest_match_profiles FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_profiles_tenant_insert ON ingest_match_profiles FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_profiles_tenant_update ON ingest_match_profiles FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_profiles_tenant_delete ON ingest_match_profiles FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_match_profiles TO tenantry_app;

ALTER TABLE ingest_match_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_match_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_match_keys_tenant_select ON ingest_match_keys FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_keys_tenant_insert ON ingest_match_keys FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_keys_tenant_update ON ingest_match_keys FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_match_keys_tenant_delete ON ingest_match_keys FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_match_keys TO tenantry_app;

ALTER TABLE ingest_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY ingest_merges_tenant_select ON ingest_merges FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_merges_tenant_insert ON ingest_merges FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_merges_tenant_update ON ingest_merges FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY ingest_merges_tenant_delete ON ingest_merges FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON ingest_merges TO tenantry_app;
