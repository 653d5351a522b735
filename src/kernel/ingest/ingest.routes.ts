/**
 * HTTP of ingestion, behind the injected guard (`ingest.manage`): mapping specs (PUT validates and
 * versions), the tenant's ingestion settings (ingest-settings.ts), runs (POST streams the request
 * body to a file and queues the run; GET shows its live counts), rejects as JSON pages or CSV (formula-looking cells escaped), the
 * run's changes (its writes' lineage, read from the audit trail) and open cases; deciding
 * cases and unlinking merges are match/review.routes.ts.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import type { TenantContext } from '../db/index.ts';
import { problemResponses } from '../http/index.ts';
import { AppError, newId } from '../shared/index.ts';
import { registerBatchRoutes } from './batch.routes.ts';
import { registerReviewRoutes } from './match/index.ts';
import { ensureTenantFilesDir } from './file-retention.ts';
import { ingestErrors } from './ingest.errors.ts';
import { ingestSettingsSchema } from './ingest-settings.ts';
import type { IngestService } from './ingest.service.ts';
import { rejectsCsv } from './rejects-csv.ts';

export interface IngestRoutesOptions {
  guard: (request: FastifyRequest) => Promise<void>;
  devHeaders: boolean;
  /** Where uploaded files are kept while their runs need them. */
  filesDir: string;
  /** Largest upload in bytes. */
  maxUploadBytes: number;
  /** Queues the run (a job); the worker executes it. */
  startRun(context: TenantContext, runId: string): Promise<void>;
  /** Largest pushed batch (POST /v1/ingest/batches) in bytes; default 32 MiB. */
  maxBatchBytes?: number;
}

const uploadTypes = ['text/csv', 'text/plain', 'application/x-ndjson', 'application/octet-stream', 'text/tab-separated-values'];
const open = { type: 'object', additionalProperties: true } as const;

