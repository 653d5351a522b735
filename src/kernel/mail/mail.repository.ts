/** The only code that touches mail_outbox. Every function takes the tenant transaction first. */
import { sql } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { MailLocale, MailMessage, MailState, MailSummary, MailTemplate, RenderedMail } from './mail.contract.ts';

interface OutboxRow {
  id: string;
  template: MailTemplate;
  locale: MailLocale;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  state: MailState;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const summaryColumns = sql.raw('id, template, locale, recipient, subject, state, attempts, last_error, created_at, updated_at, sent_at');

function toSummary(row: OutboxRow): MailSummary {
  return {
    id: row.id,
    template: row.template,
    locale: row.locale,
    to: row.recipient,
    subject: row.subject,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

/** Writes a queued mail for the transaction's tenant; returns that tenant's id. */
export async function insertMail(tx: TenantTx, mail: { id: string; template: MailTemplate; recipient: string } & RenderedMail): Promise<string> {
  const result = await sql<{ tenant_id: string }>`
    insert into mail_outbox (tenant_id, id, template, locale, recipient, subject, html, text)
    values (tenantry_current_tenant(), ${mail.id}, ${mail.template}, ${mail.locale}, ${mail.recipient}, ${mail.subject}, ${mail.html}, ${mail.text})
    returning tenant_id`.execute(tx);
  return result.rows[0]!.tenant_id;
}

/** Marks a mail as being sent and counts the attempt; undefined when it is no longer to be sent. */
export async function claimMail(tx: TenantTx, tenantId: string, id: string): Promise<MailMessage | undefined> {
  const result = await sql<OutboxRow>`
    update mail_outbox set state = 'sending', attempts = attempts + 1, updated_at = now()
    where tenant_id = ${tenantId} and id = ${id} and state in ('queued', 'sending')
    returning ${summaryColumns}, html, text`.execute(tx);
  const row = result.rows[0];
  return row && { ...toSummary(row), html: row.html, text: row.text };
}

export async function markMailDone(tx: TenantTx, tenantId: string, id: string, outcome: { state: 'sent' | 'captured'; messageId?: string }): Promise<void> {
  await sql`
    update mail_outbox set state = ${outcome.state}, message_id = ${outcome.messageId ?? null}, last_error = null, sent_at = now(), updated_at = now()
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

/** Records a failed attempt: queued again when it will be retried, failed when it was the last one. */
export async function recordMailFailure(tx: TenantTx, tenantId: string, id: string, failure: { error: string; final: boolean }): Promise<void> {
  await sql`
    update mail_outbox set state = ${failure.final ? 'failed' : 'queued'}, last_error = ${failure.error}, updated_at = now()
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

export async function listMails(tx: TenantTx, tenantId: string, options: { limit: number; state?: MailState }): Promise<MailSummary[]> {
  const result = await sql<OutboxRow>`
    select ${summaryColumns} from mail_outbox
    where tenant_id = ${tenantId} ${options.state ? sql`and state = ${options.state}` : sql``}
    order by created_at desc, id desc limit ${options.limit}`.execute(tx);
  return result.rows.map(toSummary);
}

export async function findMail(tx: TenantTx, tenantId: string, id: string): Promise<MailMessage | undefined> {
  const result = await sql<OutboxRow>`select ${summaryColumns}, html, text from mail_outbox where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  const row = result.rows[0];
  return row && { ...toSummary(row), html: row.html, text: row.text };
}

/** Delivered (sent, captured) or failed mails finished before `before` whose bodies still hold their link secrets, oldest first. */
export async function findMailsWithLinkSecrets(tx: TenantTx, tenantId: string, before: Date, limit: number): Promise<{ id: string; html: string; text: string }[]> {
  const result = await sql<{ id: string; html: string; text: string }>`
    select id, html, text from mail_outbox
    where tenant_id = ${tenantId} and link_secrets_purged_at is null and state in ('sent', 'captured', 'failed') and updated_at < ${before}
    order by updated_at, id limit ${limit}`.execute(tx);
  return result.rows;
}

/** Stores a mail's bodies without their link secrets. */
export async function replaceMailBodies(tx: TenantTx, tenantId: string, id: string, bodies: { html: string; text: string }): Promise<void> {
  await sql`update mail_outbox set html = ${bodies.html}, text = ${bodies.text}, link_secrets_purged_at = now()
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

/** The tenant of the transaction (set by withTenant). */
export async function currentTenantId(tx: TenantTx): Promise<string | undefined> {
  const result = await sql<{ tenant: string | null }>`select tenantry_current_tenant()::text as tenant`.execute(tx);
  return result.rows[0]?.tenant ?? undefined;
}
