-- Idempotency-Key records: the response of a POST, stored in the same transaction as its effect.
CREATE TABLE idempotency_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (tenant_id, expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_tenant_select ON idempotency_keys FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY idempotency_keys_tenant_insert ON idempotency_keys FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY idempotency_keys_tenant_update ON idempotency_keys FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY idempotency_keys_tenant_delete ON idempotency_keys FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO tenantry_app;
