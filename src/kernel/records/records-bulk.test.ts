import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { ktCategory, ktWidget } from '../../../test/model/kernel-test.model.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { createRegistry } from '../model/index.ts';
import { createTenantDirectory } from '../tenancy/index.ts';
import { createRecordService, type RecordChange, type RecordService } from './index.ts';
import { bulkJson } from './records.repository.ts';

let database: TestDatabase;
let app: Database;
let records: RecordService;
const told: RecordChange[][] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 2 });
  records = createRecordService(app.db, createRegistry(testModules.flatMap((module) => module.entities)), {
    listeners: [{ afterWrite: async (_tx, change) => void told.push([change]), afterWriteMany: async (_tx, changes) => void told.push([...changes]) }],
  });
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe('bulk updates and lookups', () => {
  it('updates many records in one call, each field kind stored as a single update would store it', async () => {
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'bulk-a', name: 'Bulk A' });
    const context = { tenantId: tenant.id };
    const [first, second] = await records.createMany(context, ktWidget, [
      { code: 'B-1', name: 'One', weight: '1.500', attributes: { a: 1 } },
      { code: 'B-2', name: 'Two', price: { amount: 100, currency: 'EUR' } },
    ]);
    told.length = 0;
    const { updated, missing } = await records.updateMany(context, ktWidget, [
      { id: first!.id, input: { name: 'One bis', attributes: { b: [1, 'x'] }, title: { en: 'Title', fr: 'Titre' }, availableOn: '2026-02-28', inspectedAt: '2026-02-28T10:11:12.345Z' } },
      { id: second!.id, input: { price: { amount: 250, currency: 'USD' }, weight: null, quantity: 7 } },
      { id: '0190b5c6-0000-7000-8000-000000000000', input: { name: 'Nobody' } },
    ]);
    expect(missing).toEqual(['0190b5c6-0000-7000-8000-000000000000']);
    expect(updated).toHaveLength(2);
    const one = await records.get(context, ktWidget, first!.id);
    expect(one).toMatchObject({ version: 2, name: 'One bis', weight: '1.500', attributes: { b: [1, 'x'] }, title: { en: 'Title', fr: 'Titre' }, availableOn: '2026-02-28', inspectedAt: '2026-02-28T10:11:12.345Z' });
    expect(await records.get(context, ktWidget, second!.id)).toMatchObject({ version: 2, price: { amount: 250, currency: 'USD' }, weight: null, quantity: 7, name: 'Two' });
    expect(told).toHaveLength(1);
    expect(told[0]!.map((change) => [change.action, change.before?.name, change.after?.name])).toEqual(
      expect.arrayContaining([
        ['update', 'One', 'One bis'],
        ['update', 'Two', 'Two'],
      ]),
    );
  });

  it('writes an id given twice twice, in the order given, each write its own change with its details', async () => {
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'bulk-twice', name: 'Bulk twice' });
    const context = { tenantId: tenant.id };
    const [widget, other] = await records.createMany(context, ktWidget, [{ code: 'T-1', name: 'Zero' }, { code: 'T-2', name: 'Other' }]);
    told.length = 0;
    const nobody = '0190b5c6-0000-7000-8000-000000000001';
    const { updated, missing } = await records.updateMany(context, ktWidget, [
      { id: widget!.id, input: { name: 'First' }, details: { step: 1 } },
      { id: other!.id, input: { name: 'Other bis' } },
      { id: nobody, input: { name: 'Nobody' } },
      { id: widget!.id.toUpperCase(), input: { name: 'Second' }, details: { step: 2 } },
      { id: nobody, input: { name: 'Nobody again' } },
    ]);
    expect(missing).toEqual([nobody]);
    expect(updated.map((record) => record.name)).toEqual(['First', 'Other bis', 'Second']);
    expect(await records.get(context, ktWidget, widget!.id)).toMatchObject({ version: 3, name: 'Second' });
    expect(told.flat().map((change) => [change.before?.name, change.after?.name, change.details])).toEqual([
      ['Zero', 'First', { step: 1 }],
      ['Other', 'Other bis', undefined],
      ['First', 'Second', { step: 2 }],
    ]);
  });

  it("finds live records by a field's values, within the tenant only", async () => {
    const directory = createTenantDirectory(app.db);
    const a = await directory.createTenant({ slug: 'bulk-b', name: 'Bulk B' });
    const b = await directory.createTenant({ slug: 'bulk-c', name: 'Bulk C' });
    await records.createMany({ tenantId: a.id }, ktWidget, [{ code: 'F-1', name: 'x' }, { code: 'F-2', name: 'y' }, { code: 'F-3', name: 'z' }]);
    const [gone] = await records.createMany({ tenantId: b.id }, ktWidget, [{ code: 'F-1', name: 'other tenant' }]);
    await records.remove({ tenantId: b.id }, ktWidget, gone!.id);
    const found = await records.findBy({ tenantId: a.id }, ktWidget, 'code', ['F-1', 'F-3', 'F-9']);
    expect(found.map((record) => record.code).sort()).toEqual(['F-1', 'F-3']);
    expect(await records.findBy({ tenantId: b.id }, ktWidget, 'code', ['F-1'])).toEqual([]);
    expect(await records.findBy({ tenantId: a.id }, ktWidget, 'id', [found[0]!.id, 'not-a-uuid'])).toHaveLength(1);
  });

  it('refuses a bulk update of a read-only field for the roles, writing nothing', async () => {
    told.length = 0;
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'bulk-d', name: 'Bulk D' });
    const userId = '0190b5c6-0000-7000-8000-0000000000aa';
    const [widget] = await records.createMany({ tenantId: tenant.id }, ktWidget, [{ code: 'R-1', name: 'Read only', assignee: userId }]);
    await expect(records.updateMany({ tenantId: tenant.id, userId, roles: ['member'] }, ktWidget, [{ id: widget!.id, input: { status: 'active' } }])).rejects.toMatchObject({ code: expect.stringMatching(/^access\./) });
    expect(await records.get({ tenantId: tenant.id }, ktWidget, widget!.id)).toMatchObject({ version: 1, status: 'draft' });
  });
});

