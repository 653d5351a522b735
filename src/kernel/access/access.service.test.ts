import { describe, expect, it } from 'vitest';
import { defineEntity, field } from '../model/index.ts';
import { builtInRoles } from './access.contract.ts';
import { builtInAccess, combineAccess, isKnownAction, tenantRoleAccess } from './access.service.ts';

const unguarded = defineEntity({ name: 'note', plural: 'notes', module: 'test', fields: { body: field.text() } });
const order = defineEntity({
  name: 'order',
  plural: 'orders',
  module: 'test',
  fields: { assignee: field.text(), region: field.text(), secret: field.text(), status: field.text() },
  access: {
    conditions: { own: { field: 'assignee', equals: 'principal.userId' }, region: { field: 'region', in: 'principal.attributes.regions' } },
    actions: ['approve'],
    roles: { viewer: { grants: [{ actions: ['read'] }], hiddenFields: ['secret'] }, manager: { grants: [{ actions: ['read', 'approve'], where: ['region'] }] } },
  },
});
const context = { tenantId: '0190a5f2-0000-7000-8000-000000000001', userId: '0190a5f2-0000-7000-8000-000000000002', roles: [] };

const permissionsOf = (entity: typeof order | typeof unguarded, roles: string[]) =>
  combineAccess(
    entity,
    roles.flatMap((role) => builtInAccess(role as (typeof builtInRoles)[number], entity) ?? []),
    { ...context, roles },
  );

describe('access decisions', () => {
  it('denies every action of an entity without a policy to every role but owner and admin', () => {
    for (const role of builtInRoles) {
      const permissions = permissionsOf(unguarded, [role]);
      for (const action of ['read', 'create', 'update', 'delete']) expect(permissions.can(action), `${role} ${action}`).toBe(role === 'owner' || role === 'admin');
    }
    expect(() => permissionsOf(unguarded, ['viewer']).require('read')).toThrow(expect.objectContaining({ code: 'access.denied' }));
  });

  it('denies a principal without roles and any undeclared action, even to the owner', () => {
    expect(combineAccess(order, [], context).can('read')).toBe(false);
    expect(permissionsOf(order, ['owner']).can('approve')).toBe(true);
    expect(permissionsOf(order, ['owner']).can('refund')).toBe(false);
    expect(isKnownAction(order, 'approve')).toBe(true);
  });

  it('gives members the rows of the own condition and managers their declared grants', () => {
    const member = permissionsOf(order, ['member']);
    expect(member.can('delete')).toBe(false);
    expect(member.require('read').predicate).not.toBeNull();
    const manager = permissionsOf(order, ['manager']);
    expect([manager.can('read'), manager.can('approve'), manager.can('create')]).toEqual([true, true, false]);
    expect(permissionsOf(order, ['admin']).require('delete').predicate).toBeNull();
  });

  it('hides a field only while every reading role hides it', () => {
    expect([...permissionsOf(order, ['viewer']).hiddenFields]).toEqual(['secret']);
    expect(permissionsOf(order, ['viewer', 'member']).hiddenFields.size).toBe(0);
    // A role that cannot read does not unhide what the reading role hides.
    const writerOnly = tenantRoleAccess([{ entity: 'order', actions: ['create'] }], order)!;
    const viewer = builtInAccess('viewer', order)!;
    expect([...combineAccess(order, [viewer, writerOnly], context).hiddenFields]).toEqual(['secret']);
  });

  it('reads tenant role permissions for the named entity only', () => {
    expect(tenantRoleAccess([{ entity: 'note', actions: ['read'] }], order)).toBeUndefined();
    const access = tenantRoleAccess([{ entity: 'order', actions: ['update'], where: ['own'], readOnlyFields: ['status'] }], order)!;
    const permissions = combineAccess(order, [access], context);
    expect([permissions.can('update'), permissions.can('read')]).toEqual([true, false]);
    expect([...permissions.readOnlyFields]).toEqual(['status']);
  });

  it('refuses a policy that names undeclared fields, conditions or actions', () => {
    expect(() =>
      defineEntity({ name: 'bad', plural: 'bads', module: 'test', fields: { a: field.text() }, access: { conditions: { mine: { field: 'nope', equals: 'principal.userId' } }, roles: { member: { grants: [{ actions: ['fly'], where: ['other'] }] } } } }),
    ).toThrow(/unknown field "nope".*unknown action "fly".*unknown condition "other"/);
  });
});
