/**
 * The purge of spent secrets on real SQL as the runtime role (RLS forced): two tenants hold the same
 * set of rows, fresh and spent; a purge of one tenant removes exactly the spent rows of that tenant,
 * the purge of all tenants then those of the other, and the jobs do the same through pg-boss.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { until } from '../../../test/support/smtp-inbox.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { createJobQueue } from '../jobs/index.ts';
import { createMailRetention } from '../mail/index.ts';
import { createLogger } from '../observability/index.ts';
import { newId } from '../shared/index.ts';
import { createTenantDirectory, type TenantDirectory } from '../tenancy/index.ts';
import { createSecretPurge, secretPurgeQueues } from './secret-purge.ts';

let database: TestDatabase;
let app: Database;
let tenants: TenantDirectory;
const day = 86_400_000;
const hour = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 4 });
  tenants = createTenantDirectory(app.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const owner = () => database.owner.db;
const ago = (ms: number) => new Date(Date.now() - ms);
const ahead = (ms: number) => new Date(Date.now() + ms);

/** The ids of one tenant's rows, named by what the purge must do with them. */
interface Seeded {
  tenantId: string;
  kept: { userTokens: string[]; invitations: string[]; sessions: string[]; refreshTokens: string[]; mails: string[] };
  purged: { userTokens: string[]; invitations: string[]; sessions: string[]; refreshTokens: string[]; mails: string[] };
}

async function seedTenant(slug: string): Promise<Seeded> {
  const tenant = await tenants.createTenant({ slug, name: slug });
  const tenantId = tenant.id;
  const seeded: Seeded = { tenantId, kept: { userTokens: [], invitations: [], sessions: [], refreshTokens: [], mails: [] }, purged: { userTokens: [], invitations: [], sessions: [], refreshTokens: [], mails: [] } };
  const user = newId();
  const resetUser = newId();
  for (const [id, notBefore] of [[user, null], [resetUser, ago(31 * day)]] as const) {
    await sql`insert into identity_users (id, email, email_normalized, name, sessions_not_before) values (${id}, ${`${id}@example.test`}, ${`${id}@example.test`}, 'Purge user', ${notBefore})`.execute(owner());
  }

  const userToken = async (fate: 'kept' | 'purged', row: { createdAgo: number; expiresIn: number; used: boolean }) => {
    const id = newId();
    await sql`insert into identity_user_tokens (tenant_id, id, user_id, purpose, token_hash, email, created_at, expires_at, used_at)
      values (${tenantId}, ${id}, ${user}, 'email_verification', ${randomBytes(32)}, 'purge@example.test', ${ago(row.createdAgo)}, ${ahead(row.expiresIn)}, ${row.used ? ago(row.createdAgo - 60_000) : null})`.execute(owner());
    seeded[fate].userTokens.push(id);
  };
  await userToken('kept', { createdAgo: 0, expiresIn: day, used: false }); // live
  await userToken('kept', { createdAgo: 2 * hour, expiresIn: 20 * hour, used: true }); // spent, but the throttles still count it
  await userToken('kept', { createdAgo: 2 * day, expiresIn: day, used: false }); // old, still usable
  await userToken('purged', { createdAgo: 2 * day, expiresIn: -day, used: true }); // used
  await userToken('purged', { createdAgo: 3 * day, expiresIn: -2 * day, used: false }); // expired

  const invitation = async (fate: 'kept' | 'purged', row: { expiresIn: number; acceptedAgo?: number; revokedAgo?: number }) => {
    const id = newId();
    const email = `${id}@example.test`;
    await sql`insert into identity_invitations (tenant_id, id, email, email_normalized, role, token_hash, expires_at, accepted_at, revoked_at)
      values (${tenantId}, ${id}, ${email}, ${email}, 'member', ${randomBytes(32)}, ${ahead(row.expiresIn)},
        ${row.acceptedAgo === undefined ? null : ago(row.acceptedAgo)}, ${row.revokedAgo === undefined ? null : ago(row.revokedAgo)})`.execute(owner());
    seeded[fate].invitations.push(id);
  };
  await invitation('kept', { expiresIn: 7 * day }); // pending
  await invitation('kept', { expiresIn: -2 * day }); // expired lately
  await invitation('kept', { expiresIn: -22 * day, acceptedAgo: 29 * day }); // accepted lately
  await invitation('purged', { expiresIn: -24 * day, acceptedAgo: 31 * day });
  await invitation('purged', { expiresIn: -24 * day, revokedAgo: 31 * day });
  await invitation('purged', { expiresIn: -31 * day });

  const session = async (fate: 'kept' | 'purged', row: { userId?: string; createdAgo: number; expiresIn: number; revokedAgo?: number }, tokens: { usedAgo: number | null; fate?: 'kept' | 'purged' }[] = [{ usedAgo: null }]) => {
    const id = newId();
    await sql`insert into identity_sessions (tenant_id, id, user_id, created_at, expires_at, revoked_at)
      values (${tenantId}, ${id}, ${row.userId ?? user}, ${ago(row.createdAgo)}, ${ahead(row.expiresIn)}, ${row.revokedAgo === undefined ? null : ago(row.revokedAgo)})`.execute(owner());
    seeded[fate].sessions.push(id);
    for (const token of tokens) {
      const tokenId = newId();
      await sql`insert into identity_refresh_tokens (tenant_id, id, session_id, token_hash, created_at, used_at)
        values (${tenantId}, ${tokenId}, ${id}, ${randomBytes(32)}, ${ago(row.createdAgo)}, ${token.usedAgo === null ? null : ago(token.usedAgo)})`.execute(owner());
      seeded[token.fate ?? fate].refreshTokens.push(tokenId);
    }
  };
  await session('kept', { createdAgo: 40 * day, expiresIn: 10 * day }, [{ usedAgo: null }, { usedAgo: day }, { usedAgo: 31 * day, fate: 'purged' }]); // live
  await session('kept', { createdAgo: 10 * day, expiresIn: 20 * day, revokedAgo: 5 * day }); // revoked lately
  await session('kept', { createdAgo: 40 * day, expiresIn: -29 * day }); // expired lately
  await session('purged', { createdAgo: 40 * day, expiresIn: 10 * day, revokedAgo: 31 * day });
  await session('purged', { createdAgo: 61 * day, expiresIn: -31 * day });
  await session('purged', { userId: resetUser, createdAgo: 40 * day, expiresIn: 10 * day }); // ended by a password reset 31 days ago

  const mail = async (fate: 'kept' | 'purged', row: { state: string; finishedAgo: number }) => {
    const id = newId();
    await sql`insert into mail_outbox (tenant_id, id, template, locale, recipient, subject, html, text, state, updated_at, sent_at)
      values (${tenantId}, ${id}, 'verification', 'en', 'purge@example.test', 'Confirm', ${`<a href="https://app.example.com/verify-email?token&#x3D;${id}">x</a>`},
        ${`https://app.example.com/verify-email?token=${id}`}, ${row.state}, ${ago(row.finishedAgo)}, ${row.state === 'sent' ? ago(row.finishedAgo) : null})`.execute(owner());
    seeded[fate].mails.push(id);
  };
  await mail('kept', { state: 'sent', finishedAgo: 6 * day });
  await mail('kept', { state: 'queued', finishedAgo: 8 * day });
  await mail('purged', { state: 'sent', finishedAgo: 8 * day });
  return seeded;
}

