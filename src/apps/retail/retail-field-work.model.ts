/**
 * Retail field work: route plans, visits (checked in and out), survey responses and shelf checks
 * made during visits, and orders with their lines (priced by the server on submit).
 */
import { defineEntity, field } from '../../kernel/model/index.ts';
import { inMyTerritories, units, userId } from './retail-fields.ts';

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
