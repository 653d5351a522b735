/**
 * The auditors' read API: GET /v1/audit-events (filtered, keyset-paged, newest first) and
 * GET /v1/audit-events/{seq}, for the request's tenant only. Who may read is decided by the injected
 * guard (compose: owners, admins and tenant roles granted `audit.read`, see kernel/access).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { problemResponses, type Principal, type RouteRegistrar } from '../http/index.ts';
import type { AuditLog, AuditQuery } from './audit.contract.ts';

const actor = Type.Object({ kind: Type.Union(['user', 'api_key', 'system', 'anonymous'].map((kind) => Type.Literal(kind))), id: Type.Union([Type.String(), Type.Null()]) });
const nullableString = Type.Union([Type.String(), Type.Null()]);
const auditEvent = Type.Object(
  {
    seq: Type.Integer({ description: 'Position in the tenant\'s chain, from 1, without gaps' }),
    occurredAt: Type.String({ format: 'date-time' }),
    actor,
    action: Type.String({ description: 'create, update, delete, a custom action or a security event such as auth.login_failed' }),
    entity: nullableString,
    recordId: nullableString,
    changes: Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() }), {
      description: 'Changed fields only, in API form; personal data is "[masked]" (null stays null)',
    }),
    details: Type.Record(Type.String(), Type.Unknown()),
    requestId: nullableString,
    ip: nullableString,
    prevHash: Type.String({ description: 'Hash of the previous event (64 zeros for the first); for an item of a batch, its batch\'s' }),
    hash: Type.String({ description: 'SHA-256 over prevHash and the canonical content of this event; for an item of a batch, its batch\'s, which covers the item' }),
    batch: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The seq of the batch (action audit.batch: a bulk write such as an ingestion chunk, appended at once) this entry is an item of; null for an event of its own',
    }),
  },
  { $id: 'AuditEvent', title: 'AuditEvent' },
);

export function auditRoutes(audit: AuditLog, limits: { maxLimit: number; guard: (request: FastifyRequest) => Promise<void> }): RouteRegistrar {
  return (app: FastifyInstance) => {
    const principal = (request: FastifyRequest): Principal => request.principal!;
    const tags = ['audit'];
    app.addSchema(auditEvent);
    const eventRef = Type.Ref('AuditEvent');
    app.get('/v1/audit-events', {
      config: { tenant: true },
      preHandler: limits.guard,
      schema: {
        tags,
        summary: 'List audit events',
        description: 'Newest first. Filters combine with AND; paging is keyset-based (nextCursor).',
        querystring: Type.Object(
          {
            entity: Type.Optional(Type.String({ maxLength: 100 })),
            recordId: Type.Optional(Type.String({ maxLength: 200 })),
            actorId: Type.Optional(Type.String({ maxLength: 200 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'occurredAt at or after' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'occurredAt before' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxLimit, description: `Page size (at most ${limits.maxLimit})` })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(eventRef), nextCursor: nullableString }), ...problemResponses },
      },
      handler: (request) => audit.list(principal(request), request.query as AuditQuery),
    });
    app.get('/v1/audit-events/:seq', {
      config: { tenant: true },
      preHandler: limits.guard,
      schema: {
        tags,
        summary: 'Get an audit event',
        params: Type.Object({ seq: Type.Integer({ minimum: 1, description: 'Sequence number in the tenant\'s chain' }) }, { additionalProperties: false }),
        response: { 200: eventRef, ...problemResponses },
      },
      handler: (request) => audit.get(principal(request), (request.params as { seq: number }).seq),
    });
  };
}