/** Which of the seeded rows are still there (mails: whose bodies still hold their secret). */
async function remaining(seeded: Seeded): Promise<Seeded['kept']> {
  const ids = async (table: string, extra = sql``) =>
    (await sql<{ id: string }>`select id from ${sql.table(table)} where tenant_id = ${seeded.tenantId} ${extra} order by id`.execute(owner())).rows.map((row) => row.id);
  return {
    userTokens: await ids('identity_user_tokens'),
    invitations: await ids('identity_invitations'),
    sessions: await ids('identity_sessions'),
    refreshTokens: await ids('identity_refresh_tokens'),
    mails: await ids('mail_outbox', sql`and text like '%token=' || id::text || '%'`),
  };
}

const sorted = (rows: Seeded['kept']) => Object.fromEntries(Object.entries(rows).map(([key, values]) => [key, [...values].sort()]));
const everything = (seeded: Seeded) => sorted(Object.fromEntries(Object.keys(seeded.kept).map((key) => [key, [...seeded.kept[key as keyof Seeded['kept']], ...seeded.purged[key as keyof Seeded['kept']]]])) as Seeded['kept']);
const expectedCounts = { userTokens: 2, invitations: 3, sessions: 3, refreshTokens: 4, mailBodies: 1 };

describe('purge of spent secrets', () => {
  it('removes exactly the spent rows of the tenant it purges, and nothing of another tenant', async () => {
    const a = await seedTenant('purge-a');
    const b = await seedTenant('purge-b');
    const purge = createSecretPurge({ db: app.db, tenants, mail: createMailRetention() });

    expect(await purge.purgeTenant(a.tenantId, new Date())).toEqual(expectedCounts);
    expect(sorted(await remaining(a))).toEqual(sorted(a.kept));
    expect(sorted(await remaining(b))).toEqual(everything(b));

    const report = await purge.purgeExpired(new Date());
    expect(report.tenants).toBeGreaterThanOrEqual(2);
    expect(report).toMatchObject(expectedCounts);
    expect(sorted(await remaining(b))).toEqual(sorted(b.kept));
    expect(sorted(await remaining(a))).toEqual(sorted(a.kept));
    // Purged mails stay listed, without their secret.
    const stored = await sql<{ text: string }>`select text from mail_outbox where id = ${a.purged.mails[0]!}`.execute(owner());
    expect(stored.rows[0]!.text).toBe('https://app.example.com/verify-email?token=[redacted]');
  });

  it('runs as jobs: the fan-out enqueues a purge per tenant, each under its tenant; the schedule is stored', async () => {
    const c = await seedTenant('purge-c');
    const d = await seedTenant('purge-d');
    const jobs = createJobQueue({ database: app, logger: createLogger({ level: 'silent' }), work: true, pollIntervalMs: 500 });
    const purge = createSecretPurge({ db: app.db, tenants, mail: createMailRetention() });
    purge.register(jobs);
    await jobs.start();
    try {
      await purge.schedule(jobs, '0 4 * * *');
      const schedule = await sql<{ cron: string }>`select cron from pgboss.schedule where name = ${secretPurgeQueues.fanOut}`.execute(owner());
      expect(schedule.rows).toEqual([{ cron: '0 4 * * *' }]);
      await jobs.enqueue({ tenantId: '00000000-0000-0000-0000-000000000000' }, secretPurgeQueues.fanOut, {});
      await until(async () => {
        const [left, right] = [sorted(await remaining(c)), sorted(await remaining(d))];
        return JSON.stringify(left) === JSON.stringify(sorted(c.kept)) && JSON.stringify(right) === JSON.stringify(sorted(d.kept)) ? true : undefined;
      });
    } finally {
      await jobs.stop();
    }
  });
});
