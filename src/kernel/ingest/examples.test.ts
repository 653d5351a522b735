/** The shipped examples (examples/ingest) load as docs/ingestion.md says: specs save, sample files run. */
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { TenantContext } from '../db/index.ts';
import { fieldColumns } from '../model/index.ts';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/ingest/${name}`, import.meta.url));
let t: TestPlatform;
let context: TenantContext;

beforeAll(async () => {
  t = await startTestPlatform();
  context = { tenantId: (await t.createTenant()).id };
});
afterAll(() => t?.close());

const load = async (specFile: string, dataFile: string, as: TenantContext = context) => {
  const spec = JSON.parse(readFileSync(example(specFile), 'utf8'));
  const saved = await t.platform.ingest.saveSpec(as, spec.name, spec);
  const run = await t.platform.ingest.createRun(as, { spec: saved.spec.name, mode: 'full', file: { path: example(dataFile), name: dataFile } });
  return { run: await t.platform.ingest.executeRun(as, run.id), rejects: await t.platform.ingest.listRejects(as, run.id) };
};

describe('shipped examples', () => {
  it('loads the SAP customer sample (Windows-1252, ";", decimal commas) into outlets', async () => {
    const { run, rejects } = await load('sap-kna1-outlets.json', 'kna1-sample.csv');
    expect(run.file.encoding).toBe('windows-1252');
    expect(run.counts).toMatchObject({ read: 6, created: 4, skipped: 1, rejected: 1 });
    // The formula-looking name stays inert text in the reject (and is escaped in the CSV download).
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 6, sourceKey: '100006', field: 'phone', code: 'ingest.invalid_phone' })]);
    expect(rejects[0]!.sourceRow).toMatchObject({ NAME1: '=HYPERLINK("http://example.com")' });
    const outlets = (await t.platform.records.list(context, t.platform.registry.find('outlet')!, { sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data;
    expect(outlets.map((outlet) => [outlet.code, outlet.name, outlet.status])).toEqual([
      ['100001', 'Müller Getränkemarkt GmbH', 'active'],
      ['100002', 'Kiosk am Eck', 'active'],
      ['100003', 'Pharmacie du Centre', 'blocked'],
      ['100004', 'Café "Zum Löwen"', 'active'],
    ]);
    expect(outlets[2]).toMatchObject({ country: 'FR', phone: '+33478123456', balance: { amount: -25000, currency: 'EUR' } });
  });

  it('loads the SAP material sample into products', async () => {
    const { run, rejects } = await load('sap-mara-products.json', 'mara-sample.csv');
    expect(run.counts).toMatchObject({ read: 6, created: 4, skipped: 1, rejected: 1 });
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 4, field: 'gtin', code: 'ingest.invalid_gtin' })]);
    const products = (await t.platform.records.list(context, t.platform.registry.find('product')!, { sort: 'sku' }, { defaultLimit: 50, maxLimit: 200 })).data;
    expect(products.map((product) => [product.sku, product.name, product.baseUnit, product.listPrice])).toEqual([
      ['12345', 'Cola 0,5 l PET', 'EA', { amount: 119, currency: 'EUR' }],
      ['12346', 'Apfelschorle 1 l', 'EA', { amount: 99, currency: 'EUR' }],
      ['12347', 'Kaffee Crema 1 kg', 'KG', { amount: 1249, currency: 'EUR' }],
      // An inch mark inside the unquoted MAKTX is text.
      ['12350', 'Gartenschlauch 1/2" 25 m', 'EA', { amount: 1490, currency: 'EUR' }],
    ]);
  });

  it('loads the SAP OData v2 business partner sample (records at /d/results, expanded navigations read by JSON Pointer) into outlets', async () => {
    const fresh: TenantContext = { tenantId: (await t.createTenant()).id };
    const { run, rejects } = await load('sap-odata-customers-outlets.json', 'odata-customers-sample.json', fresh);
    expect(rejects).toEqual([]);
    expect(run.counts).toMatchObject({ read: 4, created: 3, skipped: 1, rejected: 0 });
    const outlets = (await t.platform.records.list(fresh, t.platform.registry.find('outlet')!, { sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data;
    expect(outlets.map((outlet) => [outlet.code, outlet.name, outlet.channel, outlet.status, outlet.city, outlet.country, outlet.taxId, outlet.active])).toEqual([
      ['200001', 'Müller Getränkemarkt', 'supermarket', 'active', 'Stuttgart', 'DE', 'DE136695976', true],
      ['200002', 'Kiosk 1/2" Eck', 'kiosk', 'active', 'Berlin', 'DE', null, true],
      ['200003', 'Pharmacie du Centre', 'pharmacy', 'blocked', 'Lyon', 'FR', 'FR40303265045', true],
    ]);
  });

  it('has an index for each exact-match field of a shipped spec: a load looks each chunk of rows up by them', async () => {
    // Every JSON file of the folder that is a spec (the others are sample data).
    const specs = readdirSync(example('.'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => ({ name, spec: JSON.parse(readFileSync(example(name), 'utf8')) as { entity?: string; fields?: object; matching?: { exact?: string[] } } }))
      .filter(({ spec }) => typeof spec.entity === 'string' && spec.fields !== undefined);
    expect(specs.length).toBeGreaterThan(0);
    for (const { name, spec } of specs as { name: string; spec: { entity: string; matching?: { exact?: string[] } } }[]) {
      const entity = t.platform.registry.find(spec.entity)!;
      for (const field of spec.matching?.exact ?? []) {
        const column = fieldColumns(field, entity.fields[field]!)[0]!.name;
        // Indexes of the table whose first two columns are the tenant and the field's column.
        const found = await sql<{ name: string }>`
          select i.relname as name from pg_index x join pg_class i on i.oid = x.indexrelid
          where x.indrelid = ${entity.table}::regclass
            and (select attname from pg_attribute where attrelid = x.indrelid and attnum = x.indkey[0]) = 'tenant_id'
            and (select attname from pg_attribute where attrelid = x.indrelid and attnum = x.indkey[1]) = ${column}`.execute(t.database.owner.db);
        expect(found.rows, `${name}: matching.exact ${field} (${entity.table}.${column})`).not.toEqual([]);
      }
    }
  });
});