export function ingestRoutes(service: IngestService, options: IngestRoutesOptions) {
  const contextOf = (request: FastifyRequest): TenantContext => withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
  const admin = { config: { tenant: true }, preHandler: options.guard };
  const tags = ['ingest'];
  return (root: FastifyInstance): void => void root.register(async (app) => {
    // Uploads stay streams: the file goes to disk as it arrives, whatever its size. Scoped to these
    // routes (an encapsulated plugin): elsewhere these types stay 415.
    app.addContentTypeParser(uploadTypes, (_request, payload, done) => done(null, payload));
    app.put('/v1/ingest/specs/:name', {
      ...admin,
      schema: { tags, summary: 'Save a mapping spec (a new version when it changed)', params: Type.Object({ name: Type.String({ maxLength: 63 }) }), body: Type.Object({}, { additionalProperties: true }), response: { 200: open, 201: open, ...problemResponses } },
      handler: async (request, reply) => {
        const saved = await service.saveSpec(contextOf(request), (request.params as { name: string }).name, request.body);
        return reply.code(saved.created ? 201 : 200).send(saved);
      },
    });
    app.get('/v1/ingest/settings', { ...admin, schema: { tags, summary: 'The tenant’s ingestion settings (fuzzy thresholds over the specs’ own)', response: { 200: ingestSettingsSchema, ...problemResponses } }, handler: async (request) => service.getSettings(contextOf(request)) });
    app.put('/v1/ingest/settings', {
      ...admin,
      schema: { tags, summary: 'Change the tenant’s ingestion settings (checked against every spec, audited)', body: ingestSettingsSchema, response: { 200: ingestSettingsSchema, ...problemResponses } },
      handler: async (request) => service.putSettings(contextOf(request), request.body),
    });
    app.get('/v1/ingest/specs', { ...admin, schema: { tags, summary: 'Mapping specs, latest versions', response: { 200: open, ...problemResponses } }, handler: async (request) => ({ data: await service.listSpecs(contextOf(request)) }) });
    app.get('/v1/ingest/specs/:name', {
      ...admin,
      schema: { tags, summary: 'A mapping spec', params: Type.Object({ name: Type.String({ maxLength: 63 }) }), querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }), response: { 200: open, ...problemResponses } },
      handler: async (request) => service.describeSpec(contextOf(request), (request.params as { name: string }).name, (request.query as { version?: number }).version),
    });
    app.post('/v1/ingest/runs', {
      ...admin,
      bodyLimit: options.maxUploadBytes,
      schema: {
        tags,
        summary: 'Upload a file and queue its run',
        description: `The body is the file as it is (${uploadTypes.join(', ')}); the spec says how to read it. 202 with the run; follow it at /v1/ingest/runs/{id}.`,
        querystring: Type.Object({ spec: Type.String({ maxLength: 63 }), version: Type.Optional(Type.Integer({ minimum: 1 })), mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('delta')])), fileName: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 202: open, ...problemResponses },
      },
      handler: async (request, reply) => {
        const context = contextOf(request);
        const query = request.query as { spec: string; version?: number; mode?: 'full' | 'delta'; fileName?: string };
        // Refused before the body is read: no such spec (404), or one that no longer passes (422).
        await service.runnableSpec(context, query.spec, query.version);
        const body = request.body as NodeJS.ReadableStream | undefined;
        if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') throw new AppError('unsupported_media_type', 'ingest.unsupported_upload', 'Unsupported upload', { detail: `Send the file as the body with Content-Type ${uploadTypes.join(', ')}.` });
        const path = join(await ensureTenantFilesDir(options.filesDir, context.tenantId), `${newId()}.upload`);
        let bytes = 0;
        const limit = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length;
            if (bytes > options.maxUploadBytes) callback(new AppError('payload_too_large', 'ingest.upload_too_large', 'Upload too large', { detail: `Uploads are limited to ${options.maxUploadBytes} bytes.` }));
            else callback(null, chunk);
          },
        });
        try {
          await pipeline(body, limit, createWriteStream(path));
          if (bytes === 0) throw ingestErrors.emptyUpload();
        } catch (error) {
          await rm(path, { force: true });
          throw error;
        }
        // A run that cannot be made (no such spec, one that no longer passes) keeps no file.
        const run = await service.createRun(context, { spec: query.spec, ...(query.version ? { specVersion: query.version } : {}), mode: query.mode ?? 'delta', file: { path, name: query.fileName ?? 'upload' } }).catch(async (error: unknown) => {
          await rm(path, { force: true });
          throw error;
        });
        await options.startRun(context, run.id);
        return reply.code(202).header('location', `/v1/ingest/runs/${run.id}`).send(run);
      },
    });
    app.get('/v1/ingest/runs', {
      ...admin,
      schema: { tags, summary: 'Recent runs', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }), response: { 200: open, ...problemResponses } },
      handler: async (request) => ({ data: await service.listRuns(contextOf(request), (request.query as { limit?: number }).limit) }),
    });
    const runParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
    app.get('/v1/ingest/runs/:id', {
      ...admin,
      schema: { tags, summary: 'A run: status, counts (live while it runs), error', params: runParams, response: { 200: open, ...problemResponses } },
      handler: async (request) => service.getRun(contextOf(request), (request.params as { id: string }).id),
    });
    app.get('/v1/ingest/runs/:id/rejects', {
      ...admin,
      schema: {
        tags,
        summary: 'Rejected rows: row number, source key, field, value, reason (JSON pages, or CSV with Accept: text/csv)',
        params: runParams,
        querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}\\.[0-9]{1,6}$', description: 'nextAfter of the previous page' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }),
        response: { 200: open, ...problemResponses },
      },
      handler: async (request, reply) => {
        const context = contextOf(request);
        const { id } = request.params as { id: string };
        const query = request.query as { after?: string; limit?: number };
        if ((request.headers.accept ?? '').includes('text/csv')) {
          await service.getRun(context, id);
          return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejects-${id}.csv"`).send(rejectsCsv(service, context, id));
        }
        const data = await service.listRejects(context, id, query);
        const last = data.at(-1);
        return { data, nextAfter: data.length === (query.limit ?? 500) && last ? `${last.rowNumber}.${last.seq}` : null };
      },
    });
    const operations = ['create', 'update', 'link', 'deactivate', 'delete'] as const;
    const runChange = Type.Object({
      seq: Type.Integer({ description: 'The audit event\'s place in the tenant\'s chain (GET /v1/audit-events/{seq}): the order of the writes' }),
      occurredAt: Type.String({ format: 'date-time' }),
      operation: Type.Union(operations.map((operation) => Type.Literal(operation)), { description: 'What the pipeline did: created, updated, linked the source key to an existing record, deactivated or soft-deleted a record the file left out' }),
      action: Type.String({ description: 'The audit action: create, update or delete' }),
      entity: Type.Union([Type.String(), Type.Null()]),
      recordId: Type.Union([Type.String(), Type.Null()]),
      system: Type.String({ description: 'The source system of the spec' }),
      sourceKey: Type.String(),
      row: Type.Union([Type.Integer(), Type.Null()], { description: 'The row of the file; null for a record a full load found missing' }),
    });
    app.get('/v1/ingest/runs/:id/changes', {
      ...admin,
      schema: {
        tags,
        summary: 'What the run wrote, in the order it wrote it: a record per write with its source key, row and operation (the lineage its audit events carry)',
        params: runParams,
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'nextAfter of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
          operation: Type.Optional(Type.Union(operations.map((operation) => Type.Literal(operation)))),
        }),
        response: { 200: Type.Object({ data: Type.Array(runChange), nextAfter: Type.Union([Type.Integer(), Type.Null()]) }), ...problemResponses },
      },
      handler: async (request) => {
        const query = request.query as { after?: number; limit?: number; operation?: (typeof operations)[number] };
        const limit = query.limit ?? 500;
        const data = await service.listChanges(contextOf(request), (request.params as { id: string }).id, { ...query, limit });
        return { data, nextAfter: data.length === limit ? data.at(-1)!.seq : null };
      },
    });
    app.get('/v1/ingest/cases', {
      ...admin,
      schema: { tags, summary: 'Open cases: conflicts between source and local edits, duplicates to review', response: { 200: open, ...problemResponses } },
      handler: async (request) => ({ data: await service.listCases(contextOf(request)) }),
    });
    registerBatchRoutes(app, service, options, { contextOf, admin });
    registerReviewRoutes(app, service, { contextOf, admin });
  });
}
