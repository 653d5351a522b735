-- Single-use tokens sent by mail: e-mail verification, e-mail change and password reset. Only the
-- SHA-256 of a 256-bit secret is stored. A tenant table (RLS) like the outbox row that carries the
-- link: the token names its tenant (`<tenantId>.<secret>`), so it is consumed under that tenant's RLS.
CREATE TABLE identity_user_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES identity_users(id),
  purpose text NOT NULL,
  token_hash bytea NOT NULL,
  -- The address the link was sent to. Verification and reset apply only while it is still the
  -- user's address (a change of address voids them); an e-mail change moves the user to it.
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT identity_user_tokens_hash_key UNIQUE (tenant_id, token_hash),
  CONSTRAINT identity_user_tokens_purpose_check CHECK (purpose IN ('email_verification', 'email_change', 'password_reset')),
  CONSTRAINT identity_user_tokens_hash_check CHECK (octet_length(token_hash) = 32),
  CONSTRAINT identity_user_tokens_email_check CHECK (char_length(email) BETWEEN 3 AND 254)
);
CREATE INDEX identity_user_tokens_user_idx ON identity_user_tokens (tenant_id, user_id, purpose) WHERE used_at IS NULL;

ALTER TABLE identity_user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY identity_user_tokens_select ON identity_user_tokens FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_user_tokens_insert ON identity_user_tokens FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_user_tokens_update ON identity_user_tokens FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_user_tokens_delete ON identity_user_tokens FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_user_tokens TO tenantry_app;

-- Sessions of a user opened before this instant are dead in every tenant (password reset or change).
-- One global column instead of a cross-tenant sweep: no SECURITY DEFINER lookup of a user's tenants.
ALTER TABLE identity_users ADD COLUMN sessions_not_before timestamptz;
