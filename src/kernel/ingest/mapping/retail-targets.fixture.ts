/**
 * Test targets: outlet, product and productUnit as src/apps/retail/retail-master-data.model.ts
 * declares them (the kernel never imports an app, so its tests carry a copy), plus custom fields and
 * one read-only field (`outlet.syncedAt`) to refuse.
 */
import { defineEntity, field, type CustomField } from '../../model/index.ts';
import type { MappingTarget } from './mapping-target.ts';

const units = ['EA', 'PK', 'CS', 'KG', 'L'] as const;
const channels = ['supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'] as const;

export const outletEntity = defineEntity({
  name: 'outlet',
  plural: 'outlets',
  module: 'retail',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 40, sortable: true }),
    name: field.text({ required: true, minLength: 1, maxLength: 200, sortable: true }),
    legalName: field.text({ maxLength: 200 }),
    channel: field.enum(channels, { required: true }),
    segment: field.enum(['A', 'B', 'C'] as const),
    status: field.enum(['active', 'blocked', 'closed'] as const, { required: true, default: 'active' }),
    street: field.text({ maxLength: 200 }),
    postalCode: field.text({ maxLength: 20 }),
    city: field.text({ maxLength: 100, sortable: true }),
    region: field.text({ maxLength: 100 }),
    country: field.text({ maxLength: 2, pattern: '^[A-Z]{2}$' }),
    latitude: field.decimal({ precision: 9, scale: 6, min: -90, max: 90 }),
    longitude: field.decimal({ precision: 9, scale: 6, min: -180, max: 180 }),
    phone: field.text({ maxLength: 32, personalData: true }),
    email: field.text({ maxLength: 254, personalData: true }),
    taxId: field.text({ maxLength: 32 }),
    creditLimit: field.money({ min: 0 }),
    balance: field.money(),
    paymentTermsDays: field.integer({ min: 0, max: 365 }),
    minimumOrder: field.money({ min: 0 }),
    priceList: field.reference('priceList'),
    territory: field.reference('territory'),
    active: field.boolean({ required: true, default: true }),
    syncedAt: field.timestamp({ readOnly: true }),
  },
  indexes: [{ fields: ['taxId'] }, { fields: ['email'] }, { fields: ['phone'] }],
});

export const productEntity = defineEntity({
  name: 'product',
  plural: 'products',
  module: 'retail',
  fields: {
    sku: field.text({ required: true, unique: true, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$', sortable: true }),
    gtin: field.text({ maxLength: 14, pattern: '^[0-9]{8,14}$', unique: true }),
    name: field.text({ required: true, minLength: 1, maxLength: 200, sortable: true }),
    localizedName: field.localizedText({ maxLength: 200 }),
    brand: field.text({ maxLength: 80, sortable: true }),
    category: field.text({ maxLength: 80 }),
    baseUnit: field.enum(units, { required: true, default: 'EA' }),
    taxClass: field.enum(['standard', 'reduced', 'zero'] as const, { required: true, default: 'standard' }),
    listPrice: field.money({ min: 0 }),
    active: field.boolean({ required: true, default: true }),
  },
});

export const productUnitEntity = defineEntity({
  name: 'productUnit',
  plural: 'productUnits',
  module: 'retail',
  fields: {
    product: field.reference('product', { required: true }),
    unit: field.enum(units, { required: true }),
    factor: field.decimal({ required: true, precision: 12, scale: 3, min: 0.001 }),
    gtin: field.text({ maxLength: 14, pattern: '^[0-9]{8,14}$' }),
  },
});

const custom = (entity: string, key: string, type: CustomField['type'], constraints: CustomField['constraints'] = {}): CustomField => ({ entity, key, type, labels: { en: key }, required: false, personalData: false, constraints });

export const outletTarget: MappingTarget = {
  entity: outletEntity,
  customFields: [custom('outlet', 'customerSince', 'date'), custom('outlet', 'accountGroup', 'text'), custom('product', 'netWeightKg', 'decimal', { scale: 3 })],
};

export const productTarget: MappingTarget = {
  entity: productEntity,
  customFields: [custom('product', 'netWeightKg', 'decimal', { scale: 3 }), custom('product', 'grossWeightKg', 'decimal', { scale: 3 }), custom('product', 'launchedOn', 'date'), custom('product', 'organic', 'boolean')],
};

export const productUnitTarget: MappingTarget = { entity: productUnitEntity, customFields: [] };
