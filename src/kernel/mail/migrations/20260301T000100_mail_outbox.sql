-- The mail outbox: one row per message, written in the transaction of the event that causes it, so a
-- rolled-back transaction sends nothing. Tenant-scoped: every mail is caused by something done in a
-- tenant (sign-up creates one, an invitation, a reset or a lockout of a member), its content (links
-- with tokens, names) is that tenant's data, and the admin view and the delivery job read it under
-- withTenant. RLS is enabled and forced with one tenant policy per command, like every tenant table.
CREATE TABLE mail_outbox (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  id uuid NOT NULL,
  template text NOT NULL,
  locale text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  html text NOT NULL,
  text text NOT NULL,
  -- queued -> sending -> sent | queued (retry) | failed; captured when no SMTP server is configured.
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'captured')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  message_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT mail_outbox_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mail_outbox_created_idx ON mail_outbox (tenant_id, created_at DESC, id DESC);

ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY mail_outbox_tenant_select ON mail_outbox FOR SELECT USING (tenant_id = tenantry_current_tenant());
CREATE POLICY mail_outbox_tenant_insert ON mail_outbox FOR INSERT WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY mail_outbox_tenant_update ON mail_outbox FOR UPDATE USING (tenant_id = tenantry_current_tenant()) WITH CHECK (tenant_id = tenantry_current_tenant());
CREATE POLICY mail_outbox_tenant_delete ON mail_outbox FOR DELETE USING (tenant_id = tenantry_current_tenant());
-- DELETE: tenant deletion and (later) retention and erasure remove a tenant's mails.
GRANT SELECT, INSERT, UPDATE, DELETE ON mail_outbox TO tenantry_app;
