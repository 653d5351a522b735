import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { openDatabase, withTenant, type Database } from '../db/index.ts';
import { createLogger } from '../observability/index.ts';
import { createTenantDirectory } from '../tenancy/index.ts';
import { createJobQueue, deadLetterQueueOf, jobsMigrations, type JobQueue } from './index.ts';
import { kyselyExecutor } from './jobs.repository.ts';

let database: TestDatabase;
let app: Database;
let jobs: JobQueue;
let tenantA: string;
let tenantB: string;
const seen: { tenantId: string; visibleTenants: string[]; marker: string }[] = [];
const failures: { marker: string; attempt: number; at: number }[] = [];
/** Per queue: how many of its jobs were running, the most at once, and how many finished. */
const overlap = new Map<string, { running: number; most: number; done: number }>();
const overlapping = (queue: string) => async () => {
  const state = overlap.get(queue) ?? { running: 0, most: 0, done: 0 };
  overlap.set(queue, state);
  state.running += 1;
  state.most = Math.max(state.most, state.running);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  state.running -= 1;
  state.done += 1;
};

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 6 });
  const tenants = createTenantDirectory(app.db);
  tenantA = (await tenants.createTenant({ slug: 'jobs-a', name: 'Jobs A' })).id;
  tenantB = (await tenants.createTenant({ slug: 'jobs-b', name: 'Jobs B' })).id;
  // Rows of both tenants in a tenant table, written by the owner (RLS does not limit it here).
  for (const tenantId of [tenantA, tenantB]) {
    await sql`insert into idempotency_keys (tenant_id, key, request_hash, status_code, expires_at) values (${tenantId}, ${`k-${tenantId}`}, 'h', 201, now() + interval '1 day')`.execute(database.owner.db);
  }
  jobs = createJobQueue({ database: app, logger: createLogger({ level: 'silent' }), work: true, pollIntervalMs: 500, concurrency: 2 });
  jobs.register<{ marker: string }>('test.read', {
    async handler(job) {
      const rows = await job.withTenant((tx) => sql<{ tenant_id: string }>`select distinct tenant_id::text from idempotency_keys`.execute(tx));
      seen.push({ tenantId: job.tenantId, visibleTenants: rows.rows.map((row) => row.tenant_id), marker: job.payload.marker });
    },
  });
  jobs.register<{ marker: string }>('test.fail', {
    retryLimit: 2,
    retryDelaySeconds: 1,
    retryBackoff: true,
    async handler(job) {
      failures.push({ marker: job.payload.marker, attempt: job.attempt, at: Date.now() });
      throw new Error(`boom ${job.attempt}/${job.maxAttempts}`);
    },
  });
  jobs.register('test.serial', { concurrency: 1, handler: overlapping('test.serial') });
  jobs.register('test.parallel', { handler: overlapping('test.parallel') });
  await jobs.start();
});

afterAll(async () => {
  await jobs?.stop({ timeoutMs: 1000 });
  await app?.close();
  await database?.drop();
});

