/**
 * The mail service: renders and queues mails in the caller's transaction, and delivers them from the
 * `mail.deliver` job: claim (sending, attempt counted) -> SMTP -> sent; a failure is recorded on the
 * row (queued again, or failed on the last attempt) and rethrown so the job retries with backoff.
 * Delivery is at least once: a crash between the SMTP reply and the commit resends the mail.
 */
import { withTenant, type TenantTx } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import { isUuid, newId } from '../shared/index.ts';
import type { Kysely } from 'kysely';
import { mailTemplates, type MailService, type QueueMailInput, type QueuedMail } from './mail.contract.ts';
import type { MailSettings } from './mail.config.ts';
import { invalidLink, invalidRecipient, mailNotFound, unknownTemplate } from './mail.errors.ts';
import { claimMail, currentTenantId, findMail, insertMail, listMails, markMailDone, recordMailFailure } from './mail.repository.ts';
import { createMailRetention } from './mail.retention.ts';
import { createMailRenderer, pickLocale, supportedLocaleOf, type MailRenderer } from './mail.templates.ts';
import { createMailTransport, describeDeliveryError, maskAddress, type MailTransport } from './mail.transport.ts';

export const mailDeliveryQueue = 'mail.deliver';

export interface MailServiceOptions {
  /** A pool of the runtime role (admin reads). */
  db: Kysely<any>;
  jobs: JobQueue;
  settings: MailSettings;
  logger: Logger;
  /** The tenant's locale, when a caller does not give it (errors and unknown tenants: English). */
  tenantLocale?: (tenantId: string) => Promise<string | undefined>;
  /** Replaces the transport made from SMTP_URL (tests). */
  transport?: MailTransport;
}

// Deliberately simple: one @, no spaces or control characters, a dot in the domain. The SMTP server decides the rest.
const addressPattern = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/;

/** Every link of a template's data (`link`, `resetLink`, ...) must be an absolute http(s) URL. */
function hasOnlyHttpLinks(data: Record<string, unknown> | undefined): boolean {
  if (!data || !isHttpUrl(data.link)) return false;
  return Object.entries(data).every(([key, value]) => !key.endsWith('Link') || isHttpUrl(value));
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function createMailService(options: MailServiceOptions): MailService {
  const { db, jobs, settings, logger } = options;
  const renderer: MailRenderer = createMailRenderer();
  const transport = options.transport ?? createMailTransport(settings.SMTP_URL);

  jobs.register<{ mailId: string }>(mailDeliveryQueue, {
    retryLimit: settings.MAIL_RETRY_LIMIT,
    retryDelaySeconds: settings.MAIL_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    expireInSeconds: 5 * 60,
    async handler(job) {
      const { mailId } = job.payload;
      const mail = await job.withTenant((tx) => claimMail(tx, job.tenantId, mailId));
      if (!mail) return; // sent, captured, failed for good, or removed with its tenant
      const context = { tenantId: job.tenantId, mailId, template: mail.template, to: maskAddress(mail.to), attempt: job.attempt };
      if (transport.kind === 'capture') {
        await job.withTenant((tx) => markMailDone(tx, job.tenantId, mailId, { state: 'captured' }));
        logger.info({ ...context, subject: mail.subject }, 'mail captured (no SMTP_URL): see GET /v1/admin/mails');
        return;
      }
      try {
        const { messageId } = await transport.send({ from: settings.MAIL_FROM, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text, mailId });
        await job.withTenant((tx) => markMailDone(tx, job.tenantId, mailId, { state: 'sent', messageId }));
        logger.info(context, 'mail sent');
      } catch (error) {
        const description = describeDeliveryError(error);
        await job.withTenant((tx) => recordMailFailure(tx, job.tenantId, mailId, { error: description, final: job.isLastAttempt }));
        logger.warn({ ...context, error: description, final: job.isLastAttempt }, 'mail delivery failed');
        throw error;
      }
    },
  });

  return {
    ...createMailRetention(),

    async queueMail(tx: TenantTx, input: QueueMailInput): Promise<QueuedMail> {
      if (!(mailTemplates as readonly string[]).includes(input.template)) throw unknownTemplate(String(input.template));
      const to = String(input.to ?? '').trim();
      if (to.length > 254 || !addressPattern.test(to)) throw invalidRecipient();
      if (!hasOnlyHttpLinks(input.data as Record<string, unknown> | undefined)) throw invalidLink();
      let tenantLocale = input.tenantLocale;
      if (tenantLocale === undefined && options.tenantLocale && !supportedLocaleOf(input.locale)) {
        const tenantId = await currentTenantId(tx);
        tenantLocale = tenantId ? await options.tenantLocale(tenantId).catch(() => undefined) : undefined;
      }
      const locale = pickLocale(input.locale, tenantLocale);
      const rendered = await renderer.render(input.template, locale, input.data as unknown as Record<string, unknown>);
      const id = newId();
      const tenantId = await insertMail(tx, { id, template: input.template, recipient: to, ...rendered });
      // The job is written in the same transaction: no commit, no delivery.
      await jobs.enqueue({ tenantId, tx }, mailDeliveryQueue, { mailId: id });
      return { id, tenantId, locale, state: 'queued' };
    },

    listMails: (context, { limit = 50, state } = {}) =>
      withTenant(db, context, (tx) => listMails(tx, context.tenantId, { limit: Math.min(Math.max(limit, 1), 200), ...(state ? { state } : {}) })),

    async getMail(context, id) {
      const mail = isUuid(id) ? await withTenant(db, context, (tx) => findMail(tx, context.tenantId, id)) : undefined;
      if (!mail) throw mailNotFound();
      return mail;
    },

    async close() {
      transport.close();
    },
  };
}
