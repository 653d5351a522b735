-- Identities are global: one person, one row, whatever tenants they belong to. The runtime role
-- creates and updates them (sign-up, password change) but never deletes them (privacy erasure will).
CREATE TABLE identity_users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  -- NFKC, trimmed, lower-cased: the key that makes e-mail unique case-insensitively.
  email_normalized text NOT NULL,
  email_verified_at timestamptz,
  -- argon2id PHC string; NULL for an invited user who has not chosen a password yet.
  password_hash text,
  name text NOT NULL,
  locale text NOT NULL DEFAULT 'en',
  -- The tenant a login without a tenant slug enters (set at sign-up, moved by login and switch).
  default_tenant_id uuid REFERENCES tenants(id) ON DELETE SET NULL,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT identity_users_email_key UNIQUE (email_normalized),
  CONSTRAINT identity_users_email_check CHECK (char_length(email) BETWEEN 3 AND 254),
  CONSTRAINT identity_users_name_check CHECK (char_length(name) BETWEEN 1 AND 200)
);
GRANT SELECT, INSERT, UPDATE ON identity_users TO tenantry_app;

-- A membership is tenant data (tenant admins list and change it under RLS): user x tenant x role.
CREATE TABLE identity_memberships (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES identity_users(id),
  role text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT identity_memberships_user_key UNIQUE (tenant_id, user_id),
  CONSTRAINT identity_memberships_role_check CHECK (role ~ '^[a-z][a-z0-9_.-]{0,62}$')
);
CREATE INDEX identity_memberships_user_idx ON identity_memberships (user_id);

-- A session is one login into one tenant; it is also the refresh-token family.
CREATE TABLE identity_sessions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES identity_users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  ip text,
  user_agent text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX identity_sessions_user_idx ON identity_sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

-- Refresh tokens, hashed (SHA-256 of 32 random bytes). used_at set = rotated; presenting it again is reuse.
CREATE TABLE identity_refresh_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  session_id uuid NOT NULL,
  token_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT identity_refresh_tokens_hash_key UNIQUE (tenant_id, token_hash),
  CONSTRAINT identity_refresh_tokens_session_fkey FOREIGN KEY (tenant_id, session_id) REFERENCES identity_sessions (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['identity_memberships', 'identity_sessions', 'identity_refresh_tokens'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (tenant_id = tenantry_current_tenant())', t || '_select', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant())', t || '_insert', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant())', t || '_update', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING (tenant_id = tenantry_current_tenant())', t || '_delete', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tenantry_app', t);
  END LOOP;
END $$;
