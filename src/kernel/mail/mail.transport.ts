/**
 * Delivery: nodemailer over SMTP, or capture when no SMTP server is configured (the mail stays in
 * the outbox as `captured`). Glossary: masked address = `j***@example.com`, what logs may show.
 */
import type nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Our outbox id, also sent as a header so a bounce can be traced back. */
  mailId: string;
}

export type MailTransport =
  | { kind: 'smtp'; send(mail: OutgoingMail): Promise<{ messageId: string }>; close(): void }
  | { kind: 'capture'; close(): void };

export function createMailTransport(smtpUrl: string | undefined): MailTransport {
  if (!smtpUrl) return { kind: 'capture', close: () => {} };
  // nodemailer is loaded on the first delivery, not at start (capture mode never needs it).
  let transporter: Promise<nodemailer.Transporter> | undefined;
  const connect = () =>
    (transporter ??= import('nodemailer').then(({ default: mailer }) =>
      mailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as Parameters<typeof mailer.createTransport>[0]),
    ));
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await (await connect()).sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: { 'X-Tenantry-Mail-Id': mail.mailId },
      });
      return { messageId: String(info.messageId ?? '') };
    },
    close: () => void transporter?.then((open) => open.close()),
  };
}

/** The SMTP reply (`550 5.1.1 ...`) or the error message, short enough to store and show. */
export function describeDeliveryError(error: unknown): string {
  const smtp = error as { response?: unknown; responseCode?: unknown; message?: unknown };
  const text = typeof smtp.response === 'string' ? smtp.response : String(smtp.message ?? error);
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** `jane.doe@example.com` -> `j***@example.com`: enough for operations, no more personal data. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
