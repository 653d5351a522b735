-- TOTP second factor, one per user. A global table like identity_users: the factor belongs to the
-- person, whatever tenant they log in to, and login reads it before any tenant session exists (a
-- tenant table would need a cross-tenant lookup). The runtime role may delete a row: disabling the
-- factor removes its secret rather than keeping it.
CREATE TABLE identity_totp_factors (
  user_id uuid PRIMARY KEY REFERENCES identity_users(id),
  -- AES-256-GCM, never the clear secret: key version (1 byte), nonce (12), ciphertext, tag (16);
  -- the user id is the additional data, so a ciphertext moved to another row does not open.
  secret_encrypted bytea NOT NULL,
  -- NULL while the enrolment waits for its first code; only a confirmed factor is asked at login.
  confirmed_at timestamptz,
  -- The time step of the last accepted code: that step and earlier ones are refused (RFC 6238 §5.2).
  last_used_step bigint,
  -- Successful checks so far: a login challenge carries the count it was issued at, so it serves once.
  uses bigint NOT NULL DEFAULT 0,
  -- SHA-256 of the unused recovery codes (80 random bits each); a used one is removed.
  recovery_code_hashes bytea[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT identity_totp_factors_secret_check CHECK (octet_length(secret_encrypted) BETWEEN 29 AND 200)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_totp_factors TO tenantry_app;
