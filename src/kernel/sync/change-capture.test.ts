/**
 * The change capture of synced tables (migration 20261127T090000): two statement triggers a table,
 * over transition tables, that log one change row per row written, keep the old values of the
 * capture columns on updates, and replaced the row trigger of every table that had it.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { withTenant } from '../db/index.ts';
import { renderSyncTriggers, syncTriggerNames } from '../model/index.ts';

let t: TestPlatform;
let owner: Kysely<any>;
beforeAll(async () => {
  t = await startTestPlatform();
  owner = t.database.owner.db;
});
afterAll(() => t.close());

interface TriggerRow {
  name: string;
  function: string;
  perRow: boolean;
  args: string;
}

async function triggersOf(table: string): Promise<TriggerRow[]> {
  const result = await sql<TriggerRow>`
    select tg.tgname as name, tg.tgfoid::regproc::text as function, (tg.tgtype & 1) = 1 as "perRow", encode(tg.tgargs, 'escape') as args
    from pg_trigger tg where tg.tgrelid = ${table}::regclass and not tg.tgisinternal order by tg.tgfoid::regproc::text, tg.tgname`.execute(owner);
  return result.rows;
}

/** A synced table of the test's own: tenant rows with a version and one capture column. */
async function createProbe(table: string, legacy: boolean): Promise<void> {
  await sql.raw(`CREATE TABLE ${table} (tenant_id uuid NOT NULL, id uuid NOT NULL DEFAULT gen_random_uuid(), version bigint NOT NULL DEFAULT 1, territory text, note text, PRIMARY KEY (tenant_id, id))`).execute(owner);
  const statements = legacy
    ? [`CREATE TRIGGER ${table.slice(0, 40)}_sync_capture AFTER INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION tenantry_sync_capture('territory')`]
    : renderSyncTriggers({ table, sync: { capture: ['territory'] } } as Parameters<typeof renderSyncTriggers>[0]);
  for (const statement of statements) await sql.raw(statement).execute(owner);
}

interface Change {
  record_id: string;
  version: string;
  previous: Record<string, unknown> | null;
}

async function changesOf(tenantId: string, table: string): Promise<Change[]> {
  const result = await withTenant(owner, { tenantId }, (tx) => sql<Change>`
    select record_id, version::text as version, previous from sync_changes where entity_table = ${table} order by txid, seq`.execute(tx));
  return result.rows;
}

/** Writes through the probe: a three-row insert, an update of two rows, an upsert of one new and one existing row. */
async function exercise(table: string): Promise<{ tenantId: string; ids: string[] }> {
  const tenant = await t.createTenant();
  const ids = await withTenant(owner, { tenantId: tenant.id }, async (tx) => {
    const inserted = await sql<{ id: string }>`
      insert into ${sql.table(table)} (tenant_id, territory, note)
      select ${tenant.id}::uuid, 'north', 'n' || g from generate_series(1, 3) g returning id`.execute(tx);
    const rows = inserted.rows.map((row) => row.id);
    await sql`update ${sql.table(table)} set territory = 'south', version = version + 1 where id = any(${[rows[0], rows[1]]}::uuid[])`.execute(tx);
    await sql`
      insert into ${sql.table(table)} (tenant_id, id, territory) values (${tenant.id}, ${rows[2]}, 'east'), (${tenant.id}, gen_random_uuid(), 'west')
      on conflict (tenant_id, id) do update set territory = excluded.territory, version = ${sql.table(table)}.version + 1`.execute(tx);
    return rows;
  });
  return { tenantId: tenant.id, ids };
}

function expectLogged(changes: Change[], ids: string[]): void {
  // Three inserts in order; the update's two rows with their old territory; the upsert's new row
  // (inserted) and its existing one (updated, old territory kept).
  expect(changes.slice(0, 3)).toEqual(ids.map((id) => ({ record_id: id, version: '1', previous: null })));
  expect(changes.slice(3, 5).sort((a, b) => a.record_id.localeCompare(b.record_id))).toEqual(
    [ids[0]!, ids[1]!].sort().map((id) => ({ record_id: id, version: '2', previous: { territory: 'north' } })),
  );
  expect(changes).toHaveLength(7);
  const upsert = changes.slice(5);
  expect(upsert).toContainEqual({ record_id: ids[2], version: '2', previous: { territory: 'north' } });
  expect(upsert.filter((change) => change.record_id !== ids[2])).toEqual([expect.objectContaining({ version: '1', previous: null })]);
}

describe('change capture of synced tables', () => {
  it('has every synced table of the platform on the two statement triggers, none left on the row trigger', async () => {
    const legacy = await sql<{ table: string }>`
      select tg.tgrelid::regclass::text as table from pg_trigger tg where tg.tgfoid = 'tenantry_sync_capture()'::regprocedure`.execute(owner);
    expect(legacy.rows).toEqual([]);
    const synced = t.platform.registry.entities.filter((entity) => entity.sync && entity.scope === 'tenant');
    expect(synced.length).toBeGreaterThan(1);
    for (const entity of synced) {
      const [inserts, updates] = syncTriggerNames(entity.table);
      const triggers = (await triggersOf(entity.table)).filter((trigger) => trigger.function.startsWith('tenantry_sync_capture'));
      expect(triggers.map((trigger) => [trigger.name, trigger.function, trigger.perRow])).toEqual([
        [inserts, 'tenantry_sync_capture_inserts', false],
        [updates, 'tenantry_sync_capture_updates', false],
      ]);
    }
  });

  it('logs each row a statement inserts or updates, in order, with the old values of the capture columns', async () => {
    await createProbe('kt_capture_probe', false);
    const { tenantId, ids } = await exercise('kt_capture_probe');
    expectLogged(await changesOf(tenantId, 'kt_capture_probe'), ids);
  });

  it("the migration replaces a table's row trigger with the two statement triggers and keeps its arguments", async () => {
    const migration = readFileSync(new URL('./migrations/20261127T090000_sync_statement_capture.sql', import.meta.url), 'utf8');
    const conversion = /^DO \$\$[\s\S]*?^\$\$;$/m.exec(migration)?.[0];
    expect(conversion).toBeDefined();
    // One short name and one past PostgreSQL's 63 bytes (the hashed names of constraintName).
    const tables = ['kt_capture_legacy', `kt_capture_${'x'.repeat(50)}`];
    for (const table of tables) await createProbe(table, true);
    await sql.raw(conversion!).execute(owner);
    for (const table of tables) {
      expect((await triggersOf(table)).map((trigger) => [trigger.name, trigger.function, trigger.perRow, trigger.args])).toEqual([
        [syncTriggerNames(table)[0], 'tenantry_sync_capture_inserts', false, ''],
        [syncTriggerNames(table)[1], 'tenantry_sync_capture_updates', false, 'territory\\000'],
      ]);
      const { tenantId, ids } = await exercise(table);
      expectLogged(await changesOf(tenantId, table), ids);
    }
  });
});
