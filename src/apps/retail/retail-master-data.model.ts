/**
 * Retail master data: territories and who covers them, products and their units, price lists, prices
 * and promotions, outlets and their contacts (mostly ingested from the ERP; maintained by managers).
 */
import { defineEntity, field } from '../../kernel/model/index.ts';
import { channels, inMyTerritories, taxClasses, units, userId } from './retail-fields.ts';

export const territory = defineEntity({
  name: 'territory',
  plural: 'territories',
  module: 'retail',
  label: 'Territory',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 40, filterable: true, sortable: true, label: 'Code' }),
    name: field.text({ required: true, maxLength: 120, filterable: true, sortable: true, label: 'Name' }),
  },
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] }, manager: { grants: [{ actions: ['read'] }] } } },
});

/** A user covering a territory: a rep, or a manager over the team of that territory. */
export const repTerritory = defineEntity({
  name: 'repTerritory',
  plural: 'repTerritories',
  module: 'retail',
  label: 'Territory assignment',
  fields: {
    rep: { ...userId('User id'), required: true },
    territory: field.reference('territory', { required: true, filterable: true, label: 'Territory' }),
  },
  indexes: [{ fields: ['rep', 'territory'], unique: true }],
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' } },
    roles: { member: { grants: [{ actions: ['read'], where: ['own'] }] }, manager: { grants: [{ actions: ['read'] }] } },
  },
});

