/**
 * Mail: transactional e-mail from templates, through an outbox, delivered over SMTP by a job.
 * Glossary: template = one kind of message (verification, invitation, ...) in every supported locale,
 * MJML + Handlebars, with a plain-text part; outbox = the tenant table `mail_outbox`, one row per
 * message, written in the caller's transaction; capture = keeping mails in the outbox (state
 * `captured`) instead of sending them, when no SMTP server is configured.
 */
import type { TenantContext, TenantTx } from '../db/index.ts';

export const mailTemplates = ['verification', 'invitation', 'password_reset', 'lockout', 'account_exists', 'email_changed'] as const;
export type MailTemplate = (typeof mailTemplates)[number];

export const mailLocales = ['en', 'fr', 'ar'] as const;
export type MailLocale = (typeof mailLocales)[number];

/** What each template needs. Links are absolute http(s) URLs the recipient follows. */
export interface MailTemplateData {
  verification: { link: string; name?: string };
  invitation: { link: string; tenantName: string; inviterName?: string; expiresInDays?: number };
  password_reset: { link: string; expiresInMinutes: number; name?: string };
  /** A lockout notice: `link` leads to recovery (a reset), which a lockout never blocks. */
  lockout: { link: string; lockedMinutes?: number; name?: string };
  /** To the owner of an address someone tried to sign up with: `link` to sign in, `resetLink` to recover. */
  account_exists: { link: string; resetLink: string; name?: string };
  /** To the address an account has just left: `newAddress` masked (`j***@example.com`), `link` to sign in. */
  email_changed: { link: string; newAddress: string; name?: string };
}

export type QueueMailInput = {
  [K in MailTemplate]: {
    template: K;
    /** The recipient's address. */
    to: string;
    /** The recipient's preferred locale (e.g. `fr-CA`); unsupported or missing: the tenant's, else English. */
    locale?: string | null;
    /** The tenant's locale when the caller knows it (else it is looked up). */
    tenantLocale?: string | null;
    data: MailTemplateData[K];
  };
}[MailTemplate];

export type MailState = 'queued' | 'sending' | 'sent' | 'failed' | 'captured';

export interface QueuedMail {
  id: string;
  tenantId: string;
  locale: MailLocale;
  state: MailState;
}

export interface MailSummary {
  id: string;
  template: MailTemplate;
  locale: MailLocale;
  to: string;
  subject: string;
  state: MailState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface MailMessage extends MailSummary {
  html: string;
  text: string;
}

/** A rendered message, before it is queued. */
export interface RenderedMail {
  locale: MailLocale;
  subject: string;
  html: string;
  text: string;
}

/** The part other modules call: queue a mail inside their own tenant transaction. */
export interface MailQueue {
  /**
   * Renders the template and writes the mail and its delivery job in `tx` (a withTenant transaction):
   * both commit with the caller's work, and a rollback leaves no mail behind.
   */
  queueMail(tx: TenantTx, input: QueueMailInput): Promise<QueuedMail>;
}

/** Retention of stored mails: the outbox keeps rendered bodies, and their links carry single-use secrets. */
export interface MailRetention {
  /**
   * In `tx` (a withTenant transaction): replaces the link secrets (`token=`, `code=`, ...) in the stored
   * bodies of that tenant's mails delivered (sent, captured) or failed before `before`; returns how many
   * mails were changed. Queued mails are never touched (their delivery needs the body).
   */
  purgeLinkSecrets(tx: TenantTx, before: Date): Promise<number>;
}

export interface MailService extends MailQueue, MailRetention {
  listMails(context: TenantContext, options?: { limit?: number; state?: MailState }): Promise<MailSummary[]>;
  getMail(context: TenantContext, id: string): Promise<MailMessage>;
  /** Closes the SMTP transport. */
  close(): Promise<void>;
}
