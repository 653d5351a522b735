/**
 * The authorization matrix: every role (built-in and tenant-defined) x exposed entity x action,
 * generated from the model registry and the role definitions, checked over HTTP. The expectation
 * comes from the declared policies (read here, independently of kernel/access); the test demands
 * zero false allows and zero false denies. Rows are made inside the principal's row scope, so what
 * is checked is the permission itself; row scopes and masks have their own tests.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInRoles, type RolePermission } from '../../src/kernel/access/index.ts';
import { kebabCase, type EntityDef, type RowCondition } from '../../src/kernel/model/index.ts';
import { isolationRegistry } from '../support/isolation-setup.ts';
import { SampleFactory, writableInput } from '../support/isolation-samples.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

type Operation = 'list' | 'get' | 'create' | 'update' | 'delete' | `action:${string}`;
const crudActionOf: Record<string, string> = { list: 'read', get: 'read', create: 'create', update: 'update', delete: 'delete' };
const actionOf = (operation: Operation) => (operation.startsWith('action:') ? operation.slice('action:'.length) : crudActionOf[operation]!);
const allowedStatus = (operation: Operation) => (operation === 'create' ? 201 : operation === 'delete' ? 204 : 200);

/** Tenant-defined roles of the matrix, created through the admin API. */
const tenantRoles: Record<string, RolePermission[]> = {
  auditor: [
    { entity: 'ktWidget', actions: ['read'], hiddenFields: ['ownerEmail'] },
    { entity: 'product', actions: ['read'] },
    { entity: 'outlet', actions: ['read', 'update'] },
    { entity: 'ktCountry', actions: ['read'] },
  ],
  stocker: [
    { entity: 'product', actions: ['*'] },
    { entity: 'ktCategory', actions: ['create', 'read', 'delete'] },
    { entity: 'ktWidget', actions: ['read', 'update'], where: ['own'] },
    { entity: 'ktMemo', actions: ['read'] },
    { entity: 'ktTicket', actions: ['read', 'reopen', 'escalate'] },
  ],
};
const roles = [...builtInRoles, ...Object.keys(tenantRoles)];
const builtInDefaults: Record<string, readonly string[]> = { manager: ['read', 'create', 'update'], member: ['read', 'create', 'update'], viewer: ['read'] };

/** What the declared policies say: the oracle of the matrix. */
function expectedAllowed(role: string, entity: EntityDef, action: string): boolean {
  const grants = (actions: readonly string[]) => actions.includes(action) || actions.includes('*');
  if (role === 'owner') return true;
  if (tenantRoles[role]) return tenantRoles[role].some((permission) => permission.entity === entity.name && grants(permission.actions));
  const override = entity.access?.roles?.[role as 'admin'];
  if (override === false) return false;
  if (override) return override.grants.some((grant) => grants(grant.actions));
  if (role === 'admin') return true;
  if (!entity.access) return false;
  return grants(builtInDefaults[role]!);
}

const userId = randomUUID();
const territory = 'north';
/** A territory record (retail's territories are references): its id joins 'north' in the principal's territories. */
let territoryId = '';
const principalHeaders = (role: string) => ({ 'x-dev-roles': role, 'x-dev-user': userId, 'x-dev-attributes': JSON.stringify({ territories: [territory, territoryId] }) });

/** Values that put a row inside the principal's scope for every declared condition. */
function inScopeValues(entity: EntityDef): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const entry of Object.values(entity.access?.conditions ?? {})) {
    for (const condition of (Array.isArray(entry) ? entry : [entry]) as RowCondition[]) {
      if (!(condition.field in entity.fields)) continue;
      if ('is' in condition) values[condition.field] = condition.is;
      else if ('equals' in condition) values[condition.field] = userId;
      else values[condition.field] = entity.fields[condition.field]!.kind === 'reference' ? territoryId : territory;
    }
  }
  return values;
}