describe('bulk creates', () => {
  it('return and tell listeners the records as stored, whatever values and types they were sent', async () => {
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'bulk-e', name: 'Bulk E' });
    const context = { tenantId: tenant.id };
    let serial = 0;
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('Cafe\u0301', 'tab\there', 'new\nline', 'back\\slash', ' spaced '));
    const widget = fc.record(
      {
        name: text.filter((name) => name.length > 0),
        // A string where an integer belongs is cast by PostgreSQL: what is stored is then read back, not what was sent.
        quantity: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constant(null), fc.constant(-0), fc.integer({ min: 0, max: 99 }).map(String)),
        weight: fc.oneof(fc.constant(null), fc.constantFrom('1.5', '0.0005', '12', '3.25')),
        price: fc.oneof(fc.constant(null), fc.record({ amount: fc.integer({ min: 0, max: 10_000_000 }), currency: fc.constantFrom('EUR', 'USD') })),
        enabled: fc.boolean(),
        availableOn: fc.constantFrom('2026-02-28', '1999-12-31'),
        inspectedAt: fc.constantFrom('2026-02-28T10:11:12+02:00', '2026-02-28T10:11:12.345Z'),
        status: fc.constantFrom('draft', 'active'),
        attributes: fc.oneof(fc.constant(null), fc.constant({ z: 1, a: [2, { y: 'x', b: null }] })),
        title: fc.oneof(fc.constant(null), fc.constant({ fr: 'Titre', en: 'Title' })),
        ownerEmail: fc.oneof(fc.constant(null), fc.constant('Owner@Example.com')),
        territory: text,
      },
      { requiredKeys: ['name'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(widget, { minLength: 1, maxLength: 5 }), async (inputs) => {
        told.length = 0;
        const created = await records.createMany(context, ktWidget, inputs.map((input) => ({ ...input, code: `P-${++serial}` })));
        const stored = await Promise.all(created.map((record) => records.get(context, ktWidget, record.id)));
        expect(created).toEqual(stored);
        expect(told.flat().map((change) => change.after)).toEqual(stored);
      }),
      { numRuns: 40 },
    );
  });

  it('read every value back from a table whose trigger may change what was sent', async () => {
    const table = sql.table(ktCategory.table);
    await sql`create function kt_shout() returns trigger language plpgsql as $$ begin new.title := upper(new.title); return new; end $$`.execute(database.owner.db);
    await sql`create trigger kt_shout before insert on ${table} for each row execute function kt_shout()`.execute(database.owner.db);
    const tenant = await createTenantDirectory(app.db).createTenant({ slug: 'bulk-f', name: 'Bulk F' });
    const created = await records.createMany({ tenantId: tenant.id }, ktCategory, [{ code: 'S-1', title: 'quiet' }]);
    expect(created.map((record) => record.title)).toEqual(['QUIET']);
    expect(await records.get({ tenantId: tenant.id }, ktCategory, created[0]!.id)).toMatchObject({ title: 'QUIET' });
  });
});

describe('bulk payloads', () => {
  it('are plain JSON, with bigint values (int8 columns) as decimal strings', () => {
    expect(bulkJson([{ id: 'a', count: 1, name: 'x' }])).toBe('[{"id":"a","count":1,"name":"x"}]');
    expect(bulkJson([{ id: 'a', big: 9007199254740993n }, { nested: [1n] }])).toBe('[{"id":"a","big":"9007199254740993"},{"nested":["1"]}]');
  });
});
