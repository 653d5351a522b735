import { describe, expect, expectTypeOf, it } from 'vitest';
import { ktWidget } from '../../../test/model/kernel-test.model.ts';
import { createRegistry, defineEntity, deriveMetadata, deriveSchemas, field, type EntityRecord, type Money } from './index.ts';

describe('defineEntity', () => {
  it('derives the table and route names from the plural', () => {
    const entity = defineEntity({ name: 'priceList', plural: 'priceLists', module: 'lab', fields: { code: field.text() } });
    expect(entity).toMatchObject({ table: 'price_lists', path: 'price-lists', scope: 'tenant', expose: true });
  });

  it('refuses reserved and malformed names, empty enums and unknown index fields, all at once', () => {
    expect(() =>
      defineEntity({
        name: 'Bad-Name',
        plural: 'bads',
        module: 'lab',
        fields: { tenantId: field.text(), version: field.integer(), kind: field.enum([] as const) },
        indexes: [{ fields: ['missing'] }],
      }),
    ).toThrow(/"Bad-Name" is not a camelCase name.*field "tenantId" is reserved.*field "version" is reserved.*enum field "kind" has no values.*unknown field "missing"/);
  });
});

describe('state machines', () => {
  const fields = { status: field.enum(['draft', 'submitted', 'approved'] as const, { required: true, default: 'draft' }) };
  const transitions = { submit: { from: ['draft'], to: 'submitted' }, approve: { from: ['submitted'], to: 'approved' } };

  it('makes each transition a custom action, keeps the state out of updates and lets records start only in an initial state', () => {
    const order = defineEntity({ name: 'order', plural: 'orders', module: 'lab', fields, states: { field: 'status', initial: ['draft'], transitions }, access: { actions: ['archive'] } });
    expect(order.actions).toEqual(['archive', 'submit', 'approve']);
    const schemas = deriveSchemas(order) as unknown as { create: { properties: Record<string, { enum: string[] }> }; update: { properties: Record<string, unknown> } };
    expect(schemas.create.properties.status!.enum).toEqual(['draft']);
    expect(schemas.update.properties.status).toBeUndefined();
    expect(deriveMetadata(order)).toMatchObject({ actions: ['archive', 'submit', 'approve'], states: { field: 'status', initial: ['draft'], transitions } });
  });

  it('refuses a machine on a missing or optional field, unknown states, a bad default and clashing action names, all at once', () => {
    expect(() =>
      defineEntity({
        name: 'order',
        plural: 'orders',
        module: 'lab',
        fields: { status: field.enum(['draft', 'done'] as const, { required: true, default: 'done' }) },
        states: { field: 'status', initial: ['draft', 'lost'], transitions: { finish: { from: ['draft'], to: 'gone' }, update: { from: ['draft'], to: 'done' } } },
        access: { actions: ['finish'] },
      }),
    ).toThrow(/initial state "lost".*default of status \("done"\) is not an initial state.*transition "finish" names unknown state "gone".*transition "update" is not a new camelCase action name.*"finish" is declared both/);
    expect(() => defineEntity({ name: 'order', plural: 'orders', module: 'lab', fields: { status: field.text() }, states: { field: 'status', initial: ['a'], transitions: {} } })).toThrow(
      /state field "status" must be a declared enum field/,
    );
  });
});

describe('registry', () => {
  const category = defineEntity({ name: 'category', plural: 'categories', module: 'lab', fields: { code: field.text() } });
  const item = defineEntity({ name: 'item', plural: 'items', module: 'lab', fields: { category: field.reference('category') } });

  it('orders entities so that referenced ones come first', () => {
    expect(createRegistry([item, category]).inDependencyOrder().map((entity) => entity.name)).toEqual(['category', 'item']);
  });

  it('refuses duplicates, unknown references and global entities pointing at tenant data', () => {
    expect(() => createRegistry([item])).toThrow(/references unknown entity "category"/);
    expect(() => createRegistry([category, category])).toThrow(/defined twice/);
    const global = defineEntity({ name: 'globalThing', plural: 'globalThings', module: 'lab', scope: 'global', fields: { category: field.reference('category') } });
    expect(() => createRegistry([category, global])).toThrow(/a global entity cannot reference the tenant entity/);
  });
});

describe('derived schemas', () => {
  const schemas = deriveSchemas(ktWidget) as unknown as Record<'read' | 'create' | 'update', { properties: Record<string, Record<string, unknown>>; required?: string[]; additionalProperties: boolean }>;

  it('refuses unknown properties in every shape', () => {
    expect(schemas.create.additionalProperties).toBe(false);
    expect(schemas.update.additionalProperties).toBe(false);
    expect(schemas.read.additionalProperties).toBe(false);
  });

  it('requires required fields without default on create, and nothing on update', () => {
    expect(schemas.create.required?.sort()).toEqual(['code', 'name']);
    expect(schemas.update.required ?? []).toEqual([]);
  });

  it('never accepts server-owned or read-only fields in a write', () => {
    for (const shape of [schemas.create, schemas.update]) {
      for (const property of ['tenantId', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt', 'serial']) {
        expect(shape.properties).not.toHaveProperty(property);
      }
    }
    expect(schemas.read.properties).toHaveProperty('serial');
  });

  it('accepts ext in a write as an optional object of scalar values (custom fields, checked by kernel/records)', () => {
    for (const shape of [schemas.create, schemas.update]) {
      expect(shape.properties.ext).toMatchObject({ type: 'object', maxProperties: 100, additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } });
      expect(shape.required ?? []).not.toContain('ext');
    }
  });

  it('exchanges decimals as strings with the declared scale and money as minor units + ISO currency', () => {
    expect(schemas.create.properties.weight).toMatchObject({ type: ['string', 'null'], pattern: '^-?[0-9]{1,9}(\\.[0-9]{1,3})?$' });
    expect(schemas.read.properties.fixedFee).toMatchObject({ properties: { amount: { type: 'integer' }, currency: { const: 'EUR' } } });
  });
});

describe('client metadata', () => {
  it('describes fields, constraints, filters and sorts for a dynamic client', () => {
    const metadata = deriveMetadata(ktWidget);
    expect(metadata).toMatchObject({ name: 'ktWidget', path: '/v1/kt-widgets', scope: 'tenant' });
    const byName = Object.fromEntries(metadata.fields.map((entry) => [entry.name, entry]));
    expect(byName.code).toMatchObject({ type: 'text', required: true, unique: true, sortable: true, filters: ['eq', 'in', 'prefix'], constraints: { minLength: 2, maxLength: 30 } });
    expect(byName.status).toMatchObject({ type: 'enum', constraints: { values: ['draft', 'active', 'retired'] } });
    expect(byName.ownerEmail).toMatchObject({ personalData: true });
    expect(byName.category).toMatchObject({ type: 'reference', constraints: { entity: 'ktCategory' } });
  });
});

describe('record types', () => {
  it('types records from the declaration alone', () => {
    type Widget = EntityRecord<typeof ktWidget>;
    expectTypeOf<Widget['code']>().toEqualTypeOf<string>();
    expectTypeOf<Widget['quantity']>().toEqualTypeOf<number | null>();
    expectTypeOf<Widget['price']>().toEqualTypeOf<Money | null>();
    expectTypeOf<Widget['status']>().toEqualTypeOf<'draft' | 'active' | 'retired'>();
    expectTypeOf<Widget['version']>().toEqualTypeOf<number>();
  });
});