describe('job queue', () => {
  it('runs a job under its own tenant: a tenant table shows only that tenant’s rows', async () => {
    await jobs.enqueue({ tenantId: tenantA }, 'test.read', { marker: 'read-a' });
    await jobs.enqueue({ tenantId: tenantB }, 'test.read', { marker: 'read-b' });
    const a = await until(() => seen.find((entry) => entry.marker === 'read-a'));
    const b = await until(() => seen.find((entry) => entry.marker === 'read-b'));
    expect(a).toEqual({ tenantId: tenantA, visibleTenants: [tenantA], marker: 'read-a' });
    expect(b).toEqual({ tenantId: tenantB, visibleTenants: [tenantB], marker: 'read-b' });
  });

  it('writes a job inside a tenant transaction: committed with it, or gone with its rollback', async () => {
    const rollback = new Error('rollback');
    await expect(
      withTenant(app.db, { tenantId: tenantA }, async (tx) => {
        await jobs.enqueue({ tenantId: tenantA, tx }, 'test.read', { marker: 'rolled-back' });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    const committedId = await withTenant(app.db, { tenantId: tenantA }, (tx) => jobs.enqueue({ tenantId: tenantA, tx }, 'test.read', { marker: 'committed' }));
    await until(() => seen.find((entry) => entry.marker === 'committed'));
    expect((await jobs.getJob('test.read', committedId!))?.state).toBe('completed');
    const stored = await sql<{ marker: string }>`select data->'payload'->>'marker' as marker from pgboss.job where name = 'test.read'`.execute(database.owner.db);
    expect(stored.rows.map((row) => row.marker)).not.toContain('rolled-back');
    expect(seen.map((entry) => entry.marker)).not.toContain('rolled-back');
  });

  it('retries a throwing job with growing delays, then keeps it as failed and dead-lettered', async () => {
    const id = await jobs.enqueue({ tenantId: tenantB }, 'test.fail', { marker: 'doomed' });
    const job = await until(async () => {
      const info = await jobs.getJob('test.fail', id!);
      return info?.state === 'failed' ? info : undefined;
    }, 25_000);
    const attempts = failures.filter((entry) => entry.marker === 'doomed');
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    // Backoff: delay n is retryDelay * 2^(n-1) .. twice that (pg-boss adds jitter), so >= 1 s then >= 2 s.
    const firstGap = attempts[1]!.at - attempts[0]!.at;
    const secondGap = attempts[2]!.at - attempts[1]!.at;
    expect(firstGap).toBeGreaterThanOrEqual(900);
    expect(secondGap).toBeGreaterThanOrEqual(1900);
    expect(job).toMatchObject({ state: 'failed', attempts: 3, retryLimit: 2, tenantId: tenantB, error: 'boom 3/3' });
    expect((await jobs.listDeadLetters('test.fail')).map((entry) => entry.id)).toContain(id);
    const dead = await sql<{ tenant: string; marker: string }>`
      select data->>'tenantId' as tenant, data->'payload'->>'marker' as marker from pgboss.job where name = ${deadLetterQueueOf('test.fail')}`.execute(database.owner.db);
    expect(dead.rows).toContainEqual({ tenant: tenantB, marker: 'doomed' });
  });

  it('runs a queue that caps its concurrency one job at a time, where the others take JOBS_CONCURRENCY at once', async () => {
    for (const queue of ['test.serial', 'test.parallel']) for (let index = 0; index < 3; index++) await jobs.enqueue({ tenantId: tenantA }, queue, {});
    await until(() => overlap.get('test.serial')?.done === 3 && overlap.get('test.parallel')?.done === 3, 30_000);
    expect(overlap.get('test.serial')!.most).toBe(1);
    expect(overlap.get('test.parallel')!.most).toBe(2);
  });

  it('keeps a cron schedule with the tenant it runs for', async () => {
    await jobs.schedule('test.read', '0 3 * * *', { tenantId: tenantA, payload: { marker: 'nightly' }, timezone: 'Europe/Paris' });
    const schedules = await sql<{ cron: string; tenant: string; timezone: string }>`select cron, data->>'tenantId' as tenant, timezone from pgboss.schedule where name = 'test.read'`.execute(database.owner.db);
    expect(schedules.rows).toEqual([{ cron: '0 3 * * *', tenant: tenantA, timezone: 'Europe/Paris' }]);
    await jobs.unschedule('test.read');
  });

  it('refuses a job without a valid tenant and a queue nobody registered', async () => {
    await expect(jobs.enqueue({ tenantId: 'not-a-tenant' }, 'test.read', {})).rejects.toMatchObject({ code: 'jobs.invalid_tenant' });
    await expect(jobs.enqueue({ tenantId: tenantA }, 'test.unknown', {})).rejects.toMatchObject({ code: 'jobs.unknown_queue' });
  });

  it('leaves the runtime role without ownership or CREATE in the pgboss schema, queues included', async () => {
    const owned = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'pgboss' and c.relowner = (select oid from pg_roles where rolname = 'tenantry_app')`.execute(database.owner.db);
    expect(owned.rows).toEqual([]);
    const partitions = await sql<{ count: number }>`select count(*)::int as count from pg_inherits where inhparent = 'pgboss.job'::regclass`.execute(database.owner.db);
    expect(partitions.rows[0]!.count).toBeGreaterThanOrEqual(4); // test.read, test.fail and their dead-letter queues
    const create = await sql<{ allowed: boolean }>`select has_schema_privilege('tenantry_app', 'pgboss', 'CREATE') as allowed`.execute(database.owner.db);
    expect(create.rows[0]!.allowed).toBe(false);
    await expect(sql`select pgboss.delete_queue('test.read')`.execute(app.db)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('pg-boss maintenance as the runtime role', () => {
  it('expires, archives and drops jobs with DML grants only', async () => {
    const boss = new PgBoss({ db: kyselyExecutor(app.db), schema: 'pgboss', migrate: false, supervise: false, schedule: false } as PgBoss.ConstructorOptions);
    boss.on('error', () => {});
    await boss.start();
    try {
      await boss.maintain(); // rejects on a missing privilege
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
  });
});

describe('the pg-boss schema migration', () => {
  it('is pg-boss’s own construction plan (regenerate the migration when pg-boss changes it)', () => {
    const migration = readFileSync(join(jobsMigrations, '20260301T000000_jobs_pgboss_schema.sql'), 'utf8');
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    const plan = PgBoss.getConstructionPlans('pgboss')
      .replace(/^\s*BEGIN;\s*$/m, '')
      .replace(/^\s*SET LOCAL.*$/gm, '')
      .replace(/^\s*COMMIT;\s*$/m, '')
      .replace(/SELECT pg_advisory_xact_lock\([\s\S]*?\);\n/, '');
    expect(squash(migration)).toContain(squash(plan));
  });
});
