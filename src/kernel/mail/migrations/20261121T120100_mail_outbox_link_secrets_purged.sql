-- Retention of link secrets: a stored body keeps the links it was sent with (verification, reset,
-- invitation tokens) only until the purge replaces their secrets (kernel/mail purgeLinkSecrets, run
-- by identity's secret purge a week after delivery). Set once the body no longer holds any.
ALTER TABLE mail_outbox ADD COLUMN link_secrets_purged_at timestamptz;
-- What the purge scans: delivered or failed mails not purged yet, oldest first.
CREATE INDEX mail_outbox_link_secrets_idx ON mail_outbox (tenant_id, updated_at) WHERE link_secrets_purged_at IS NULL AND state IN ('sent', 'captured', 'failed');
