/**
 * Generated REST routes for every exposed entity of the model: list, get, create, update, delete
 * under /v1/<plural>. Handlers parse (the schemas do it), call the record service, shape the reply.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import { deriveSchemas, filterOperators, kebabCase, type EntityDef } from '../model/index.ts';
import { recordErrors, type ApiRecord, type RunnableAction } from '../records/index.ts';
import { parseIfMatch as parseSharedIfMatch } from '../shared/index.ts';
import type { HttpDependencies, Principal } from './http.contract.ts';
import { fingerprintRequest } from './idempotency.ts';
import { problemResponses } from './problem.ts';

const idParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Record id' }) }, { additionalProperties: false });
const etagOf = (record: ApiRecord) => `"${record.version}"`;
const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

/** If-Match of the record routes (see kernel/shared if-match.ts); a malformed one is records.invalid_if_match. */
export function parseIfMatch(value: string | undefined): number | 'any' | undefined {
  return parseSharedIfMatch(value, recordErrors.invalidVersion);
}

/** If-None-Match per RFC 9110 §13.1.2: `*` or any listed tag, compared weakly (W/ ignored). */
export function matchesIfNoneMatch(value: string | undefined, etag: string): boolean {
  if (value === undefined) return false;
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
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
  // Roles are always explicit on a request path (the development principal acts as owner): see kernel/access.
  const principal = (request: FastifyRequest): Principal => withRequestRoles(request.principal!, request.headers, config.TENANT_DEV_HEADER);
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
      summary: `Get ${withArticle(entity.name)}`,
      params: idParams,
      querystring: Type.Object({ fields: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
      response: { 200: schemas.readPartial, 304: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { fields } = request.query as { fields?: string };
      // The ETag is the version, so a sparse read fetches it even when it is not asked for.
      const record = await records.get(principal(request), entity, id, fields === undefined ? undefined : `${fields},version`);
      const etag = etagOf(record);
      reply.header('etag', etag);
      if (fields !== undefined && !fields.split(',').includes('version')) delete record.version;
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return record;
    },
  });

  if (entity.scope !== 'tenant') return; // shared reference data is read-only over the API

  app.post(base, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Create ${withArticle(entity.name)}`,
      body: schemas.create,
      // The key's syntax is checked by the idempotency store, so every bad key answers http.invalid_idempotency_key.
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Makes retries safe: the first response is replayed. 1 to 255 visible ASCII characters' })) }),
      // Partial: fields the principal's roles may not read are left out (kernel/access).
      response: { 201: schemas.readPartial, ...problemResponses },
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
      summary: `Update ${withArticle(entity.name)}`,
      description: 'JSON merge patch of the fields to change; null clears an optional field. Requires If-Match with the ETag of the version being changed (or * to change whatever version is current).',
      params: idParams,
      body: schemas.update,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag of the version being changed, e.g. "3"' })) }),
      response: { 200: schemas.readPartial, ...problemResponses },
    },
    handler: async (request, reply) => {
      const expected = parseIfMatch(request.headers['if-match']);
      if (expected === undefined) throw recordErrors.versionRequired();
      const { id } = request.params as { id: string };
      const record = await records.update(principal(request), entity, id, expected === 'any' ? undefined : expected, request.body as Record<string, unknown>);
      withHeaders(reply, record);
      return record;
    },
  });

  for (const runnable of records.actionsOf(entity)) registerActionRoute(app, deps, entity, runnable);

  app.delete(`${base}/:id`, {
    config: routeConfig,
    schema: {
      tags,
      summary: `Delete ${withArticle(entity.name)}`,
      description: 'Soft delete: the record disappears from reads and stays as a tombstone for sync. If-Match is optional.',
      params: idParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
      response: { 204: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const expected = parseIfMatch(request.headers['if-match']);
      await records.remove(principal(request), entity, id, expected === 'any' ? undefined : expected);
      return reply.code(204).send();
    },
  });
}

const emptyBody = Type.Object({}, { additionalProperties: false });

/**
 * `POST /v1/<plural>/{id}/<action>`: a custom action (a state transition, an app handler or both).
 * If-Match is optional (the action checks the state itself); Idempotency-Key makes a retry safe.
 */
function registerActionRoute(app: FastifyInstance, deps: HttpDependencies, entity: EntityDef, runnable: RunnableAction): void {
  const { records, config } = deps;
  const url = `/v1/${entity.path}/:id/${kebabCase(runnable.action)}`;
  const moves = runnable.transition ? ` Moves a ${entity.name} from ${runnable.transition.from.join(' or ')} to ${runnable.transition.to}; in any other state it answers 409 records.illegal_transition.` : '';
  app.post(url, {
    config: { tenant: true },
    schema: {
      tags: [entity.plural],
      summary: runnable.summary ?? `${runnable.action[0]!.toUpperCase()}${runnable.action.slice(1)} ${withArticle(entity.name)}`,
      description: `Custom action ${entity.name}.${runnable.action}, granted by its own permission.${moves}`,
      params: idParams,
      body: runnable.input ?? emptyBody,
      headers: Type.Object({
        'if-match': Type.Optional(Type.String({ description: 'ETag of the version the action applies to; 412 when the record changed since' })),
        'idempotency-key': Type.Optional(Type.String({ description: 'Makes retries safe: the first response is replayed' })),
      }),
      response: { 200: deriveSchemas(entity).readPartial, ...problemResponses },
    },
    // An action without input is usually sent without a body: validate that as an empty object.
    preValidation: (request, _reply, done) => {
      request.body ??= {};
      done();
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const expected = parseIfMatch(request.headers['if-match']);
      const context = withRequestRoles(request.principal!, request.headers, config.TENANT_DEV_HEADER);
      const input = request.body as Record<string, unknown>;
      const expectedVersion = expected === 'any' || expected === undefined ? undefined : expected;
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string') {
        const record = await records.perform(context, entity, id, runnable.action, input, { expectedVersion });
        return reply.header('etag', etagOf(record)).send(record);
      }
      const fingerprint = fingerprintRequest('POST', request.url, input);
      const result = await deps.idempotency.run(context, key, fingerprint, async (tx) => {
        const record = await records.perform(context, entity, id, runnable.action, input, { expectedVersion, tx });
        return { statusCode: 200, headers: { etag: etagOf(record) }, body: record };
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.statusCode).headers(result.headers).send(result.body);
    },
  });
}
