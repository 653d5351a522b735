import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { createAuditLog } from '../audit/index.ts';
import { openDatabase, type Database, type TenantContext } from '../db/index.ts';
import { createRegistry, customFieldLimits } from '../model/index.ts';
import type { CustomFieldInput, CustomFields } from './custom-fields.contract.ts';
import { createCustomFields } from './custom-fields.service.ts';
import { createTenantDirectory, type Tenant, type TenantDirectory } from './index.ts';

let database: TestDatabase;
let app: Database;
let fields: CustomFields;
let tenants: TenantDirectory;
let counter = 0;
const adminId = '0190a5f2-0000-7000-8000-0000000000a1';
const registry = createRegistry(testModules.flatMap((module) => module.entities));
const newTenant = () => tenants.createTenant({ slug: `fields-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Extended' });
const adminOf = (tenant: Tenant): TenantContext => ({ tenantId: tenant.id, userId: adminId, roles: ['admin'], requestId: 'req-fields', ip: '127.0.0.1' });
const shelf: CustomFieldInput = { type: 'text', labels: { en: ' Shelf ', fr: 'Rayon' }, constraints: { maxLength: 10 } };

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 6 });
  fields = createCustomFields(app.db, { registry, audit: createAuditLog(app.db) });
  tenants = createTenantDirectory(app.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function auditRows(tenantId: string) {
  const result = await sql<{ action: string; entity: string; record_id: string; actor_id: string | null; details: Record<string, unknown> }>`
    select action, entity, record_id, actor_id, details from audit_events where tenant_id = ${tenantId} order by seq`.execute(database.owner.db);
  return result.rows;
}

const problemOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { code: string; errors?: unknown[] }) => ({ code: error.code, errors: error.errors }));

describe('custom field definitions', () => {
  it('creates, replaces and deletes a field, auditing each change with before and after', async () => {
    const tenant = await newTenant();
    const context = adminOf(tenant);
    const created = await fields.putField(context, 'ktWidget', 'shelf', shelf);
    expect(created).toMatchObject({
      created: true,
      field: { entity: 'ktWidget', key: 'shelf', type: 'text', labels: { en: 'Shelf', fr: 'Rayon' }, description: null, required: false, personalData: false, constraints: { maxLength: 10 }, version: 1, createdBy: adminId },
    });
    const replaced = await fields.putField(context, 'ktWidget', 'shelf', { type: 'enum', labels: { en: 'Shelf' }, required: true, constraints: { values: ['top', 'eye'] } });
    expect(replaced).toMatchObject({ created: false, field: { type: 'enum', required: true, constraints: { values: ['top', 'eye'] }, version: 2 } });
    expect(await fields.listFields(context)).toEqual([replaced.field]);
    expect(await fields.listFields(context, 'ktCategory')).toEqual([]);
    expect(await fields.getField(context, 'ktWidget', 'shelf')).toEqual(replaced.field);
    await fields.deleteField(context, 'ktWidget', 'shelf');
    await expect(fields.getField(context, 'ktWidget', 'shelf')).rejects.toMatchObject({ code: 'fields.not_found' });
    await expect(fields.deleteField(context, 'ktWidget', 'shelf')).rejects.toMatchObject({ code: 'fields.not_found' });

    const rows = await auditRows(tenant.id);
    expect(rows.map((row) => row.action)).toEqual(['custom_field.created', 'custom_field.updated', 'custom_field.deleted']);
    expect(rows.every((row) => row.entity === 'customField' && row.record_id === 'ktWidget.shelf' && row.actor_id === adminId)).toBe(true);
    expect(rows[1]!.details).toMatchObject({ before: { type: 'text', labels: { en: 'Shelf', fr: 'Rayon' } }, after: { type: 'enum', required: true } });
  });

  it('does not write an unchanged definition again: same version, no audit event', async () => {
    const tenant = await newTenant();
    const context = adminOf(tenant);
    const first = await fields.putField(context, 'ktWidget', 'shelf', shelf);
    const again = await fields.putField(context, 'ktWidget', 'shelf', { ...shelf, labels: { fr: 'Rayon', en: 'Shelf' }, required: false });
    expect(again).toEqual({ field: first.field, created: false });
    expect((await auditRows(tenant.id)).map((row) => row.action)).toEqual(['custom_field.created']);
  });

  it('refuses every problem of a definition at once, with pointers into the body', async () => {
    const tenant = await newTenant();
    const context = adminOf(tenant);
    const input = { type: 'text', labels: { English: 'x', fr: '' }, description: 'd'.repeat(501), required: 'yes', constraints: { maxLength: 0, values: ['a'] }, extra: 1 } as unknown as CustomFieldInput;
    expect(await problemOf(fields.putField(context, 'ktCountry', 'Bad-Key', input))).toEqual({
      code: 'fields.invalid_field',
      errors: [
        { parameter: 'entity', detail: 'not an exposed tenant entity' },
        { parameter: 'key', detail: expect.stringContaining('camelCase') },
        { pointer: '/extra', detail: 'unknown property' },
        { pointer: '/required', detail: 'true or false' },
        { pointer: '/labels/English', detail: expect.stringContaining('locale tag') },
        { pointer: '/labels/fr', detail: expect.stringContaining('1 to 200') },
        { pointer: '/description', detail: expect.stringContaining('at most 500') },
        { pointer: '/constraints/values', detail: 'not a constraint of a text field' },
        { pointer: '/constraints/maxLength', detail: expect.stringContaining('from 1 to') },
      ],
    });
  });

  it.each<[string, string, CustomFieldInput, string]>([
    ['a declared field of the entity', 'code', shelf, 'key'],
    ['a system property', 'version', shelf, 'key'],
    ['an unknown type', 'size', { type: 'money' as never, labels: { en: 'x' } }, '/type'],
    ['no label', 'size', { type: 'text', labels: {} }, '/labels'],
    ['an enum without values', 'size', { type: 'enum', labels: { en: 'x' } }, '/constraints/values'],
    ['an enum value listed twice', 'size', { type: 'enum', labels: { en: 'x' }, constraints: { values: ['a', 'a'] } }, '/constraints/values/1'],
    ['a decimal scale out of range', 'size', { type: 'decimal', labels: { en: 'x' }, constraints: { scale: 9 } }, '/constraints/scale'],
    ['a decimal bound with more decimals than the scale', 'size', { type: 'decimal', labels: { en: 'x' }, constraints: { scale: 1, min: 0.25 } }, '/constraints/min'],
    ['an integer range upside down', 'size', { type: 'integer', labels: { en: 'x' }, constraints: { min: 5, max: 1 } }, '/constraints/max'],
    ['a fractional integer bound', 'size', { type: 'integer', labels: { en: 'x' }, constraints: { min: 1.5 } }, '/constraints/min'],
    ['a pattern that backtracks', 'size', { type: 'text', labels: { en: 'x' }, constraints: { pattern: '(a+)+' } }, '/constraints/pattern'],
    ['a long field with a pattern', 'size', { type: 'text', labels: { en: 'x' }, constraints: { pattern: '[a-z]+', maxLength: 5000 } }, '/constraints/maxLength'],
    ['a constraint a boolean does not have', 'size', { type: 'boolean', labels: { en: 'x' }, constraints: { maxLength: 3 } }, '/constraints/maxLength'],
  ])('refuses %s', async (_label, key, input, where) => {
    const problem = await problemOf(fields.putField(adminOf(await newTenant()), 'ktWidget', key, input));
    expect(problem?.code).toBe('fields.invalid_field');
    expect(problem?.errors).toEqual(expect.arrayContaining([expect.objectContaining(where.startsWith('/') ? { pointer: where } : { parameter: where })]));
  });

  it('stores a pattern field with a bounded length', async () => {
    const { field } = await fields.putField(adminOf(await newTenant()), 'ktWidget', 'code2', { type: 'text', labels: { en: 'Code' }, constraints: { pattern: '[A-Z]{2}[0-9]+' } });
    expect(field.constraints).toEqual({ maxLength: 255, pattern: '[A-Z]{2}[0-9]+' });
  });

  it('checks If-Match: a stale version or a missing field is 412 with the current version', async () => {
    const context = adminOf(await newTenant());
    await fields.putField(context, 'ktWidget', 'shelf', shelf);
    await expect(fields.putField(context, 'ktWidget', 'shelf', { ...shelf, required: true }, { ifMatch: 7 })).rejects.toMatchObject({ code: 'fields.version_mismatch', extensions: { currentVersion: 1 } });
    await expect(fields.putField(context, 'ktWidget', 'other', shelf, { ifMatch: 'any' })).rejects.toMatchObject({ code: 'fields.version_mismatch', extensions: { currentVersion: null } });
    await expect(fields.deleteField(context, 'ktWidget', 'shelf', { ifMatch: 2 })).rejects.toMatchObject({ code: 'fields.version_mismatch' });
    expect((await fields.putField(context, 'ktWidget', 'shelf', { ...shelf, required: true }, { ifMatch: 1 })).field.version).toBe(2);
    await fields.deleteField(context, 'ktWidget', 'shelf', { ifMatch: 'any' });
  });

  it(`allows at most ${customFieldLimits.perEntity} custom fields per entity`, async () => {
    const context = adminOf(await newTenant());
    const labels = { en: 'x' };
    for (let index = 0; index < customFieldLimits.perEntity; index++) await fields.putField(context, 'ktMemo', `f${index}`, { type: 'boolean', labels });
    await expect(fields.putField(context, 'ktMemo', 'oneMore', { type: 'boolean', labels })).rejects.toMatchObject({ code: 'fields.limit_reached' });
    expect((await fields.putField(context, 'ktMemo', 'f0', { type: 'integer', labels })).field.version).toBe(2); // replacing one still works
  }, 30_000);

  it("keeps each tenant's definitions to itself", async () => {
    const a = adminOf(await newTenant());
    const b = adminOf(await newTenant());
    await fields.putField(a, 'ktWidget', 'shelf', shelf);
    expect(await fields.listFields(b)).toEqual([]);
    await expect(fields.getField(b, 'ktWidget', 'shelf')).rejects.toMatchObject({ code: 'fields.not_found' });
    await expect(fields.deleteField(b, 'ktWidget', 'shelf')).rejects.toMatchObject({ code: 'fields.not_found' });
    expect((await fields.putField(b, 'ktWidget', 'shelf', { type: 'integer', labels: { en: 'Shelf' } })).created).toBe(true);
    expect((await fields.getField(a, 'ktWidget', 'shelf')).type).toBe('text');
  });
});
