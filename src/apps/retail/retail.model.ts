/**
 * Retail master data, first slice: products and outlets (shops visited by field sales reps).
 * The retail issue extends this model; every change goes through `tenantry db generate`.
 */
import { defineEntity, field } from '../../kernel/model/index.ts';

export const units = ['EA', 'PK', 'CS', 'KG', 'L'] as const;
export const channels = ['supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'] as const;

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
    listPrice: field.money({ min: 0, filterable: true, label: 'List price' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  sync: { conflict: 'version' },
  // Master data (mostly ingested from the ERP): managers maintain it, reps and viewers read it.
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
    channel: field.enum(channels, { required: true, filterable: true, label: 'Channel' }),
    city: field.text({ maxLength: 100, filterable: true, sortable: true, label: 'City' }),
    country: field.text({ maxLength: 2, pattern: '^[A-Z]{2}$', filterable: true, label: 'Country (ISO 3166)' }),
    phone: field.text({ maxLength: 32, personalData: true, label: 'Phone' }),
    email: field.text({ maxLength: 254, personalData: true, label: 'E-mail' }),
    creditLimit: field.money({ min: 0, label: 'Credit limit' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  sync: { conflict: 'version' },
  // Reps (members) record and update the outlets they visit but do not set credit limits; viewers
  // see neither the contact's personal data nor the credit limit. Only owners and admins delete.
  access: {
    roles: {
      member: { grants: [{ actions: ['read', 'create', 'update'] }], readOnlyFields: ['creditLimit'] },
      viewer: { grants: [{ actions: ['read'] }], hiddenFields: ['phone', 'email', 'creditLimit'] },
    },
  },
});

export const retailEntities = [product, outlet] as const;
