-- Invitations into a tenant: an address, a role, a single-use link that expires. Only the SHA-256 of
-- the link's 256-bit secret is stored. A tenant table (RLS): admins list and revoke them, and the
-- token names its tenant (`<tenantId>.<secret>`), so accepting runs under that tenant's RLS.
-- Not identity_user_tokens: an invitation may name an address with no account yet (no user_id),
-- and carries a role, an inviter and a revocation.
CREATE TABLE identity_invitations (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  email text NOT NULL,
  email_normalized text NOT NULL,
  role text NOT NULL,
  token_hash bytea NOT NULL,
  invited_by uuid REFERENCES identity_users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES identity_users(id),
  revoked_at timestamptz,
  revoked_by uuid,
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT identity_invitations_hash_key UNIQUE (tenant_id, token_hash),
  CONSTRAINT identity_invitations_hash_check CHECK (octet_length(token_hash) = 32),
  CONSTRAINT identity_invitations_email_check CHECK (char_length(email) BETWEEN 3 AND 254),
  CONSTRAINT identity_invitations_role_check CHECK (role ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  CONSTRAINT identity_invitations_state_check CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- At most one open invitation per address and tenant (a new one replaces the old).
CREATE UNIQUE INDEX identity_invitations_open_key ON identity_invitations (tenant_id, email_normalized) WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE identity_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY identity_invitations_select ON identity_invitations FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_invitations_insert ON identity_invitations FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_invitations_update ON identity_invitations FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY identity_invitations_delete ON identity_invitations FOR DELETE USING (tenant_id = tenantry_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_invitations TO tenantry_app;
