-- Feature flags of a tenant (kernel/tenancy): a kill switch (enabled) and targeting rules, evaluated
-- on the server. Keyed by the flag's key within the tenant; history lives in the audit log.
CREATE TABLE feature_flags (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  key text NOT NULL,
  description text,
  enabled boolean NOT NULL DEFAULT false,
  -- { roles?, users?, percentage?, attributes? }, validated on write (feature-flags.validation.ts)
  rules jsonb NOT NULL DEFAULT '{}'::jsonb,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  CONSTRAINT feature_flags_pkey PRIMARY KEY (tenant_id, key),
  CONSTRAINT feature_flags_key_check CHECK (key ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  CONSTRAINT feature_flags_description_check CHECK (char_length(description) <= 500),
  CONSTRAINT feature_flags_rules_check CHECK (jsonb_typeof(rules) = 'object')
);

ALTER TABLE feature_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE feature_flags FORCE ROW LEVEL SECURITY;
CREATE POLICY feature_flags_tenant_select ON feature_flags FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY feature_flags_tenant_insert ON feature_flags FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY feature_flags_tenant_update ON feature_flags FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY feature_flags_tenant_delete ON feature_flags FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON feature_flags TO tenantry_app;
