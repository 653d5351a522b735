/**
 * Admin routes of tenant-defined roles under /v1/access/roles, for owners and admins of the tenant.
 * Members and API keys are managed by kernel/identity.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../db/index.ts';
import type { RoleAdmin, RoleInput } from './access.contract.ts';
import { withRequestRoles } from './request-principal.ts';

const roleName = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$', description: 'Role name: lower case, digits, - and _' });
const names = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200, description }));
const permission = Type.Object(
  {
    entity: Type.String({ maxLength: 100, description: 'Entity name, e.g. product' }),
    actions: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 50, description: 'read, create, update, delete, a custom action, or *' }),
    where: names('Declared row conditions a row must meet (all of them)'),
    hiddenFields: names('Fields the role may not read'),
    readOnlyFields: names('Fields the role may not write'),
  },
  { additionalProperties: false },
);
const permissions = Type.Array(permission, { maxItems: 500 });
const description = Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()]));
const role = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  permissions,
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const nameParams = Type.Object({ name: roleName }, { additionalProperties: false });
const problems = {
  '4XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
};

export interface AccessRoutesOptions {
  /** TENANT_DEV_HEADER: the development principal and its X-Dev-* headers. */
  devHeaders: boolean;
}

/** The route registrar of the role admin API (for HttpDependencies.routes). */
export function accessRoutes(admin: RoleAdmin, options: AccessRoutesOptions) {
  const contextOf = (request: FastifyRequest): TenantContext => withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
  const base = '/v1/access/roles';
  const tags = ['access'];
  const config = { tenant: true };
  return (app: FastifyInstance): void => {
    app.get(base, {
      config,
      schema: { tags, summary: 'List roles', response: { 200: Type.Object({ builtIn: Type.Array(Type.String()), data: Type.Array(role) }), ...problems } },
      handler: async (request) => {
        const { builtIn, roles } = await admin.listRoles(contextOf(request));
        return { builtIn, data: roles };
      },
    });
    app.get(`${base}/:name`, {
      config,
      schema: { tags, summary: 'Get a tenant role', params: nameParams, response: { 200: role, ...problems } },
      handler: (request) => admin.getRole(contextOf(request), (request.params as { name: string }).name),
    });
    app.post(base, {
      config,
      schema: { tags, summary: 'Create a tenant role', body: Type.Object({ name: roleName, description, permissions }, { additionalProperties: false }), response: { 201: role, ...problems } },
      handler: async (request, reply) => {
        const created = await admin.createRole(contextOf(request), request.body as RoleInput);
        return reply.code(201).header('location', `${base}/${created.name}`).send(created);
      },
    });
    app.put(`${base}/:name`, {
      config,
      schema: { tags, summary: 'Replace a tenant role', params: nameParams, body: Type.Object({ description, permissions }, { additionalProperties: false }), response: { 200: role, ...problems } },
      handler: (request) => admin.updateRole(contextOf(request), (request.params as { name: string }).name, request.body as Omit<RoleInput, 'name'>),
    });
    app.delete(`${base}/:name`, {
      config,
      schema: { tags, summary: 'Delete a tenant role', params: nameParams, response: { 204: Type.Null(), ...problems } },
      handler: async (request, reply) => {
        await admin.deleteRole(contextOf(request), (request.params as { name: string }).name);
        return reply.code(204).send();
      },
    });
  };
}
