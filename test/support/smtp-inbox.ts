/**
 * A real SMTP server on a loopback port (smtp-server) that parses what it receives (postal-mime),
 * for tests that follow the links of mails sent by the platform.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface SmtpInbox {
  url: string;
  received: { to: string[]; mail: Email }[];
  /** The index-th mail to an address (optionally with a matching subject) and the first link to `linkOrigin` in it. */
  nthMailTo(address: string, options?: { index?: number; subject?: RegExp; linkOrigin?: string }): Promise<{ mail: Email; link: URL; token: string | null }>;
  close(): Promise<void>;
}

const decodeEntities = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&amp;', '&');

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SmtpInboxOptions {
  /** Recipients the server refuses with 550 (a permanent failure), e.g. to test retries. */
  refuseRecipient?: (address: string) => boolean;
}

export async function startSmtpInbox(options: SmtpInboxOptions = {}): Promise<SmtpInbox> {
  const received: SmtpInbox['received'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipient?.(address.address)) return callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.pipe(
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
          final(done) {
            PostalMime.parse(Buffer.concat(chunks)).then((mail) => {
              received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
              done();
              callback();
            }, done);
          },
        }),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async nthMailTo(address, options = {}) {
      const { index = 0, subject, linkOrigin = 'https://app.example.com/' } = options;
      const mail = await until(() => received.filter((entry) => entry.to.some((to) => to.toLowerCase() === address.toLowerCase()) && (!subject || subject.test(entry.mail.subject ?? '')))[index]?.mail);
      const href = [...mail.html!.matchAll(/href="([^"]+)"/g)].map((match) => decodeEntities(match[1]!)).find((value) => value.startsWith(linkOrigin));
      const link = new URL(href!);
      return { mail, link, token: link.searchParams.get('token') };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