/** Fields the role may not write (declared for built-in roles, stored for tenant roles). */
function readOnlyOf(role: string, entity: EntityDef): Set<string> {
  const declared = tenantRoles[role]
    ? tenantRoles[role].filter((permission) => permission.entity === entity.name).flatMap((permission) => permission.readOnlyFields ?? [])
    : ((entity.access?.roles?.[role as 'admin'] || undefined)?.readOnlyFields ?? []);
  return new Set(declared);
}

let t: TestPlatform;
let tenant: string;
const samples = new SampleFactory(4242);
const references = new Map<string, string[]>();
const exposed = isolationRegistry.inDependencyOrder().filter((entity) => entity.expose);

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });

/** A sample whose unique keys are unused; when the reference pools run out of combinations, they grow. */
async function freshSample(entity: EntityDef): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return samples.records(entity, tenant, 1, (name) => references.get(name) ?? [])[0]!;
    } catch (error) {
      if (attempt === 5) throw error;
      for (const index of entity.indexes.filter((candidate) => candidate.unique)) {
        for (const name of index.fields) {
          const def = entity.fields[name]!;
          if (def.kind === 'reference') references.set(def.entity!, [...(references.get(def.entity!) ?? []), (await makeRow(isolationRegistry.get(def.entity!))).id]);
        }
      }
    }
  }
}

async function sampleBody(entity: EntityDef, role: string): Promise<Record<string, unknown>> {
  const values = await freshSample(entity);
  const readOnly = readOnlyOf(role, entity);
  const forced = inScopeValues(entity);
  const body = { ...writableInput(entity, values!), ...forced };
  for (const property of readOnly) delete body[property];
  // A unique key that includes a field the scope pins (rep + territory) needs a fresh partner each time.
  for (const index of entity.indexes.filter((candidate) => candidate.unique && candidate.fields.some((name) => name in forced))) {
    for (const name of index.fields) {
      const def = entity.fields[name]!;
      if (!(name in forced) && def.kind === 'reference') body[name] = (await makeRow(isolationRegistry.get(def.entity!))).id;
    }
  }
  return body;
}

/** A fresh in-scope row, made by the owner. */
async function makeRow(entity: EntityDef): Promise<Record<string, unknown> & { id: string }> {
  if (entity.scope === 'global') {
    const id = randomUUID();
    const [values] = samples.records(entity, 'global', 1, () => []);
    const columns = Object.entries(values!).map(([property, value]) => [property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), typeof value === 'object' ? JSON.stringify(value) : value] as const);
    await sql`insert into ${sql.table(entity.table)} (id, ${sql.join(columns.map(([column]) => sql.ref(column)))}) values (${id}, ${sql.join(columns.map(([, value]) => sql`${value}`))})`.execute(t.database.owner.db);
    return { id, ...values };
  }
  const response = await call('POST', `/v1/${entity.path}`, {}, await sampleBody(entity, 'owner'));
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/**
 * A fresh row in a state the action's transition leaves, set directly with the owner connection (a
 * walk through the transitions would meet the app's rules, such as an empty order that cannot be
 * submitted), so that what the role's attempt meets is the permission, not the state.
 */
async function makeRowFor(entity: EntityDef, action: string): Promise<{ id: string }> {
  const row = await makeRow(entity);
  const machine = entity.states;
  const target = machine?.transitions[action];
  if (!machine || !target || target.from.includes(String(row[machine.field]))) return row;
  const column = machine.field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  await sql`update ${sql.table(entity.table)} set ${sql.ref(column)} = ${target.from[0]!} where id = ${row.id}`.execute(t.database.owner.db);
  return row;
}

/** The documented example input of an action (the matrix checks permissions, not validation). */
const inputOf = (entity: EntityDef, action: string) =>
  ((t.platform.records.actionsOf(entity).find((runnable) => runnable.action === action)?.input as { examples?: unknown[] } | undefined)?.examples?.[0] ?? {}) as object;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant()).slug;
  for (const entity of exposed) {
    if (!Object.values(isolationRegistry.entities).some((other) => Object.values(other.fields).some((def) => def.kind === 'reference' && def.entity === entity.name))) continue;
    references.set(entity.name, [(await makeRow(entity)).id]);
    if (entity.name === 'territory') territoryId = references.get('territory')![0]!;
  }
  for (const [name, permissions] of Object.entries(tenantRoles)) {
    const created = await call('POST', '/v1/access/roles', {}, { name, permissions });
    expect(created.statusCode, created.body).toBe(201);
  }
});
afterAll(() => t.close());

