/**
 * The kernel test model: not an app, an entity set that exercises every field type, constraint,
 * relation and annotation the model supports, so derivations and the isolation suite are tested on
 * all of them. Its migrations are generated like an app's (test/model/generate-migration.ts).
 */
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { defineEntity, field, type ActionHandler, type AppModule } from '../../src/kernel/model/index.ts';
import { AppError } from '../../src/kernel/shared/index.ts';

/** Global reference data: no tenant_id, no RLS, read-only at runtime. */
export const ktCountry = defineEntity({
  name: 'ktCountry',
  plural: 'ktCountries',
  module: 'kernel_test',
  scope: 'global',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 2, pattern: '^[A-Z]{2}$', filterable: true, sortable: true }),
    name: field.localizedText({ required: true }),
  },
  // Reference data: the built-in defaults (every built-in role reads; writes are refused anyway).
  access: {},
});

export const ktCategory = defineEntity({
  name: 'ktCategory',
  plural: 'ktCategories',
  module: 'kernel_test',
  fields: {
    code: field.text({ required: true, unique: true, maxLength: 20, filterable: true, sortable: true }),
    title: field.text({ required: true, maxLength: 100, filterable: true, sortable: true }),
  },
  // Built-in defaults, except that members only read categories.
  access: { roles: { member: { grants: [{ actions: ['read'] }] } } },
});

export const ktWidget = defineEntity({
  name: 'ktWidget',
  plural: 'ktWidgets',
  module: 'kernel_test',
  description: 'A record with one field of every kind',
  fields: {
    code: field.text({ required: true, unique: true, minLength: 2, maxLength: 30, pattern: '^[A-Z0-9-]+$', filterable: true, sortable: true }),
    name: field.text({ required: true, maxLength: 200, filterable: true, sortable: true, searchable: true }),
    quantity: field.integer({ min: 0, max: 1_000_000, filterable: true, sortable: true }),
    weight: field.decimal({ precision: 12, scale: 3, filterable: true, sortable: true }),
    price: field.money({ min: 0, filterable: true }),
    fixedFee: field.money({ currency: 'EUR' }),
    enabled: field.boolean({ required: true, default: true, filterable: true }),
    availableOn: field.date({ filterable: true, sortable: true }),
    inspectedAt: field.timestamp({ filterable: true, sortable: true }),
    status: field.enum(['draft', 'active', 'retired'] as const, { required: true, default: 'draft', filterable: true, sortable: true }),
    attributes: field.json(),
    title: field.localizedText({ maxLength: 120 }),
    category: field.reference('ktCategory', { filterable: true }),
    country: field.reference('ktCountry', { filterable: true }),
    ownerEmail: field.text({ maxLength: 254, personalData: true, filterable: true }),
    serial: field.text({ maxLength: 40, readOnly: true }),
    assignee: field.text({ maxLength: 36, pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', filterable: true, label: 'Assigned user id' }),
    territory: field.text({ maxLength: 40, filterable: true, sortable: true }),
  },
  indexes: [{ fields: ['category', 'status'] }],
  sync: { conflict: 'version' },
  access: {
    conditions: {
      own: { field: 'assignee', equals: 'principal.userId' },
      inMyTerritories: { field: 'territory', in: 'principal.attributes.territories' },
    },
    actions: ['approve'],
    roles: {
      // Managers work in their territories and approve there; they never delete.
      manager: { grants: [{ actions: ['read', 'create', 'update', 'approve'], where: ['inMyTerritories'] }] },
      // Members work on the widgets assigned to them; they neither see the owner's e-mail nor set the status.
      member: { grants: [{ actions: ['read', 'create', 'update'], where: ['own'] }], hiddenFields: ['ownerEmail'], readOnlyFields: ['status'] },
      viewer: { grants: [{ actions: ['read'] }], hiddenFields: ['ownerEmail', 'price'] },
    },
  },
});

/** No access section: deny by default, only owner and admin may touch it. */
export const ktMemo = defineEntity({
  name: 'ktMemo',
  plural: 'ktMemos',
  module: 'kernel_test',
  fields: {
    body: field.text({ required: true, maxLength: 500, filterable: true }),
  },
});

/** A record with a lifecycle: its status changes only through the transitions (kernel/records actions). */
export const ktTicket = defineEntity({
  name: 'ktTicket',
  plural: 'ktTickets',
  module: 'kernel_test',
  fields: {
    subject: field.text({ required: true, maxLength: 200, filterable: true }),
    status: field.enum(['open', 'inProgress', 'resolved', 'cancelled'] as const, { required: true, default: 'open', filterable: true }),
    resolution: field.text({ maxLength: 500 }),
    priority: field.integer({ required: true, default: 0, min: 0, max: 3, readOnly: true, label: 'Priority (raised by escalate)' }),
    assignee: field.text({ maxLength: 36, filterable: true }),
  },
  sync: { conflict: 'merge' },
  states: {
    field: 'status',
    initial: ['open'],
    transitions: {
      start: { from: ['open'], to: 'inProgress' },
      resolve: { from: ['open', 'inProgress'], to: 'resolved', description: 'Resolve a ticket with a resolution' },
      cancel: { from: ['open', 'inProgress'], to: 'cancelled' },
      reopen: { from: ['resolved', 'cancelled'], to: 'open' },
    },
  },
  access: {
    conditions: { own: { field: 'assignee', equals: 'principal.userId' } },
    actions: ['escalate'],
    roles: {
      manager: { grants: [{ actions: ['*'] }] },
      // Members work their own tickets: they may start and resolve them, not cancel, reopen or escalate.
      member: { grants: [{ actions: ['read', 'create', 'update', 'start', 'resolve'], where: ['own'] }] },
      viewer: { grants: [{ actions: ['read'] }] },
    },
  },
});

export const ktTicketActions: readonly ActionHandler[] = [
  {
    entity: ktTicket,
    action: 'resolve',
    input: Type.Object({ resolution: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false, examples: [{ resolution: 'Replaced the part' }] }),
    run: async ({ input }) => ({ set: { resolution: input.resolution } }),
  },
  {
    // Not a transition: an app rule decides (top priority cannot go higher).
    entity: ktTicket,
    action: 'escalate',
    summary: 'Raise the priority of a ticket',
    run: async ({ record }) => {
      const priority = record.priority as number;
      if (priority >= 3) throw new AppError('conflict', 'kt.top_priority', 'Already at top priority', { detail: 'This ticket is already at the highest priority.' });
      return { set: { priority: priority + 1 } };
    },
  },
];

export const kernelTestEntities = [ktCountry, ktCategory, ktWidget, ktMemo, ktTicket] as const;

export const kernelTestModule: AppModule = {
  name: 'kernel_test',
  entities: kernelTestEntities,
  actions: ktTicketActions,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
