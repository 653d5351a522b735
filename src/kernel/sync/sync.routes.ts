/** HTTP of offline sync: POST /v1/sync/pull and /v1/sync/push. Thin handlers over the sync service. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import { problemResponses } from '../http/index.ts';
import { pullDefaults } from './pull.service.ts';
import type { SyncService } from './sync.contract.ts';

const entityChanges = Type.Object({
  upserts: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: true }), { description: 'Records to insert or replace (keep the higher version)' }),
  deletes: Type.Array(Type.String({ format: 'uuid' }), { description: 'Ids to remove: deleted, or moved out of your scope' }),
});

export function syncRoutes(sync: SyncService, options: { devHeaders: boolean }) {
  const contextOf = (request: FastifyRequest) => withRequestRoles(request.principal!, request.headers, options.devHeaders);
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/sync/pull', {
      config: { tenant: true },
      schema: {
        tags: ['sync'],
        summary: 'Changes of your sync scope since a cursor (the first sync: no cursor)',
        description: 'See docs/sync-protocol.md. Pull again with the returned cursor while hasMore is true; reset=true means drop the local copy first.',
        body: Type.Object(
          {
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'The cursor of the previous pull' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: pullDefaults.maxLimit, description: `Most changes in the page (default ${pullDefaults.limit})` })),
            maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: pullDefaults.maxMaxBytes, description: 'Soft size limit of the page (JSON bytes of its records; default 2 MiB)' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            changes: Type.Record(Type.String(), entityChanges),
            cursor: Type.String(),
            hasMore: Type.Boolean(),
            reset: Type.Boolean(),
          }),
          ...problemResponses,
        },
      },
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
      handler: async (request, reply) => {
        const page = await sync.pull(contextOf(request), request.body as Parameters<SyncService['pull']>[1]);
        // The body was serialized once while the byte budget was counted: send it as it is.
        return page.body === undefined ? page : reply.type('application/json; charset=utf-8').send(page.body);
      },
    });

    app.post('/v1/sync/push', {
      config: { tenant: true },
      bodyLimit: pushBodyLimit,
      schema: {
        tags: ['sync'],
        summary: 'Apply mutations made offline, in order and exactly once',
        description: 'See docs/sync-protocol.md. Each mutation gets a result; a rejected one never blocks the next. Retrying a whole batch is safe.',
        body: Type.Object(
          {
            clientId: Type.String({ format: 'uuid', description: 'This device and user: made once by the client and kept' }),
            mutations: Type.Array(mutation, { minItems: 1, maxItems: maxMutations }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            clientId: Type.String({ format: 'uuid' }),
            lastMutationId: Type.Integer({ description: 'The highest mutation id applied or settled: drop these from the queue' }),
            results: Type.Array(
              Type.Object({
                id: Type.Integer(),
                status: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('conflict'), Type.Literal('rejected')]),
                record: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
                serverRecord: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
                problem: Type.Optional(Type.Object({ code: Type.String(), title: Type.String(), detail: Type.String() }, { additionalProperties: true })),
                missing: Type.Optional(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 })),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
      handler: (request) => sync.push(contextOf(request), request.body as Parameters<SyncService['push']>[1]),
    });
  };
}

/** At most this many mutations per push (the client sends the rest in the next batch). */
export const maxMutations = 500;
const pushBodyLimit = 4 * 1024 * 1024;

const mutation = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Increases per client' }),
    entity: Type.String({ minLength: 1, maxLength: 64 }),
    op: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete'), Type.Literal('action')]),
    recordId: Type.String({ format: 'uuid' }),
    baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    data: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'create: the fields; update: the changed fields only' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    input: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false },
);
