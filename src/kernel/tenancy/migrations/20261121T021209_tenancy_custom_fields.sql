-- Custom fields of a tenant (kernel/tenancy): fields its admins add to an exposed entity, whose values
-- live in the records' ext column. Keyed by entity and key within the tenant; history lives in the
-- audit log. The primary key serves both reads: one entity's fields (every write of ext) and all of
-- a tenant's (GET /v1/metadata).
CREATE TABLE custom_fields (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  entity text NOT NULL,
  key text NOT NULL,
  type text NOT NULL,
  -- { "<locale>": "<label>" }, at least one, validated on write (custom-fields.validation.ts)
  labels jsonb NOT NULL,
  description text,
  required boolean NOT NULL DEFAULT false,
  personal_data boolean NOT NULL DEFAULT false,
  -- { maxLength?, pattern?, min?, max?, scale?, values? } as the type allows
  constraints jsonb NOT NULL DEFAULT '{}'::jsonb,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  CONSTRAINT custom_fields_pkey PRIMARY KEY (tenant_id, entity, key),
  CONSTRAINT custom_fields_entity_check CHECK (entity ~ '^[a-z][a-zA-Z0-9]*$'),
  CONSTRAINT custom_fields_key_check CHECK (key ~ '^[a-z][a-zA-Z0-9]{0,39}$'),
  CONSTRAINT custom_fields_type_check CHECK (type IN ('text', 'integer', 'decimal', 'boolean', 'date', 'timestamp', 'enum')),
  CONSTRAINT custom_fields_labels_check CHECK (jsonb_typeof(labels) = 'object'),
  CONSTRAINT custom_fields_description_check CHECK (char_length(description) <= 500),
  CONSTRAINT custom_fields_constraints_check CHECK (jsonb_typeof(constraints) = 'object')
);

ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY custom_fields_tenant_select ON custom_fields FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY custom_fields_tenant_insert ON custom_fields FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY custom_fields_tenant_update ON custom_fields FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY custom_fields_tenant_delete ON custom_fields FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_fields TO tenantry_app;
