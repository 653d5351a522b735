/**
 * Admin routes of custom fields under /v1/custom-fields, behind the injected guard (compose: owners,
 * admins and tenant roles granted `fields.manage`, see kernel/access). The schemas check the shape of
 * a body; the service checks its values against the model (fields.invalid_field).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import type { TenantContext } from '../db/index.ts';
import type { CustomFieldAdmin, CustomFieldInput, CustomFieldPrecondition } from './custom-fields.contract.ts';
import { parseIfMatch as parseSharedIfMatch } from '../shared/index.ts';
import { customFieldErrors } from './custom-fields.errors.ts';

const labels = Type.Record(Type.String(), Type.String(), { description: 'Label per locale, such as { "en": "Shelf size", "fr": "Taille du rayon" }' });
const constraints = Type.Object(
  {
    maxLength: Type.Optional(Type.Integer({ description: 'text: at most this many characters (1 to 10,000; with a pattern 1 to 1,000, default 255)' })),
    pattern: Type.Optional(Type.String({ description: 'text: a regular expression the whole value must match (at most 200 characters; no backreferences, lookaround or nested repetition)' })),
    min: Type.Optional(Type.Number({ description: 'integer, decimal: the smallest value' })),
    max: Type.Optional(Type.Number({ description: 'integer, decimal: the largest value' })),
    scale: Type.Optional(Type.Integer({ description: 'decimal: digits after the point (0 to 8, default 4)' })),
    values: Type.Optional(Type.Array(Type.String(), { description: 'enum: the allowed values (1 to 200)' })),
  },
  { additionalProperties: false },
);
const type = Type.String({ description: 'text, integer, decimal, boolean, date, timestamp or enum' });
const field = Type.Object({
  entity: Type.String(),
  key: Type.String({ description: 'The property of `ext` the value lives in' }),
  type,
  labels,
  description: Type.Union([Type.String(), Type.Null()]),
  required: Type.Boolean({ description: 'A value must be given on create and cannot be cleared' }),
  personalData: Type.Boolean({ description: 'Masked in the audit log' }),
  constraints,
  version: Type.Integer({ description: 'Also the ETag' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const fieldInput = Type.Object(
  {
    type,
    labels,
    description: Type.Optional(Type.Union([Type.String({ description: 'At most 500 characters' }), Type.Null()])),
    required: Type.Optional(Type.Boolean()),
    personalData: Type.Optional(Type.Boolean()),
    constraints: Type.Optional(constraints),
  },
  { additionalProperties: false },
);
const fieldParams = Type.Object(
  {
    entity: Type.String({ maxLength: 100, description: 'Entity name, such as product' }),
    key: Type.String({ maxLength: 100, description: 'Field key: a lower-case letter, then up to 39 letters or digits' }),
  },
  { additionalProperties: false },
);
const listQuery = Type.Object({ entity: Type.Optional(Type.String({ maxLength: 100, description: 'Only this entity\'s custom fields' })) }, { additionalProperties: false });
const ifMatchHeader = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag of the version being changed, e.g. "3"; 412 when it changed since' })) });
const problems = {
  '4XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
};

/** If-Match as on every versioned route (kernel/shared if-match.ts). */
function parseIfMatch(value: string | undefined): CustomFieldPrecondition | undefined {
  return parseSharedIfMatch(value, customFieldErrors.invalidIfMatch);
}

export interface CustomFieldRoutesOptions {
  /** Who may manage custom fields; throws (access.denied) to refuse. */
  guard: (request: FastifyRequest) => Promise<void>;
  /** TENANT_DEV_HEADER: the development principal and its X-Dev-* headers. */
  devHeaders: boolean;
}

/** The route registrar of custom fields (for HttpDependencies.routes). */
export function customFieldRoutes(fields: CustomFieldAdmin, options: CustomFieldRoutesOptions) {
  const contextOf = (request: FastifyRequest): TenantContext => withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
  const targetOf = (request: FastifyRequest) => request.params as { entity: string; key: string };
  const base = '/v1/custom-fields';
  const tags = ['custom-fields'];
  const admin = { config: { tenant: true }, preHandler: options.guard };
  return (app: FastifyInstance): void => {
    app.get(base, {
      ...admin,
      schema: { tags, summary: 'List custom fields', querystring: listQuery, response: { 200: Type.Object({ data: Type.Array(field) }), ...problems } },
      handler: async (request) => ({ data: await fields.listFields(contextOf(request), (request.query as { entity?: string }).entity) }),
    });
    app.get(`${base}/:entity/:key`, {
      ...admin,
      schema: { tags, summary: 'Get a custom field', params: fieldParams, response: { 200: field, ...problems } },
      handler: async (request, reply) => {
        const { entity, key } = targetOf(request);
        const found = await fields.getField(contextOf(request), entity, key);
        return reply.header('etag', `"${found.version}"`).send(found);
      },
    });
    app.put(`${base}/:entity/:key`, {
      ...admin,
      schema: { tags, summary: 'Create or replace a custom field', params: fieldParams, headers: ifMatchHeader, body: fieldInput, response: { 200: field, 201: field, ...problems } },
      handler: async (request, reply) => {
        const { entity, key } = targetOf(request);
        const ifMatch = parseIfMatch(request.headers['if-match']);
        const { field: saved, created } = await fields.putField(contextOf(request), entity, key, request.body as CustomFieldInput, ifMatch === undefined ? {} : { ifMatch });
        if (created) reply.code(201).header('location', `${base}/${saved.entity}/${saved.key}`);
        return reply.header('etag', `"${saved.version}"`).send(saved);
      },
    });
    app.delete(`${base}/:entity/:key`, {
      ...admin,
      schema: { tags, summary: 'Delete a custom field (stored values stay until cleared)', params: fieldParams, headers: ifMatchHeader, response: { 204: Type.Null(), ...problems } },
      handler: async (request, reply) => {
        const { entity, key } = targetOf(request);
        const ifMatch = parseIfMatch(request.headers['if-match']);
        await fields.deleteField(contextOf(request), entity, key, ifMatch === undefined ? {} : { ifMatch });
        return reply.code(204).send();
      },
    });
  };
}
