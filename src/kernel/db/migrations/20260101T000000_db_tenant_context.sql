-- The current tenant of a transaction, as set by withTenant; NULL when unset (nothing matches).
-- STABLE and SQL-language so the planner inlines it and uses tenant_id indexes.
CREATE FUNCTION tenantry_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION tenantry_current_user() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
