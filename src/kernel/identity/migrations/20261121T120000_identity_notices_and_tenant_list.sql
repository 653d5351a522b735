-- Account notices, verification resends and the list of a user's tenants.

-- The last "someone tried to sign up with your address" notice: at most one an hour per account.
ALTER TABLE identity_users ADD COLUMN account_exists_notice_at timestamptz;
-- Verification links issued before this instant are void in every tenant: a resend replaces them
-- (one global column, as sessions_not_before, instead of a sweep of every tenant's tokens).
ALTER TABLE identity_users ADD COLUMN email_verification_not_before timestamptz;

-- The tenants a user has a membership in: pointers like default_tenant_id, which GET /v1/auth/tenants
-- follows, checking the membership and reading the role inside each tenant's withTenant (RLS), as
-- login does with default_tenant_id. Holds tenant ids only, never roles. Kept by a trigger on
-- identity_memberships (SECURITY INVOKER: the writer's own grants and RLS apply), so every path that
-- adds or removes a membership keeps it, tenant deletion included. A stale entry is harmless: the
-- membership is always checked under RLS before a tenant is listed.
ALTER TABLE identity_users ADD COLUMN membership_tenant_ids uuid[] NOT NULL DEFAULT '{}';

CREATE FUNCTION identity_track_membership_tenants() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE identity_users SET membership_tenant_ids = array_remove(membership_tenant_ids, OLD.tenant_id)
      WHERE id = OLD.user_id AND OLD.tenant_id = ANY (membership_tenant_ids);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE identity_users SET membership_tenant_ids = array_append(membership_tenant_ids, NEW.tenant_id)
      WHERE id = NEW.user_id AND NOT (NEW.tenant_id = ANY (membership_tenant_ids));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER identity_memberships_track_tenants
  AFTER INSERT OR DELETE OR UPDATE OF tenant_id, user_id ON identity_memberships
  FOR EACH ROW EXECUTE FUNCTION identity_track_membership_tenants();

-- Existing memberships. FORCE ROW LEVEL SECURITY binds the owner too (unless superuser or BYPASSRLS),
-- so it is lifted for this one statement; migrations run in one transaction, nobody sees the gap.
ALTER TABLE identity_memberships NO FORCE ROW LEVEL SECURITY;
UPDATE identity_users u SET membership_tenant_ids = m.tenant_ids
  FROM (SELECT user_id, array_agg(tenant_id ORDER BY created_at) AS tenant_ids FROM identity_memberships GROUP BY user_id) m
  WHERE m.user_id = u.id;
ALTER TABLE identity_memberships FORCE ROW LEVEL SECURITY;
