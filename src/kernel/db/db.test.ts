import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testMigrationDirs } from '../../../test/support/test-env.ts';
import { newId } from '../shared/index.ts';
import { assertRuntimeRoleIsSafe, migrateToLatest, openDatabase, withTenant, withUrlParts, type Database } from './index.ts';

let database: TestDatabase;
let app: Database;
let tenantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 1 });
  tenantId = newId();
  await sql`insert into tenants (id, slug, name) values (${tenantId}, 'db-test', 'DB test')`.execute(database.owner.db);
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe('withTenant', () => {
  it('sets the tenant for its transaction only: the pooled connection keeps nothing', async () => {
    const inside = await withTenant(app.db, { tenantId }, async (tx) => (await sql<{ id: string }>`select tenantry_current_tenant() as id`.execute(tx)).rows[0]?.id);
    expect(inside).toBe(tenantId);
    // The pool has one connection: this query runs on the very connection used above.
    const after = await sql<{ id: string | null; setting: string | null }>`select tenantry_current_tenant() as id, current_setting('app.tenant_id', true) as setting`.execute(app.db);
    expect(after.rows[0]).toEqual({ id: null, setting: '' });
  });

  it('rolls back everything when the work fails', async () => {
    const categoryId = newId();
    await expect(
      withTenant(app.db, { tenantId }, async (tx) => {
        await sql`insert into kt_categories (tenant_id, id, code, title) values (${tenantId}, ${categoryId}, 'ROLLBACK', 'x')`.execute(tx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await sql`select 1 from kt_categories where id = ${categoryId}`.execute(database.owner.db);
    expect(rows.rows).toHaveLength(0);
    // The connection is usable again afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(app.db)).rows[0]?.one).toBe(1);
  });

  it('refuses a tenant id that is not a UUID (nothing reaches SQL)', async () => {
    await expect(withTenant(app.db, { tenantId: "x'; drop table tenants; --" }, async () => 1)).rejects.toMatchObject({ code: 'db.invalid_tenant_context' });
    await expect(withTenant(app.db, { tenantId, userId: 'nobody' }, async () => 1)).rejects.toMatchObject({ code: 'db.invalid_tenant_context' });
  });
});

describe('type parsers', () => {
  it('gives each timestamptz a Date of its own, repeated texts included, and infinities as numbers', async () => {
    const query = sql<{ t: Date | number }>`
      select t from (values (1, '2026-11-21 10:00:00.123456+00'::timestamptz), (2, '2026-11-21 10:00:00.123456+00'), (3, 'infinity'),
        (4, '2026-11-21 10:00:00.123456+00'), (5, '1999-12-31 23:59:59+02'), (6, '-infinity'), (7, '1999-12-31 23:59:59+02')) as v(n, t) order by n`;
    const first = (await query.execute(app.db)).rows.map((row) => row.t);
    (first[0] as Date).setTime(0);
    const second = (await query.execute(app.db)).rows.map((row) => row.t);
    for (const values of [first.slice(1), second.slice(1)]) {
      expect(values.map((value) => (value instanceof Date ? value.toISOString() : value))).toEqual([
        '2026-11-21T10:00:00.123Z',
        Infinity,
        '2026-11-21T10:00:00.123Z',
        '1999-12-31T21:59:59.000Z',
        -Infinity,
        '1999-12-31T21:59:59.000Z',
      ]);
    }
    expect(second[0]).toEqual(new Date('2026-11-21T10:00:00.123Z'));
    expect(new Set(second).size).toBe(second.length);
  });
});

describe('runtime role check', () => {
  it('accepts tenantry_app', async () => {
    await expect(assertRuntimeRoleIsSafe(app.db)).resolves.toBeUndefined();
  });

  it('refuses to run as a role that could bypass row-level security', async () => {
    await expect(assertRuntimeRoleIsSafe(database.owner.db)).rejects.toMatchObject({ code: 'db.unsafe_runtime_role' });
    const role = `bypass_${randomBytes(4).toString('hex')}`;
    await sql.raw(`CREATE ROLE ${role} LOGIN BYPASSRLS PASSWORD 'bypass-test-pw'`).execute(database.owner.db);
    const bypass = openDatabase(withUrlParts(database.ownerUrl, { user: role, password: 'bypass-test-pw' }), { max: 1 });
    try {
      await expect(assertRuntimeRoleIsSafe(bypass.db)).rejects.toThrow(/BYPASSRLS/);
    } finally {
      await bypass.close();
      await sql.raw(`DROP ROLE ${role}`).execute(database.owner.db);
    }
  });
});

describe('migrations', () => {
  it('apply once under concurrency, and a re-run is a no-op', async () => {
    const admin = openDatabase(inject('adminUrl'), { max: 1 });
    const name = `t_mig_${randomBytes(4).toString('hex')}`;
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    const owners = [0, 1].map(() => openDatabase(withUrlParts(inject('adminUrl'), { database: name }), { max: 1 }));
    try {
      const [first, second] = await Promise.all(owners.map((owner) => migrateToLatest(owner.db, testMigrationDirs)));
      const applied = [...first!, ...second!];
      expect(applied.length).toBeGreaterThan(3);
      expect(new Set(applied).size).toBe(applied.length);
      expect(await migrateToLatest(owners[0]!.db, testMigrationDirs)).toEqual([]);
    } finally {
      await Promise.all(owners.map((owner) => owner.close()));
      await sql.raw(`DROP DATABASE ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    }
  });

  it('upgrades a database migrated by an earlier build, when new modules bring older-named migrations', async () => {
    const admin = openDatabase(inject('adminUrl'), { max: 1 });
    const name = `t_upg_${randomBytes(4).toString('hex')}`;
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    const owner = openDatabase(withUrlParts(inject('adminUrl'), { database: name }), { max: 1 });
    try {
      // The earlier build: the first kernel modules and the apps, not the modules added since.
      const earlier = testMigrationDirs.filter((dir) => !/(audit|identity|access|jobs|mail)/.test(dir));
      expect(earlier.length).toBeLessThan(testMigrationDirs.length);
      await migrateToLatest(owner.db, earlier);
      const applied = await migrateToLatest(owner.db, testMigrationDirs);
      expect(applied.some((migration) => migration.includes('_audit_'))).toBe(true);
      expect(await migrateToLatest(owner.db, testMigrationDirs)).toEqual([]);
    } finally {
      await owner.close();
      await sql.raw(`DROP DATABASE ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    }
  });
});
