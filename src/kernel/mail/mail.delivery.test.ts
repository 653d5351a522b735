/**
 * Mail end to end on a real SMTP server (smtp-server on a loopback port): queue in a tenant
 * transaction, deliver from the in-process worker, parse what arrived (postal-mime) and follow its link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { startSmtpInbox, until, type SmtpInbox } from '../../../test/support/smtp-inbox.ts';
import { withTenant } from '../db/index.ts';
import { createLogger } from '../observability/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import type { QueueMailInput } from './index.ts';

let inbox: SmtpInbox;
let t: TestPlatform;
let tenant: Tenant;

const decodeEntities = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
const linksOf = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((match) => decodeEntities(match[1]!));
const messageTo = (address: string) => until(() => inbox.received.find((entry) => entry.to.includes(address))?.mail);

function queue(input: QueueMailInput, tenantId = tenant.id) {
  return withTenant(t.platform.database.db, { tenantId }, (tx) => t.platform.mail.queueMail(tx, input));
}

async function outbox(tenantSlug: string, id: string) {
  const response = await t.platform.http.inject({ method: 'GET', url: `/v1/admin/mails/${id}`, headers: { 'x-tenant': tenantSlug } });
  expect(response.statusCode).toBe(200);
  return response.json() as { state: string; attempts: number; lastError: string | null; html: string; to: string; locale: string };
}

beforeAll(async () => {
  inbox = await startSmtpInbox({ refuseRecipient: (address) => address.startsWith('refuse') });
  t = await startTestPlatform({ SMTP_URL: inbox.url, JOBS_IN_PROCESS: true, JOBS_POLL_INTERVAL_MS: 500, MAIL_RETRY_LIMIT: 2, MAIL_RETRY_DELAY_SECONDS: 1 });
  tenant = await t.platform.tenants.createTenant({ slug: 'mail-co', name: 'Mail Co', locale: 'fr' });
});

afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

describe('mail over SMTP', () => {
  it('delivers a verification mail in English whose link is the one given', async () => {
    const link = 'https://app.example.com/verify?token=abc123&tenant=mail-co';
    const queued = await queue({ template: 'verification', to: 'jane@example.com', locale: 'en-GB', data: { link, name: 'Jane' } });
    expect(queued).toMatchObject({ tenantId: tenant.id, locale: 'en', state: 'queued' });
    const mail = await messageTo('jane@example.com');
    expect(mail.subject).toBe('Confirm your e-mail address');
    expect(mail.from?.address).toBe('no-reply@tenantry.localhost');
    expect(mail.to?.map((address) => address.address)).toEqual(['jane@example.com']);
    expect(mail.html).toContain('lang="en"');
    expect(mail.html).toContain('Hello Jane,');
    expect(linksOf(mail.html!)).toContain(link);
    expect(mail.text).toContain(link);
    const stored = await until(async () => {
      const row = await outbox(tenant.slug, queued.id);
      return row.state === 'sent' ? row : undefined;
    });
    expect(stored).toMatchObject({ state: 'sent', attempts: 1, lastError: null, to: 'jane@example.com' });
  });

  it('writes an Arabic invitation right to left, with the inviter, tenant and link', async () => {
    const link = 'https://app.example.com/invitations/accept?token=xyz789';
    await queue({ template: 'invitation', to: 'omar@example.com', locale: 'ar-EG', data: { link, tenantName: 'Mail Co', inviterName: 'Layla', expiresInDays: 7 } });
    const mail = await messageTo('omar@example.com');
    expect(mail.subject).toBe('دعوة للانضمام إلى Mail Co');
    expect(mail.html).toMatch(/<html[^>]*lang="ar"/);
    expect(mail.html).toMatch(/<html[^>]*dir="rtl"/);
    expect(mail.html).toContain('دعاك Layla');
    expect(linksOf(mail.html!)).toContain(link);
    expect(mail.text).toContain(link);
  });

  it("falls back to the tenant's locale when the user's is not supported", async () => {
    const link = 'https://app.example.com/reset?token=r1';
    const queued = await queue({ template: 'password_reset', to: 'klaus@example.com', locale: 'de-DE', data: { link, expiresInMinutes: 30 } });
    expect(queued.locale).toBe('fr');
    const mail = await messageTo('klaus@example.com');
    expect(mail.subject).toBe('Réinitialisez votre mot de passe');
    expect(mail.html).toContain('lang="fr"');
    expect(mail.text).toContain('30 minutes');
    expect(linksOf(mail.html!)).toContain(link);
  });

  it('sends nothing for a rolled-back transaction', async () => {
    const rollback = new Error('rollback');
    await expect(
      withTenant(t.platform.database.db, { tenantId: tenant.id }, async (tx) => {
        await t.platform.mail.queueMail(tx, { template: 'lockout', to: 'ghost@example.com', data: { link: 'https://app.example.com/reset' } });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    // A mail queued after it is delivered: the worker ran, and the rolled-back one was never there.
    await queue({ template: 'lockout', to: 'after-ghost@example.com', data: { link: 'https://app.example.com/reset', lockedMinutes: 15 } });
    await messageTo('after-ghost@example.com');
    expect(inbox.received.some((entry) => entry.to.includes('ghost@example.com'))).toBe(false);
    const list = await t.platform.http.inject({ method: 'GET', url: '/v1/admin/mails?limit=200', headers: { 'x-tenant': tenant.slug } });
    expect(list.json().items.map((item: { to: string }) => item.to)).not.toContain('ghost@example.com');
  });

  it('retries a mail the server refuses (550), then marks it failed with the error visible', async () => {
    const queued = await queue({ template: 'verification', to: 'refuse-me@example.com', data: { link: 'https://app.example.com/verify?token=nope' } });
    const failed = await until(async () => {
      const row = await outbox(tenant.slug, queued.id);
      return row.state === 'failed' ? row : undefined;
    }, 25_000);
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toMatch(/^550\b.*Mailbox unavailable/);
    // With real delivery configured, the admin view never shows a link's secret.
    expect(failed.html).toMatch(/token(=|&#x3D;)\[redacted\]/);
    expect(failed.html).not.toContain('nope');
    const failedList = await t.platform.http.inject({ method: 'GET', url: '/v1/admin/mails?state=failed', headers: { 'x-tenant': tenant.slug } });
    expect(failedList.json().items.map((item: { id: string }) => item.id)).toEqual([queued.id]);
  });

  it("shows a tenant's mails to that tenant only", async () => {
    const other = await t.createTenant();
    const queued = await queue({ template: 'verification', to: 'other@example.com', data: { link: 'https://app.example.com/v' } }, other.id);
    const fromOther = await t.platform.http.inject({ method: 'GET', url: `/v1/admin/mails/${queued.id}`, headers: { 'x-tenant': tenant.slug } });
    expect(fromOther.statusCode).toBe(404);
    expect(fromOther.json().code).toBe('mail.not_found');
  });

  it('refuses a bad recipient or a non-http link before anything is written', async () => {
    await expect(queue({ template: 'verification', to: 'not an address', data: { link: 'https://app.example.com/v' } })).rejects.toMatchObject({ code: 'mail.invalid_recipient' });
    await expect(queue({ template: 'verification', to: 'a@example.com', data: { link: 'javascript:alert(1)' } })).rejects.toMatchObject({ code: 'mail.invalid_link' });
    await expect(queue({ template: 'account_exists', to: 'a@example.com', data: { link: 'https://app.example.com/login', resetLink: 'javascript:alert(1)' } })).rejects.toMatchObject({ code: 'mail.invalid_link' });
  });
});

describe('mail without SMTP', () => {
  it('captures the mail in the outbox, logs it with a masked address, and shows it to the admin route', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const offline = await startTestPlatform({ JOBS_IN_PROCESS: true, JOBS_POLL_INTERVAL_MS: 500 }, { logger });
    try {
      const own = await offline.createTenant();
      const link = 'https://app.example.com/verify?token=captured';
      const queued = await withTenant(offline.platform.database.db, { tenantId: own.id }, (tx) =>
        offline.platform.mail.queueMail(tx, { template: 'verification', to: 'captured.person@example.com', data: { link } }),
      );
      const mail = await until(async () => {
        const response = await offline.platform.http.inject({ method: 'GET', url: `/v1/admin/mails/${queued.id}`, headers: { 'x-tenant': own.slug } });
        const body = response.json() as { state: string; html: string };
        return body.state === 'captured' ? body : undefined;
      });
      expect(linksOf(mail.html)).toContain(link);
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; to?: string }).find((line) => line.msg.startsWith('mail captured'));
      expect(logged?.to).toBe('c***@example.com');
      expect(lines.join('\n')).not.toContain('captured.person@example.com');
    } finally {
      await offline.close();
    }
  });
});
