/** Writes of `ext` through the record service, against a tenant's custom fields (kernel/tenancy). */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ktCategory, ktWidget } from '../../../test/model/kernel-test.model.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { createAuditLog, maskedValue } from '../audit/index.ts';
import { openDatabase, type Database, type TenantContext, type TenantTx } from '../db/index.ts';
import { createRegistry, type EntityDef } from '../model/index.ts';
import { createCustomFields, createTenantDirectory, type CustomFields } from '../tenancy/index.ts';
import { createRecordService, type RecordService } from './index.ts';

let database: TestDatabase;
let app: Database;
let clock = 1_000_000;
let fields: CustomFields;
let records: RecordService;
const reads: string[] = [];
const registry = createRegistry(testModules.flatMap((module) => module.entities));

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 4 });
  const audit = createAuditLog(app.db);
  fields = createCustomFields(app.db, { registry, audit, now: () => clock });
  // Counts the definition reads each write makes.
  const counted = { ...fields, fieldsOf: (tx: TenantTx, tenantId: string, entity: EntityDef) => (reads.push(entity.name), fields.fieldsOf(tx, tenantId, entity)) };
  records = createRecordService(app.db, registry, { listeners: [audit.listener], customFields: counted });
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

let counter = 0;
async function newTenant(): Promise<TenantContext> {
  const tenant = await createTenantDirectory(app.db).createTenant({ slug: `ext-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Ext' });
  return { tenantId: tenant.id, userId: '0190a5f2-0000-7000-8000-0000000000e1' };
}

const define = (context: TenantContext, key: string, input: Parameters<CustomFields['putField']>[3], entity = 'ktWidget') => fields.putField(context, entity, key, input);

describe('ext on writes', () => {
  it('stores checked values, merges an update into them and clears a key with null', async () => {
    const context = await newTenant();
    await define(context, 'shelf', { type: 'text', labels: { en: 'Shelf' }, constraints: { maxLength: 5 } });
    await define(context, 'share', { type: 'decimal', labels: { en: 'Share' }, constraints: { scale: 2 } });
    const created = await records.create(context, ktWidget, { code: 'E-1', name: 'Ext', ext: { shelf: 'A1', share: '7.5' } });
    expect(created.ext).toEqual({ shelf: 'A1', share: '7.50' });
    const updated = await records.update(context, ktWidget, created.id, 1, { ext: { share: '8' } });
    expect(updated.ext).toEqual({ shelf: 'A1', share: '8.00' });
    const cleared = await records.update(context, ktWidget, created.id, 2, { name: 'Renamed', ext: { shelf: null } });
    expect(cleared).toMatchObject({ name: 'Renamed', ext: { share: '8.00' }, version: 3 });
    expect((await records.get(context, ktWidget, created.id)).ext).toEqual({ share: '8.00' });
  });

  it('refuses unknown keys and bad values with records.invalid_custom_field, writing nothing', async () => {
    const context = await newTenant();
    await define(context, 'shelf', { type: 'text', labels: { en: 'Shelf' }, constraints: { maxLength: 5 } });
    await expect(records.create(context, ktWidget, { code: 'E-2', name: 'Ext', ext: { shelf: 'too long', size: 1 } })).rejects.toMatchObject({
      code: 'records.invalid_custom_field',
      errors: [{ pointer: '/ext/shelf' }, { pointer: '/ext/size', detail: 'is not a custom field of this entity' }],
    });
    const created = await records.create(context, ktWidget, { code: 'E-2', name: 'Ext' });
    await expect(records.update(context, ktWidget, created.id, 1, { ext: { shelf: 5 } })).rejects.toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/shelf', detail: 'must be string' }] });
    expect(await records.get(context, ktWidget, created.id)).toMatchObject({ version: 1, ext: {} });
    // Another entity's custom field is unknown here.
    await expect(records.create(context, ktCategory, { code: 'C-1', title: 'Cat', ext: { shelf: 'A1' } })).rejects.toMatchObject({ code: 'records.invalid_custom_field' });
  });

  it('requires a required field on create, not on an update that leaves it alone, and never lets it be cleared', async () => {
    const context = await newTenant();
    const old = await records.create(context, ktWidget, { code: 'E-3', name: 'Before the field' });
    await define(context, 'facings', { type: 'integer', labels: { en: 'Facings' }, required: true, constraints: { min: 1 } });
    await expect(records.create(context, ktWidget, { code: 'E-4', name: 'Ext' })).rejects.toMatchObject({ code: 'records.invalid_custom_field', errors: [{ pointer: '/ext/facings', detail: 'is required' }] });
    expect((await records.create(context, ktWidget, { code: 'E-4', name: 'Ext', ext: { facings: 2 } })).ext).toEqual({ facings: 2 });
    expect((await records.update(context, ktWidget, old.id, 1, { name: 'Still without it' })).version).toBe(2);
    await expect(records.update(context, ktWidget, old.id, 2, { ext: { facings: null } })).rejects.toMatchObject({ errors: [{ pointer: '/ext/facings', detail: 'is required and cannot be cleared' }] });
  });

  it('keeps the values of a deleted field until a write clears them', async () => {
    const context = await newTenant();
    await define(context, 'shelf', { type: 'text', labels: { en: 'Shelf' } });
    const created = await records.create(context, ktWidget, { code: 'E-5', name: 'Ext', ext: { shelf: 'A1' } });
    await fields.deleteField(context, 'ktWidget', 'shelf');
    expect((await records.get(context, ktWidget, created.id)).ext).toEqual({ shelf: 'A1' });
    await expect(records.update(context, ktWidget, created.id, 1, { ext: { shelf: 'B2' } })).rejects.toMatchObject({ code: 'records.invalid_custom_field' });
    expect((await records.update(context, ktWidget, created.id, 1, { ext: { shelf: null } })).ext).toEqual({});
  });
});

describe('the cost of custom fields on writes', () => {
  it('reads the definitions only for writes that need them: ext given, or a create while a required field may exist', async () => {
    const context = await newTenant();
    reads.length = 0;
    const first = await records.create(context, ktCategory, { code: 'K-1', title: 'First' });
    expect(reads).toEqual(['ktCategory']); // nothing known yet about this tenant's category fields
    await records.create(context, ktCategory, { code: 'K-2', title: 'Second' });
    await records.update(context, ktCategory, first.id, 1, { title: 'Renamed' });
    await records.remove(context, ktCategory, first.id);
    expect(reads).toEqual(['ktCategory']); // known: no required field; no ext written or held
    await records.create(context, ktCategory, { code: 'K-3', title: 'Third', ext: {} });
    expect(reads).toEqual(['ktCategory', 'ktCategory']);
  });

  it('enforces a field made required on this node at once, and on another node once its cache expires', async () => {
    const context = await newTenant();
    await records.create(context, ktCategory, { code: 'K-1', title: 'Seen' }); // caches "no required field"
    const otherNode = createCustomFields(app.db, { registry, audit: createAuditLog(app.db) });
    await otherNode.putField(context, 'ktCategory', 'region', { type: 'text', labels: { en: 'Region' }, required: true });
    // This node has not heard of it: for up to 5 s, a create without ext passes, as if made just before.
    expect(await records.create(context, ktCategory, { code: 'K-2', title: 'Within the window' })).toMatchObject({ ext: {} });
    clock += 5_001;
    await expect(records.create(context, ktCategory, { code: 'K-3', title: 'After it' })).rejects.toMatchObject({ code: 'records.invalid_custom_field' });
    await fields.putField(context, 'ktCategory', 'region', { type: 'text', labels: { en: 'Region' } });
    await fields.putField(context, 'ktCategory', 'zone', { type: 'text', labels: { en: 'Zone' }, required: true }); // this node: at once
    await expect(records.create(context, ktCategory, { code: 'K-4', title: 'Zone' })).rejects.toMatchObject({ errors: [{ pointer: '/ext/zone', detail: 'is required' }] });
  });
});

describe('custom fields in the audit log', () => {
  it('shows the values of fields not marked personal data, on create, update and delete', async () => {
    const context = await newTenant();
    await define(context, 'shelf', { type: 'text', labels: { en: 'Shelf' } });
    await define(context, 'mobile', { type: 'text', labels: { en: 'Mobile' }, personalData: true });
    const created = await records.create(context, ktWidget, { code: 'A-1', name: 'Audited', ext: { shelf: 'A1', mobile: '+33 6 12 34 56 78' } });
    await records.update(context, ktWidget, created.id, 1, { ext: { shelf: 'B2', mobile: null } });
    await records.remove(context, ktWidget, created.id);
    const rows = await sql<{ action: string; changes: Record<string, unknown>; row: string }>`
      select action, changes, to_jsonb(a)::text as row from audit_events a where tenant_id = ${context.tenantId} and entity = 'ktWidget' order by seq`.execute(database.owner.db);
    expect(rows.rows.map((row) => [row.action, row.changes['ext.shelf'], row.changes['ext.mobile']])).toEqual([
      ['create', { before: null, after: 'A1' }, { before: null, after: maskedValue }],
      ['update', { before: 'A1', after: 'B2' }, { before: maskedValue, after: null }],
      ['delete', { before: 'B2', after: null }, undefined],
    ]);
    for (const row of rows.rows) expect(row.row).not.toContain('12 34');
  });
});
