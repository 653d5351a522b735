/**
 * Link secrets leave the stored bodies of mails delivered or failed more than a cutoff ago; queued
 * mails, recent ones and other tenants' mails keep theirs. Real SQL as the runtime role under RLS.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { openDatabase, withTenant, type Database } from '../db/index.ts';
import { newId } from '../shared/index.ts';
import { createTenantDirectory } from '../tenancy/index.ts';
import { createMailRetention } from './index.ts';

let database: TestDatabase;
let app: Database;
const day = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 2 });
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function storeMail(tenantId: string, state: string, finishedDaysAgo: number): Promise<string> {
  const id = newId();
  const at = new Date(Date.now() - finishedDaysAgo * day);
  await sql`insert into mail_outbox (tenant_id, id, template, locale, recipient, subject, html, text, state, created_at, updated_at, sent_at)
    values (${tenantId}, ${id}, 'password_reset', 'en', 'sam@example.com', 'Reset your password',
      ${`<a href="https://app.example.com/reset-password?token&#x3D;${id}.secret">x</a>`}, ${`Choose a new password: https://app.example.com/reset-password?token=${id}.secret`},
      ${state}, ${at}, ${at}, ${state === 'sent' || state === 'captured' ? at : null})`.execute(database.owner.db);
  return id;
}

const bodyOf = async (tenantId: string, id: string) =>
  (await sql<{ html: string; text: string; purged: Date | null }>`select html, text, link_secrets_purged_at as purged from mail_outbox where tenant_id = ${tenantId} and id = ${id}`.execute(database.owner.db)).rows[0]!;

describe('mail retention', () => {
  it('removes link secrets from delivered and failed mails older than the cutoff, in the transaction tenant only', async () => {
    const tenants = createTenantDirectory(app.db);
    const [a, b] = [await tenants.createTenant({ slug: 'retention-a', name: 'A' }), await tenants.createTenant({ slug: 'retention-b', name: 'B' })];
    const old = { sent: await storeMail(a.id, 'sent', 8), captured: await storeMail(a.id, 'captured', 8), failed: await storeMail(a.id, 'failed', 8) };
    const kept = { recent: await storeMail(a.id, 'sent', 6), queued: await storeMail(a.id, 'queued', 8), otherTenant: await storeMail(b.id, 'sent', 8) };
    const retention = createMailRetention();

    const purged = await withTenant(app.db, { tenantId: a.id }, (tx) => retention.purgeLinkSecrets(tx, new Date(Date.now() - 7 * day)));
    expect(purged).toBe(3);
    for (const id of Object.values(old)) {
      const body = await bodyOf(a.id, id);
      expect(body.html + body.text).not.toContain('.secret');
      expect(body.html).toContain('token&#x3D;[redacted]');
      expect(body.text).toContain('reset-password?token=[redacted]');
      expect(body.purged).not.toBeNull();
    }
    for (const [tenantId, id] of [[a.id, kept.recent], [a.id, kept.queued], [b.id, kept.otherTenant]] as const) {
      const body = await bodyOf(tenantId, id);
      expect(body.text).toContain(`token=${id}.secret`);
      expect(body.purged).toBeNull();
    }
    // A second run finds nothing left to do.
    expect(await withTenant(app.db, { tenantId: a.id }, (tx) => retention.purgeLinkSecrets(tx, new Date(Date.now() - 7 * day)))).toBe(0);
  });
});
