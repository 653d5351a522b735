/**
 * The retail execution model: master data (territories, products and their units, price lists and
 * prices, promotions, outlets and their contacts), the field work of reps (route plans, visits with
 * surveys and shelf audits) and orders. Glossary: rep = a member who visits outlets; territory = a
 * set of outlets a rep (or a manager's team) covers; route plan = which outlets a rep visits when.
 * Every change goes through `tenantry db generate`.
 */
import { defineEntity, field } from '../../kernel/model/index.ts';

export const units = ['EA', 'PK', 'CS', 'KG', 'L'] as const;
export const channels = ['supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'] as const;
export const taxClasses = ['standard', 'reduced', 'zero'] as const;
const userIdPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const userId = (label: string) => field.text({ maxLength: 36, pattern: userIdPattern, filterable: true, label });

/** "In my territories": the territories a user covers come from repTerritory (retail's attribute source). */
const inMyTerritories = { field: 'territory', in: 'principal.attributes.territories' } as const;

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

/** The route plan: a rep visits an outlet on a weekday (1 = Monday) every week, or on one date. */
export const routeStop = defineEntity({
  name: 'routeStop',
  plural: 'routeStops',
  module: 'retail',
  label: 'Route plan stop',
  fields: {
    rep: { ...userId('Rep'), required: true },
    outlet: field.reference('outlet', { required: true, filterable: true, label: 'Outlet' }),
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    weekday: field.integer({ min: 1, max: 7, filterable: true, label: 'Weekday (1 = Monday)' }),
    onDate: field.date({ filterable: true, label: 'On date' }),
    sequence: field.integer({ required: true, default: 1, min: 1, max: 500, sortable: true, label: 'Order in the day' }),
  },
  sync: { conflict: 'version' },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read', 'create', 'update', 'delete'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read'], where: ['own'] }] },
    },
  },
});

export const visit = defineEntity({
  name: 'visit',
  plural: 'visits',
  module: 'retail',
  label: 'Visit',
  fields: {
    outlet: field.reference('outlet', { required: true, filterable: true, label: 'Outlet' }),
    rep: { ...userId('Rep'), required: true },
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    plannedFor: field.date({ required: true, filterable: true, sortable: true, label: 'Planned for' }),
    status: field.enum(['planned', 'checkedIn', 'completed', 'cancelled', 'missed'] as const, { required: true, default: 'planned', filterable: true, label: 'Status' }),
    checkInAt: field.timestamp({ readOnly: true, label: 'Checked in at' }),
    checkOutAt: field.timestamp({ readOnly: true, label: 'Checked out at' }),
    checkInLatitude: field.decimal({ precision: 9, scale: 6, min: -90, max: 90, readOnly: true, label: 'Check-in latitude' }),
    checkInLongitude: field.decimal({ precision: 9, scale: 6, min: -180, max: 180, readOnly: true, label: 'Check-in longitude' }),
    checkInDistanceMeters: field.integer({ min: 0, readOnly: true, label: 'Distance from the outlet at check-in (m)' }),
    farFromOutlet: field.boolean({ readOnly: true, filterable: true, label: 'Checked in far from the outlet' }),
    notes: field.text({ maxLength: 4000, label: 'Notes' }),
  },
  indexes: [{ fields: ['rep', 'plannedFor'] }],
  sync: { conflict: 'merge' },
  states: {
    field: 'status',
    initial: ['planned'],
    transitions: {
      checkIn: { from: ['planned'], to: 'checkedIn', description: 'Check in at the outlet (with the position)' },
      complete: { from: ['checkedIn'], to: 'completed', description: 'Check out and close the visit' },
      cancel: { from: ['planned'], to: 'cancelled' },
      markMissed: { from: ['planned'], to: 'missed' },
    },
  },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['*'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update', 'checkIn', 'complete', 'cancel'], where: ['own'] }] },
    },
  },
});

/** A survey form: questions defined as data per tenant, versioned; answers are checked against the version used. */
export const surveyForm = defineEntity({
  name: 'surveyForm',
  plural: 'surveyForms',
  module: 'retail',
  label: 'Survey form',
  fields: {
    code: field.text({ required: true, maxLength: 40, filterable: true, sortable: true, label: 'Code' }),
    formVersion: field.integer({ required: true, default: 1, min: 1, max: 100_000, label: 'Form version' }),
    title: field.localizedText({ required: true, maxLength: 200, label: 'Title' }),
    definition: field.json({ required: true, label: 'Questions' }),
    active: field.boolean({ required: true, default: true, filterable: true, label: 'Active' }),
  },
  indexes: [{ fields: ['code', 'formVersion'], unique: true }],
  sync: { conflict: 'version' },
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

export const surveyResponse = defineEntity({
  name: 'surveyResponse',
  plural: 'surveyResponses',
  module: 'retail',
  label: 'Survey response',
  fields: {
    visit: field.reference('visit', { required: true, filterable: true, label: 'Visit' }),
    form: field.reference('surveyForm', { required: true, filterable: true, label: 'Form (a version of it)' }),
    rep: { ...userId('Rep'), required: true },
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    answers: field.json({ required: true, label: 'Answers by question id' }),
  },
  sync: { conflict: 'merge' },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update'], where: ['own'] }] },
    },
  },
});