export const product = defineEntity({
  name: 'product',
  plural: 'products',
  module: 'retail',
  label: 'Product',
  fields: {
    sku: field.text({ required: true, unique: true, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$', filterable: true, sortable: true, label: 'SKU' }),
    gtin: field.text({ maxLength: 14, pattern: '^[0-9]{8,14}$', unique: true, filterable: true, label: 'GTIN/EAN' }),
    name: field.text({ required: true, minLength: 1, maxLength: 200, filterable: true, sortable: true, searchable: true, label: 'Name' }),
    localizedName: field.localizedText({ maxLength: 200, label: 'Name per locale' }),
    brand: field.text({ maxLength: 80, filterable: true, sortable: true, label: 'Brand' }),
    category: field.text({ maxLength: 80, filterable: true, label: 'Category' }),
    baseUnit: field.enum(units, { required: true, default: 'EA', filterable: true, label: 'Base unit' }),
    taxClass: field.enum(taxClasses, { required: true, default: 'standard', filterable: true, label: 'Tax class' }),
    listPrice: field.money({ min: 0, filterable: true, label: 'List price' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  sync: { conflict: 'version' },
  // Master data (mostly ingested from the ERP): managers maintain it, reps and viewers read it.
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

/** An alternative unit of a product: `factor` base units make one (a case of 12). */
export const productUnit = defineEntity({
  name: 'productUnit',
  plural: 'productUnits',
  module: 'retail',
  label: 'Product unit',
  fields: {
    product: field.reference('product', { required: true, filterable: true, label: 'Product' }),
    unit: field.enum(units, { required: true, filterable: true, label: 'Unit' }),
    factor: field.decimal({ required: true, precision: 12, scale: 3, min: 0.001, label: 'Base units per unit' }),
    gtin: field.text({ maxLength: 14, pattern: '^[0-9]{8,14}$', label: 'GTIN of this unit' }),
  },
  indexes: [{ fields: ['product', 'unit'], unique: true }],
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

export const priceList = defineEntity({
  name: 'priceList',
  plural: 'priceLists',
  module: 'retail',
  label: 'Price list',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 40, filterable: true, sortable: true, label: 'Code' }),
    name: field.text({ required: true, maxLength: 120, label: 'Name' }),
    currency: field.text({ required: true, maxLength: 3, pattern: '^[A-Z]{3}$', label: 'Currency' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

/** The price of a product in a list, valid from a date (to a date), for everyone or one channel or outlet. */
export const price = defineEntity({
  name: 'price',
  plural: 'prices',
  module: 'retail',
  label: 'Price',
  fields: {
    priceList: field.reference('priceList', { required: true, filterable: true, label: 'Price list' }),
    product: field.reference('product', { required: true, filterable: true, label: 'Product' }),
    unit: field.enum(units, { required: true, default: 'EA', label: 'Unit' }),
    amount: field.money({ required: true, min: 0, label: 'Price' }),
    validFrom: field.date({ required: true, filterable: true, sortable: true, label: 'Valid from' }),
    validTo: field.date({ filterable: true, label: 'Valid to (inclusive)' }),
    channel: field.enum(channels, { filterable: true, label: 'Only for channel' }),
    outlet: field.reference('outlet', { filterable: true, label: 'Only for outlet' }),
  },
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

export const promotion = defineEntity({
  name: 'promotion',
  plural: 'promotions',
  module: 'retail',
  label: 'Promotion',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 40, filterable: true, sortable: true, label: 'Code' }),
    name: field.text({ required: true, maxLength: 160, label: 'Name' }),
    kind: field.enum(['percentage', 'fixed', 'buyXGetY'] as const, { required: true, filterable: true, label: 'Kind' }),
    percent: field.decimal({ precision: 5, scale: 2, min: 0, max: 100, label: 'Discount % (percentage)' }),
    amountOff: field.money({ min: 0, label: 'Amount off per unit (fixed)' }),
    buyQuantity: field.integer({ min: 1, max: 10_000, label: 'Buy (buy X get Y)' }),
    freeQuantity: field.integer({ min: 1, max: 10_000, label: 'Get free (buy X get Y)' }),
    product: field.reference('product', { filterable: true, label: 'Product (none: every product)' }),
    channel: field.enum(channels, { filterable: true, label: 'Only for channel' }),
    validFrom: field.date({ required: true, filterable: true, label: 'Valid from' }),
    validTo: field.date({ filterable: true, label: 'Valid to (inclusive)' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

export const outlet = defineEntity({
  name: 'outlet',
  plural: 'outlets',
  module: 'retail',
  label: 'Outlet',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 40, filterable: true, sortable: true, label: 'Code' }),
    name: field.text({ required: true, minLength: 1, maxLength: 200, filterable: true, sortable: true, searchable: true, label: 'Name' }),
    legalName: field.text({ maxLength: 200, label: 'Legal name' }),
    channel: field.enum(channels, { required: true, filterable: true, label: 'Channel' }),
    segment: field.enum(['A', 'B', 'C'] as const, { filterable: true, label: 'Segment' }),
    status: field.enum(['active', 'blocked', 'closed'] as const, { required: true, default: 'active', filterable: true, label: 'Status' }),
    street: field.text({ maxLength: 200, label: 'Street' }),
    postalCode: field.text({ maxLength: 20, filterable: true, label: 'Postal code' }),
    city: field.text({ maxLength: 100, filterable: true, sortable: true, label: 'City' }),
    region: field.text({ maxLength: 100, filterable: true, label: 'Region' }),
    country: field.text({ maxLength: 2, pattern: '^[A-Z]{2}$', filterable: true, label: 'Country (ISO 3166)' }),
    latitude: field.decimal({ precision: 9, scale: 6, min: -90, max: 90, label: 'Latitude' }),
    longitude: field.decimal({ precision: 9, scale: 6, min: -180, max: 180, label: 'Longitude' }),
    phone: field.text({ maxLength: 32, personalData: true, label: 'Phone' }),
    email: field.text({ maxLength: 254, personalData: true, label: 'E-mail' }),
    taxId: field.text({ maxLength: 32, filterable: true, label: 'Tax id' }),
    creditLimit: field.money({ min: 0, label: 'Credit limit' }),
    balance: field.money({ label: 'Open balance' }),
    paymentTermsDays: field.integer({ min: 0, max: 365, label: 'Payment terms (days)' }),
    minimumOrder: field.money({ min: 0, label: 'Minimum order' }),
    priceList: field.reference('priceList', { filterable: true, label: 'Price list' }),
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  // Ingestion's exact keys (a spec's `matching.exact`: tax id, e-mail, phone) look outlets up a chunk
  // at a time; a spec may name only fields an index leads with (without one, each chunk read the
  // whole table).
  indexes: [{ fields: ['taxId'] }, { fields: ['email'] }, { fields: ['phone'] }],
  sync: { conflict: 'version' },
  // Reps see and update the outlets of their territories but set neither credit nor territory;
  // managers work in their team's territories; viewers see no personal data nor money.
  access: {
    conditions: { inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read', 'create', 'update'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'update'], where: ['inMyTerritories'] }], readOnlyFields: ['creditLimit', 'balance', 'territory', 'priceList', 'paymentTermsDays', 'minimumOrder', 'status'] },
      viewer: { grants: [{ actions: ['read'] }], hiddenFields: ['phone', 'email', 'creditLimit', 'balance'] },
    },
  },
});

export const outletContact = defineEntity({
  name: 'outletContact',
  plural: 'outletContacts',
  module: 'retail',
  label: 'Outlet contact',
  fields: {
    outlet: field.reference('outlet', { required: true, filterable: true, label: 'Outlet' }),
    territory: field.reference('territory', { filterable: true, label: 'Territory (of the outlet)' }),
    name: field.text({ required: true, maxLength: 160, personalData: true, label: 'Name' }),
    role: field.text({ maxLength: 80, label: 'Role' }),
    phone: field.text({ maxLength: 32, personalData: true, label: 'Phone' }),
    email: field.text({ maxLength: 254, personalData: true, label: 'E-mail' }),
  },
  sync: { conflict: 'merge' },
  access: {
    conditions: { inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read', 'create', 'update', 'delete'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update'], where: ['inMyTerritories'] }] },
      viewer: false,
    },
  },
});
