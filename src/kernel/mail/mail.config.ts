/** The mail module's config slice. */
import Type, { type Static } from 'typebox';

export const mailSlice = {
  SMTP_URL: Type.Optional(Type.String({ secret: true, pattern: '^smtps?://', description: 'SMTP server mails are sent through (smtp://user:pass@host:587). Unset: mails are captured in the outbox, shown at GET /v1/admin/mails' })),
  MAIL_FROM: Type.String({ default: 'Tenantry <no-reply@tenantry.localhost>', minLength: 3, description: 'Sender of every mail (From header)' }),
  MAIL_RETRY_LIMIT: Type.Integer({ default: 5, minimum: 0, maximum: 50, description: 'Delivery retries after a failed attempt before a mail is failed' }),
  MAIL_RETRY_DELAY_SECONDS: Type.Integer({ default: 30, minimum: 1, description: 'Delay before the first retry; each next one doubles (with jitter)' }),
};

/** The slice as one schema (its type is the settings the module takes). */
export const mailSettingsSchema = Type.Object(mailSlice);
export type MailSettings = Static<typeof mailSettingsSchema>;
