-- Tenants are global: the runtime role reads them to resolve a request and manages their lifecycle.
CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  slug text NOT NULL,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  plan text NOT NULL DEFAULT 'free',
  locale text NOT NULL DEFAULT 'en',
  timezone text NOT NULL DEFAULT 'UTC',
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_slug_key UNIQUE (slug),
  CONSTRAINT tenants_slug_check CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  CONSTRAINT tenants_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended')),
  CONSTRAINT tenants_settings_check CHECK (jsonb_typeof(settings) = 'object')
);

GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO tenantry_app;
