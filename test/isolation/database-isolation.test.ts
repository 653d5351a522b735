/**
 * Tenant isolation at the database: the catalog (RLS enabled, forced, one tenant policy per
 * command, a safe runtime role, read-only global tables) and the behaviour of the runtime role on
 * every tenant table the catalog lists, kernel tables included, with rows of two tenants present.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, withTenant } from '../../src/kernel/db/index.ts';
import { checkAccessAsTenant, checkAccessWithoutTenant } from '../support/isolation-access-checks.ts';
import {
  checkGlobalTablesReadOnly,
  checkRowLevelSecurity,
  checkRuntimeRole,
  checkTenantFunction,
  checkViewsOverTenantTables,
  findGlobalTables,
  findTenantTables,
} from '../support/isolation-catalog-checks.ts';
import { globalWriteAllowance, isolationRegistry, knownKernelTenantTables, startSeededDatabase, type SeededDatabase } from '../support/isolation-setup.ts';

let seeded: SeededDatabase;
let tenantTables: string[];
const owner = () => seeded.database.owner.db;

beforeAll(async () => {
  seeded = await startSeededDatabase();
  tenantTables = await findTenantTables(owner());
});
afterAll(() => seeded?.close());

describe('tenant tables in the catalog', () => {
  it('lists every tenant table of the model and of the kernel', () => {
    const modelTables = isolationRegistry.entities.filter((entity) => entity.scope === 'tenant').map((entity) => entity.table);
    expect(modelTables.length).toBeGreaterThanOrEqual(4);
    expect(tenantTables).toEqual(expect.arrayContaining([...modelTables, ...knownKernelTenantTables]));
  });

  it('holds rows of both tenants in every tenant table, so the checks below are not vacuous', async () => {
    const empty: string[] = [];
    for (const table of tenantTables) {
      const result = await sql<{ tenant_id: string }>`select distinct tenant_id from ${sql.table(table)}`.execute(owner());
      const tenants = result.rows.map((row) => row.tenant_id);
      if (!tenants.includes(seeded.world.a.id) || !tenants.includes(seeded.world.b.id)) empty.push(table);
    }
    expect(empty, 'tables without rows of tenant A and B: make the seed write them').toEqual([]);
  });

  it('has row-level security enabled and forced on every tenant table, with a tenant policy for each command', async () => {
    expect(await checkRowLevelSecurity(owner())).toEqual([]);
  });

  it('derives the current tenant only from the transaction-local setting', async () => {
    expect(await checkTenantFunction(owner())).toEqual([]);
  });

  it('runs the server as a role that is no superuser, cannot bypass RLS and owns no table', async () => {
    expect(await checkRuntimeRole(owner())).toEqual([]);
  });

  it('lets the runtime role only read global tables (tenants, identity_users and identity_totp_factors excepted, for the tenant lifecycle, sign-up and second factors)', async () => {
    const globals = await findGlobalTables(owner());
    const modelGlobals = isolationRegistry.entities.filter((entity) => entity.scope === 'global').map((entity) => entity.table);
    expect(globals).toEqual(expect.arrayContaining([...modelGlobals, 'tenants']));
    expect(await checkGlobalTablesReadOnly(owner(), globalWriteAllowance)).toEqual([]);
    // The exception stays exactly this: no TRUNCATE, and no other writable global table.
    expect(Object.keys(globalWriteAllowance)).toEqual(['tenants', 'identity_users', 'identity_totp_factors']);
    const strict = await checkGlobalTablesReadOnly(owner());
    expect(strict).toEqual(
      expect.arrayContaining([
        { rule: 'global_table_writable', relation: 'tenants', detail: 'tenantry_app may INSERT, UPDATE, DELETE' },
        { rule: 'global_table_writable', relation: 'identity_users', detail: 'tenantry_app may INSERT, UPDATE' },
        { rule: 'global_table_writable', relation: 'identity_totp_factors', detail: 'tenantry_app may INSERT, UPDATE, DELETE' },
      ]),
    );
    expect(strict).toHaveLength(3);
  });

  it('exposes no tenant table through a view that bypasses row-level security', async () => {
    expect(await checkViewsOverTenantTables(owner())).toEqual([]);
  });
});

describe('the runtime role with no tenant set', () => {
  it('reads no row and writes no row of any tenant table on a fresh connection', async () => {
    const fresh = openDatabase(seeded.database.appUrl, { max: 1 });
    try {
      expect(await checkAccessWithoutTenant({ owner: owner(), app: fresh.db, tables: tenantTables })).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('reads no row and writes no row on a pooled connection that just served tenant A', async () => {
    const single = openDatabase(seeded.database.appUrl, { max: 1 });
    try {
      const seen = await withTenant(single.db, { tenantId: seeded.world.a.id }, async (tx) => {
        const result = await sql<{ tenant: string }>`select tenantry_current_tenant()::text as tenant`.execute(tx);
        return result.rows[0]!.tenant;
      });
      expect(seen).toBe(seeded.world.a.id);
      expect(await checkAccessWithoutTenant({ owner: owner(), app: single.db, tables: tenantTables })).toEqual([]);
    } finally {
      await single.close();
    }
  });

  it('reads and writes no row of any tenant table through the runtime pool that served the seeding', async () => {
    expect(await checkAccessWithoutTenant({ owner: owner(), app: seeded.app.db, tables: tenantTables })).toEqual([]);
  });
});

describe('the runtime role with a tenant set through withTenant', () => {
  it('sees only tenant A\'s rows and cannot write, delete, add to or move into tenant B\'s', async () => {
    const violations = await checkAccessAsTenant({ owner: owner(), app: seeded.app.db, tables: tenantTables, tenantId: seeded.world.a.id, otherTenantId: seeded.world.b.id });
    expect(violations).toEqual([]);
  });

  it('sees only tenant B\'s rows and cannot write, delete, add to or move into tenant A\'s', async () => {
    const violations = await checkAccessAsTenant({ owner: owner(), app: seeded.app.db, tables: tenantTables, tenantId: seeded.world.b.id, otherTenantId: seeded.world.a.id });
    expect(violations).toEqual([]);
  });

  it('leaves every row of both tenants as it was after the probes', async () => {
    const counts = async () => {
      const all: Record<string, number> = {};
      for (const table of tenantTables) {
        const result = await sql<{ rows: number }>`select count(*)::int as rows from ${sql.table(table)}`.execute(owner());
        all[table] = result.rows[0]!.rows;
      }
      return all;
    };
    const before = await counts();
    await checkAccessWithoutTenant({ owner: owner(), app: seeded.app.db, tables: tenantTables });
    await checkAccessAsTenant({ owner: owner(), app: seeded.app.db, tables: tenantTables, tenantId: seeded.world.a.id, otherTenantId: seeded.world.b.id });
    expect(await counts()).toEqual(before);
  });
});