/** A shelf audit of one product during a visit: facings, out of stock, the price seen. */
export const shelfCheck = defineEntity({
  name: 'shelfCheck',
  plural: 'shelfChecks',
  module: 'retail',
  label: 'Shelf check',
  fields: {
    visit: field.reference('visit', { required: true, filterable: true, label: 'Visit' }),
    product: field.reference('product', { required: true, filterable: true, label: 'Product' }),
    rep: { ...userId('Rep'), required: true },
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    facings: field.integer({ min: 0, max: 1000, label: 'Facings' }),
    outOfStock: field.boolean({ required: true, default: false, filterable: true, label: 'Out of stock' }),
    priceSeen: field.money({ min: 0, label: 'Shelf price seen' }),
  },
  indexes: [{ fields: ['visit', 'product'], unique: true }],
  sync: { conflict: 'lww' },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update'], where: ['own'] }] },
    },
  },
});

export const order = defineEntity({
  name: 'order',
  plural: 'orders',
  module: 'retail',
  label: 'Order',
  fields: {
    number: field.text({ required: true, unique: true, maxLength: 40, filterable: true, sortable: true, label: 'Order number' }),
    outlet: field.reference('outlet', { required: true, filterable: true, label: 'Outlet' }),
    rep: { ...userId('Rep'), required: true },
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    visit: field.reference('visit', { filterable: true, label: 'Taken during visit' }),
    orderDate: field.date({ required: true, filterable: true, sortable: true, label: 'Order date' }),
    status: field.enum(['draft', 'submitted', 'approved', 'fulfilled', 'rejected', 'cancelled'] as const, { required: true, default: 'draft', filterable: true, label: 'Status' }),
    currency: field.text({ maxLength: 3, pattern: '^[A-Z]{3}$', readOnly: true, label: 'Currency' }),
    subtotal: field.money({ readOnly: true, label: 'Subtotal (before discounts)' }),
    discountTotal: field.money({ readOnly: true, label: 'Discounts' }),
    taxTotal: field.money({ readOnly: true, label: 'Taxes' }),
    total: field.money({ readOnly: true, filterable: true, label: 'Total' }),
    notes: field.text({ maxLength: 2000, label: 'Notes' }),
    rejectionReason: field.text({ maxLength: 500, readOnly: true, label: 'Rejection reason' }),
  },
  sync: { conflict: 'version' },
  states: {
    field: 'status',
    initial: ['draft'],
    transitions: {
      submit: { from: ['draft'], to: 'submitted', description: 'Submit the order: priced and checked on the server' },
      approve: { from: ['submitted'], to: 'approved', description: 'Approve a submitted order (managers)' },
      reject: { from: ['submitted'], to: 'rejected', description: 'Reject a submitted order with a reason (managers)' },
      fulfil: { from: ['approved'], to: 'fulfilled' },
      cancel: { from: ['draft', 'submitted'], to: 'cancelled' },
    },
  },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read', 'create', 'update', 'submit', 'approve', 'reject', 'cancel'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update', 'submit', 'cancel'], where: ['own'] }] },
    },
  },
});

/** A line of an order; its prices are the server's (computed when the order is submitted). */
export const orderLine = defineEntity({
  name: 'orderLine',
  plural: 'orderLines',
  module: 'retail',
  label: 'Order line',
  fields: {
    order: field.reference('order', { required: true, filterable: true, label: 'Order' }),
    product: field.reference('product', { required: true, filterable: true, label: 'Product' }),
    rep: { ...userId('Rep'), required: true },
    territory: field.reference('territory', { filterable: true, label: 'Territory' }),
    unit: field.enum(units, { required: true, default: 'EA', label: 'Unit' }),
    quantity: field.decimal({ required: true, precision: 12, scale: 3, min: 0.001, label: 'Quantity' }),
    unitPrice: field.money({ readOnly: true, label: 'Unit price' }),
    discount: field.money({ readOnly: true, label: 'Discount' }),
    tax: field.money({ readOnly: true, label: 'Tax' }),
    lineTotal: field.money({ readOnly: true, label: 'Line total' }),
    promotion: field.reference('promotion', { readOnly: true, label: 'Promotion applied' }),
  },
  sync: { conflict: 'version' },
  access: {
    conditions: { own: { field: 'rep', equals: 'principal.userId' }, inMyTerritories },
    roles: {
      manager: { grants: [{ actions: ['read', 'create', 'update', 'delete'], where: ['inMyTerritories'] }] },
      member: { grants: [{ actions: ['read', 'create', 'update', 'delete'], where: ['own'] }] },
    },
  },
});

export const retailEntities = [
  territory,
  repTerritory,
  product,
  productUnit,
  priceList,
  price,
  promotion,
  outlet,
  outletContact,
  routeStop,
  visit,
  surveyForm,
  surveyResponse,
  shelfCheck,
  order,
  orderLine,
] as const;
