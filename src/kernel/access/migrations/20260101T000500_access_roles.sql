-- Tenant-defined roles and their permissions (kernel/access). Built-in roles are code, not rows.
CREATE TABLE access_roles (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  -- [{ entity, actions, where?, hiddenFields?, readOnlyFields? }], validated against the model on write
  permissions jsonb NOT NULL DEFAULT '[]'::jsonb,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT access_roles_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT access_roles_name_key UNIQUE (tenant_id, name),
  CONSTRAINT access_roles_name_check CHECK (name ~ '^[a-z][a-z0-9_-]{0,39}$'),
  CONSTRAINT access_roles_permissions_check CHECK (jsonb_typeof(permissions) = 'array')
);

ALTER TABLE access_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY access_roles_tenant_select ON access_roles FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY access_roles_tenant_insert ON access_roles FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY access_roles_tenant_update ON access_roles FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY access_roles_tenant_delete ON access_roles FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON access_roles TO tenantry_app;
