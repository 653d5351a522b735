-- API keys for integrations: a tenant, a role, an optional expiry. Only the SHA-256 of the key's
-- 256-bit secret is stored (a fast hash is right for a high-entropy secret); the key itself is shown
-- once, at creation. The key names its tenant and id, so it is looked up by primary key under that
-- tenant's RLS.
CREATE TABLE identity_api_keys (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  secret_hash bytea NOT NULL,
  -- The user who created it (null when created by trusted in-process work or the development header).
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  -- Updated at most once a minute per key (see api-keys.repository.ts).
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid,
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT identity_api_keys_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT identity_api_keys_role_check CHECK (role ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  CONSTRAINT identity_api_keys_hash_check CHECK (octet_length(secret_hash) = 32)
);

ALTER TABLE identity_api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY identity_api_keys_select ON identity_api_keys FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_api_keys_insert ON identity_api_keys FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_api_keys_update ON identity_api_keys FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_api_keys_delete ON identity_api_keys FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_api_keys TO tenantry_app;
