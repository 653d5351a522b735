/**
 * Generated REST routes for every exposed entity of the model: list, get, create, update, delete
 * under /v1/<plural>. Handlers parse (the schemas do it), call the record service, shape the reply.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { deriveSchemas, filterOperators, type EntityDef } from '../model/index.ts';
import { recordErrors, type ApiRecord } from '../records/index.ts';
import type { HttpDependencies, Principal } from './http.contract.ts';
import { fingerprintRequest } from './idempotency.ts';
import { problemSchema } from './problem.ts';

const idParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Record id' }) }, { additionalProperties: false });
const problemResponses = { '4XX': problemSchema, '5XX': problemSchema };
const etagOf = (record: ApiRecord) => `"${record.version}"`;

/** Parses an If-Match value; only our own strong ETags ("<version>") are accepted. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*"(\d{1,15})"\s*$/.exec(value);
  if (!match) throw recordErrors.invalidVersion();
  return Number(match[1]);
}

function listQuerySchema(entity: EntityDef, maxLimit: number): TSchema {
  const properties: Record<string, TSchema> = {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, description: `Page size (at most ${maxLimit})` })),
    cursor: Type.Optional(Type.String({ maxLength: 4096, description: 'Opaque cursor from a previous page (nextCursor)' })),
    sort: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated sort keys; a leading minus sorts descending, e.g. -createdAt' })),
    fields: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated fields to return (sparse fieldset); id is always returned' })),
    includeTotal: Type.Optional(Type.Boolean({ description: 'Also count all matching records' })),
    'createdAt[gte]': Type.Optional(Type.String({ format: 'date-time' })),
    'createdAt[lt]': Type.Optional(Type.String({ format: 'date-time' })),
    'updatedAt[gte]': Type.Optional(Type.String({ format: 'date-time' })),
    'updatedAt[lt]': Type.Optional(Type.String({ format: 'date-time' })),
  };
  for (const [property, def] of Object.entries(entity.fields)) {
    if (!def.filterable) continue;
    for (const operator of filterOperators(def)) {
      const key = operator === 'eq' ? property : `${property}[${operator}]`;
      const description = operator === 'in' ? `${property} is one of these comma-separated values` : `${property} ${operator}`;
      properties[key] = Type.Optional(Type.String({ maxLength: 4000, description }));
    }
  }
  return Type.Object(properties, { additionalProperties: false });
}

export function registerEntityRoutes(app: FastifyInstance, deps: HttpDependencies, entity: EntityDef): void {
  const { records, config } = deps;
  const schemas = deriveSchemas(entity);
  const base = `/v1/${entity.path}`;
  const tags = [entity.plural];
  const limits = { defaultLimit: config.HTTP_LIST_DEFAULT_LIMIT, maxLimit: config.HTTP_LIST_MAX_LIMIT };
  const principal = (request: FastifyRequest): Principal => request.principal!;
  const withHeaders = (reply: FastifyReply, record: ApiRecord) => reply.header('etag', etagOf(record));
  const routeConfig = { tenant: true };

  app.get(base, {
    config: routeConfig,
    schema: {
      tags,
      summary: `List ${entity.plural}`,
      querystring: listQuerySchema(entity, limits.maxLimit),
      response: {
        200: Type.Object({
          data: Type.Array(schemas.readPartial),
          nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Cursor of the next page; null on the last page' }),
          total: Type.Optional(Type.Integer({ description: 'All matching records (with includeTotal=true)' })),
        }),
        ...problemResponses,
      },
    },
    handler: (request) => records.list(principal(request), entity, request.query as Record<string, unknown>, limits),
  });

  app.get(`${base}/:id`, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Get a ${entity.name}`,
      params: idParams,
      querystring: Type.Object({ fields: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
      response: { 200: schemas.readPartial, 304: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { fields } = request.query as { fields?: string };
      const record = await records.get(principal(request), entity, id, fields);
      withHeaders(reply, record);
      if (request.headers['if-none-match'] === etagOf(record) && fields === undefined) return reply.code(304).send();
      return record;
    },
  });

  if (entity.scope !== 'tenant') return; // shared reference data is read-only over the API

  app.post(base, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Create a ${entity.name}`,
      body: schemas.create,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Makes retries safe: the first response is replayed' })) }),
      response: { 201: schemas.read, ...problemResponses },
    },
    handler: async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const key = request.headers['idempotency-key'];
      const context = principal(request);
      const respond = (record: ApiRecord) => ({
        statusCode: 201,
        headers: { location: `${base}/${record.id}`, etag: etagOf(record) },
        body: record,
      });
      if (typeof key !== 'string') {
        const created = respond(await records.create(context, entity, body));
        return reply.code(201).headers(created.headers).send(created.body);
      }
      const fingerprint = fingerprintRequest('POST', base, body);
      const result = await deps.idempotency.run(context, key, fingerprint, async (tx) => respond(await records.create(context, entity, body, tx)));
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.statusCode).headers(result.headers).send(result.body);
    },
  });

  app.patch(`${base}/:id`, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Update a ${entity.name}`,
      description: 'JSON merge patch of the fields to change; null clears an optional field. Requires If-Match with the ETag of the version being changed.',
      params: idParams,
      body: schemas.update,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag of the version being changed, e.g. "3"' })) }),
      response: { 200: schemas.read, ...problemResponses },
    },
    handler: async (request, reply) => {
      const expected = parseIfMatch(request.headers['if-match']);
      if (expected === undefined) throw recordErrors.versionRequired();
      const { id } = request.params as { id: string };
      const record = await records.update(principal(request), entity, id, expected, request.body as Record<string, unknown>);
      withHeaders(reply, record);
      return record;
    },
  });

  app.delete(`${base}/:id`, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Delete a ${entity.name}`,
      description: 'Soft delete: the record disappears from reads and stays as a tombstone for sync. If-Match is optional.',
      params: idParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
      response: { 204: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      await records.remove(principal(request), entity, id, parseIfMatch(request.headers['if-match']));
      return reply.code(204).send();
    },
  });
}
