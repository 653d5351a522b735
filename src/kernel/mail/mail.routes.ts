/**
 * Admin view of the outbox: what was queued, sent, failed or captured (with no SMTP server, this is
 * where mails are read). Tenant-scoped; who may read is decided by the injected guard (compose:
 * owners and admins, see kernel/access).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { problemResponses } from '../http/index.ts';
import { redactLinkSecrets } from './redact-link-secrets.ts';
import { mailLocales, mailTemplates, type MailService } from './mail.contract.ts';

const states = ['queued', 'sending', 'sent', 'failed', 'captured'] as const;

const summary = {
  id: Type.String({ format: 'uuid' }),
  template: Type.Enum([...mailTemplates]),
  locale: Type.Enum([...mailLocales]),
  to: Type.String(),
  subject: Type.String(),
  state: Type.Enum([...states]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};
const MailSummarySchema = Type.Object(summary);
const MailMessageSchema = Type.Object({ ...summary, html: Type.String(), text: Type.String() });

export interface MailRoutesOptions {
  guard: (request: FastifyRequest) => Promise<void>;
  /** Show link secrets as sent: only in capture mode outside production (see redact-link-secrets.ts). */
  revealLinkSecrets: boolean;
}

export function mailRoutes(mail: MailService, options: MailRoutesOptions) {
  return (app: FastifyInstance): void => {
    const tags = ['admin'];
    app.get('/v1/admin/mails', {
      config: { tenant: true },
      preHandler: options.guard,
      schema: {
        tags,
        summary: "The tenant's outbox, newest first",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), state: Type.Optional(Type.Enum([...states])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MailSummarySchema) }), ...problemResponses },
      },
      handler: async (request) => {
        const query = request.query as { limit?: number; state?: (typeof states)[number] };
        return { items: await mail.listMails(request.principal!, { ...(query.limit ? { limit: query.limit } : {}), ...(query.state ? { state: query.state } : {}) }) };
      },
    });
    app.get('/v1/admin/mails/:id', {
      config: { tenant: true },
      preHandler: options.guard,
      schema: { tags, summary: 'One mail of the outbox, with its HTML and text parts', params: Type.Object({ id: Type.String() }), response: { 200: MailMessageSchema, ...problemResponses } },
      handler: async (request) => {
        const message = await mail.getMail(request.principal!, (request.params as { id: string }).id);
        return options.revealLinkSecrets ? message : { ...message, html: redactLinkSecrets(message.html), text: redactLinkSecrets(message.text) };
      },
    });
  };
}
