/**
 * HTTP of deciding cases and reversing merges, registered inside the ingest plugin (same guard):
 * POST /v1/ingest/cases/{id}/resolve ({ decision }), POST /v1/ingest/cases/{id}/dismiss,
 * GET /v1/ingest/merges (?recordId= or ?sourceKey=) and POST /v1/ingest/merges/{id}/unlink.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../../db/index.ts';
import { problemResponses } from '../../http/index.ts';
import type { ReviewService } from './review.service.ts';

/** What the ingest plugin shares with these routes. */
export interface ReviewRouteContext {
  contextOf(request: FastifyRequest): TenantContext;
  admin: { config: { tenant: boolean }; preHandler: (request: FastifyRequest) => Promise<void> };
}

const tags = ['ingest'];
const idParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const caseOutcome = Type.Object({
  caseId: Type.String(),
  decision: Type.String(),
  recordId: Type.String({ description: 'The record the source key now belongs to (a conflict: its record).' }),
  mergeId: Type.Union([Type.String(), Type.Null()], { description: 'A merge decision can be unlinked by this id.' }),
});
const unlinkOutcome = Type.Object({
  mergeId: Type.String(),
  recordId: Type.String({ description: 'The record the source key had been merged into.' }),
  splitRecordId: Type.String({ description: "The source key's own record, created now." }),
  restored: Type.Array(Type.String(), { description: 'Fields of the survivor put back to their value before the merge.' }),
  kept: Type.Array(Type.String(), { description: 'Fields the merge wrote that changed since: left as they are.' }),
});
const merge = Type.Object({
  id: Type.String(),
  runId: Type.String(),
  entity: Type.String(),
  system: Type.String(),
  sourceKey: Type.String(),
  recordId: Type.String(),
  match: Type.Union([Type.Literal('exact'), Type.Literal('fuzzy'), Type.Literal('review')]),
  score: Type.Union([Type.Number(), Type.Null()]),
  sourceRecord: Type.Object({}, { additionalProperties: true }),
  contentHash: Type.String(),
  written: Type.Object({}, { additionalProperties: true }),
  previous: Type.Object({}, { additionalProperties: true }),
  status: Type.Union([Type.Literal('active'), Type.Literal('reverted')]),
  createdAt: Type.String(),
  revertedAt: Type.Union([Type.String(), Type.Null()]),
  splitRecordId: Type.Union([Type.String(), Type.Null()]),
});

export function registerReviewRoutes(app: FastifyInstance, service: ReviewService, shared: ReviewRouteContext): void {
  const { contextOf, admin } = shared;
  app.post('/v1/ingest/cases/:id/resolve', {
    ...admin,
    schema: {
      tags,
      summary: 'Decide a case: a review by merge or distinct, a conflict by keepLocal or takeSource',
      description: 'merge: the pending row is linked to the candidate, fields per the spec\'s survivorship rules; distinct: the row becomes its own record; keepLocal: the local value stays; takeSource: the source\'s value is written. Written through the record service (audited, in the sync change log).',
      params: idParams,
      body: Type.Object({ decision: Type.Union([Type.Literal('merge'), Type.Literal('distinct'), Type.Literal('keepLocal'), Type.Literal('takeSource')]) }, { additionalProperties: false }),
      response: { 200: caseOutcome, ...problemResponses },
    },
    handler: async (request) => service.resolveCase(contextOf(request), (request.params as { id: string }).id, (request.body as { decision: 'merge' | 'distinct' | 'keepLocal' | 'takeSource' }).decision),
  });
  app.post('/v1/ingest/cases/:id/dismiss', {
    ...admin,
    schema: { tags, summary: 'Close a case without writing anything (a dismissed review is met again by the next load of its key)', params: idParams, response: { 204: Type.Null(), ...problemResponses } },
    handler: async (request, reply) => {
      await service.dismissCase(contextOf(request), (request.params as { id: string }).id);
      return reply.code(204).send();
    },
  });
  app.get('/v1/ingest/merges', {
    ...admin,
    schema: {
      tags,
      summary: 'Merges: source keys linked to existing records (exact key, fuzzy score or review), newest first',
      querystring: Type.Object({ recordId: Type.Optional(Type.String({ maxLength: 64 })), sourceKey: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ data: Type.Array(merge) }), ...problemResponses },
    },
    handler: async (request) => ({ data: await service.listMerges(contextOf(request), request.query as { recordId?: string; sourceKey?: string; limit?: number }) }),
  });
  app.post('/v1/ingest/merges/:id/unlink', {
    ...admin,
    schema: {
      tags,
      summary: 'Reverse a merge: the source key gets its own record again, the survivor its fields back',
      description: 'Fields the merge changed that nobody changed since are restored; the others are kept and listed. 409 ingest.merge_reverted, ingest.merge_stale.',
      params: idParams,
      response: { 200: unlinkOutcome, ...problemResponses },
    },
    handler: async (request) => service.unlinkMerge(contextOf(request), (request.params as { id: string }).id),
  });
}