const runnableActions = (entity: EntityDef): Operation[] => t.platform.records.actionsOf(entity).map((runnable): Operation => `action:${runnable.action}`);

describe('authorization matrix', () => {
  it('allows exactly what the declared policies grant: 0 false allows, 0 false denies', async () => {
    const falseAllows: string[] = [];
    const falseDenies: string[] = [];
    const otherFailures: string[] = [];
    let cases = 0;
    for (const role of roles) {
      for (const entity of exposed) {
        const operations: Operation[] = entity.scope === 'tenant' ? ['list', 'get', 'create', 'update', 'delete', ...runnableActions(entity)] : ['list', 'get'];
        for (const operation of operations) {
          cases += 1;
          const expected = expectedAllowed(role, entity, actionOf(operation));
          const headers = principalHeaders(role);
          const base = `/v1/${entity.path}`;
          let response;
          if (operation === 'list') response = await call('GET', base, headers);
          else if (operation === 'create') response = await call('POST', base, headers, await sampleBody(entity, role));
          else if (operation.startsWith('action:')) {
            const action = actionOf(operation);
            const row = await makeRowFor(entity, action);
            response = await call('POST', `${base}/${row.id}/${kebabCase(action)}`, headers, inputOf(entity, action));
          } else {
            const row = await makeRow(entity);
            if (operation === 'get') response = await call('GET', `${base}/${row.id}`, headers);
            else if (operation === 'delete') response = await call('DELETE', `${base}/${row.id}`, headers);
            else {
              const readOnly = readOnlyOf(role, entity);
              const writable = (name: string) => !entity.fields[name]!.readOnly && !entity.fields[name]!.unique && name !== entity.states?.field;
              const property = Object.keys(entity.fields).find((name) => writable(name) && !readOnly.has(name) && !(name in inScopeValues(entity)));
              response = await call('PATCH', `${base}/${row.id}`, { ...headers, 'if-match': '*' }, { [property!]: row[property!] ?? null });
            }
          }
          const label = `${role} ${operation} ${entity.name}: ${response.statusCode} ${response.statusCode >= 400 ? response.json().code : ''}`;
          const denied = response.statusCode === 403 && response.json().code === 'access.denied';
          // An app's business rule refusing a granted action (an empty order cannot be submitted) passed the permission.
          const refusedByRule = operation.startsWith('action:') && [409, 422].includes(response.statusCode) && !/^(access|records|http)\./.test(response.json().code);
          if (expected && response.statusCode !== allowedStatus(operation) && !refusedByRule) (denied ? falseDenies : otherFailures).push(label);
          if (!expected && !denied) (response.statusCode < 400 ? falseAllows : otherFailures).push(label);
        }
      }
    }
    expect({ falseAllows, falseDenies, otherFailures }).toEqual({ falseAllows: [], falseDenies: [], otherFailures: [] });
    // Not vacuous: every role, every exposed entity, the five CRUD operations and every runnable custom action on tenant entities.
    expect(cases).toBe(roles.length * exposed.reduce((sum, entity) => sum + (entity.scope === 'tenant' ? 5 + runnableActions(entity).length : 2), 0));
    expect(exposed.map((entity) => entity.name)).toEqual(expect.arrayContaining(['ktWidget', 'ktCategory', 'ktMemo', 'ktCountry', 'ktTicket', 'product', 'outlet']));
    expect(runnableActions(isolationRegistry.get('ktTicket'))).toEqual(['action:escalate', 'action:start', 'action:resolve', 'action:cancel', 'action:reopen']);
  }, 180_000);
});
