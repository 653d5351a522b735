/**
 * HTTP of pushed batches and the quarantine, registered inside the ingest plugin (same guard, same
 * upload types): POST /v1/ingest/batches (records pushed by a middleware; once per Idempotency-Key),
 * POST /v1/ingest/runs/{id}/resubmit (the rejected rows again, corrected, or a fixed file of them) and
 * GET /v1/ingest/runs/{id}/rejects/source (the rejected rows in the source's own shape).
 * A run that is done answers 200, a queued one 202; `wait=true` runs a batch of up to 10,000 records
 * in the request (larger ones are queued as without it).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantContext } from '../db/index.ts';
import { problemResponses } from '../http/index.ts';
import { AppError, newId } from '../shared/index.ts';
import { copyBody, writeJsonBatch, writeNdjsonBatch } from './batch-files.ts';
import type { IngestRun } from './ingest.contract.ts';
import { ensureTenantFilesDir } from './file-retention.ts';
import { ingestErrors } from './ingest.errors.ts';
import type { IngestService } from './ingest.service.ts';
import { rejectedRowsFile } from './rejected-rows-file.ts';

export interface BatchRoutesOptions {
  /** Where batch and re-submission files are kept while their runs need them. */
  filesDir: string;
  /** Largest pushed batch in bytes (default 32 MiB). */
  maxBatchBytes?: number;
  /** Largest fixed file re-submitted, in bytes. */
  maxUploadBytes: number;
  startRun(context: TenantContext, runId: string): Promise<void>;
}

/** What the ingest plugin shares with these routes. */
export interface BatchRouteContext {
  contextOf(request: FastifyRequest): TenantContext;
  admin: { config: { tenant: boolean }; preHandler: (request: FastifyRequest) => Promise<void> };
}

/** Records a request may wait for (`wait=true`); a larger batch is queued. */
export const waitLimit = 10_000;
const defaultMaxBatchBytes = 32 * 1024 * 1024;

const open = { type: 'object', additionalProperties: true } as const;
const tags = ['ingest'];
const mode = Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('delta')], { description: 'delta (default) or full: records of the source missing from the batch are deactivated' }));
const wait = Type.Optional(Type.Boolean({ description: `Run it in the request (up to ${waitLimit} records) and answer 200 with the finished run` }));
const correctionValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
const resubmitBody = Type.Object(
  { corrections: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), correctionValue, { maxProperties: 1000 }), { maxProperties: 50_000, description: 'Per rejected row number: source field -> new value' })) },
  { additionalProperties: false },
);

const isStream = (body: unknown): body is AsyncIterable<unknown> => typeof (body as { pipe?: unknown } | undefined)?.pipe === 'function';
const mediaType = (request: FastifyRequest) => (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
const isDone = (run: IngestRun) => run.status === 'succeeded' || run.status === 'failed';

export function registerBatchRoutes(app: FastifyInstance, service: IngestService, options: BatchRoutesOptions, shared: BatchRouteContext): void {
  const { contextOf, admin } = shared;
  const maxBatchBytes = options.maxBatchBytes ?? defaultMaxBatchBytes;
  const tenantDir = (context: TenantContext) => ensureTenantFilesDir(options.filesDir, context.tenantId);

  /** Runs the run now when asked and small enough, else queues it; a domain failure is in the run. */
  const startOrWait = async (request: FastifyRequest, context: TenantContext, run: IngestRun, records: number, waitFor: boolean | undefined): Promise<IngestRun> => {
    if (!waitFor || records > waitLimit) {
      await options.startRun(context, run.id);
      return run;
    }
    try {
      return await service.executeRun(context, run.id);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind === 'internal') {
        // The run keeps its checkpoint; the job resumes it.
        request.log.error({ err: error, runId: run.id }, 'ingest run failed while the request waited; queued again');
        await options.startRun(context, run.id);
      }
      return service.getRun(context, run.id);
    }
  };
  const sendRun = (reply: FastifyReply, run: IngestRun, body: unknown = run) => reply.code(isDone(run) ? 200 : 202).header('location', `/v1/ingest/runs/${run.id}`).send(body);

  app.register(async (batches) => {
    // The batch is read as a stream here, JSON too, so the size limit is this route's to state.
    batches.removeContentTypeParser('application/json');
    batches.addContentTypeParser('application/json', (_request, payload, done) => done(null, payload));
    batches.post('/v1/ingest/batches', {
      ...admin,
      schema: {
        tags,
        summary: 'Push a batch of source records; it becomes a run of the spec',
        description: `Body: application/json \`{ "records": [ {...}, ... ], "batchId"?: "..." }\` or application/x-ndjson (one record per line), at most ${maxBatchBytes} bytes. The records are read as JSON whatever the spec's source options; mapping, normalization and validation are the spec's. An Idempotency-Key header (or batchId) makes a retry return the same run. 202 with the queued run, 200 with a finished one (wait=true, or a replay of a finished batch).`,
        querystring: Type.Object(
          { spec: Type.String({ maxLength: 63 }), version: Type.Optional(Type.Integer({ minimum: 1 })), mode, wait, batchId: Type.Optional(Type.String({ maxLength: 255 })) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: '1 to 255 visible ASCII characters: a retry of the same batch returns its run' })) }),
        response: { 200: open, 202: open, ...problemResponses },
      },
      handler: async (request, reply) => {
        const context = contextOf(request);
        const query = request.query as { spec: string; version?: number; mode?: 'full' | 'delta'; wait?: boolean; batchId?: string };
        await service.getSpec(context, query.spec, query.version);
        const type = mediaType(request);
        if (!isStream(request.body) || (type !== 'application/json' && type !== 'application/x-ndjson')) {
          throw new AppError('unsupported_media_type', 'ingest.unsupported_batch', 'Unsupported batch', { detail: 'Send the batch as application/json { "records": [...] } or as application/x-ndjson.' });
        }
        const path = join(await tenantDir(context), `${newId()}.ndjson`);
        let created: { run: IngestRun; replayed: boolean; records: number };
        try {
          const batch = type === 'application/json' ? await writeJsonBatch(request.body, path, maxBatchBytes) : await writeNdjsonBatch(request.body, path, maxBatchBytes);
          const header = request.headers['idempotency-key'];
          const batchKey = (Array.isArray(header) ? header[0] : header) ?? batch.batchId ?? query.batchId;
          const name = batchKey === undefined ? 'batch.ndjson' : `batch ${batchKey}`.slice(0, 200);
          const spec = { spec: query.spec, ...(query.version ? { specVersion: query.version } : {}), mode: query.mode ?? 'delta' } as const;
          created = { ...(await service.createBatchRun(context, { ...spec, file: { path, name }, ...(batchKey === undefined ? {} : { batchKey }) })), records: batch.records };
        } catch (error) {
          await rm(path, { force: true });
          throw error;
        }
        if (!created.replayed) return sendRun(reply, await startOrWait(request, context, created.run, created.records, query.wait));
        // The same batch again: its run, and this copy of its file goes.
        await rm(path, { force: true });
        return sendRun(reply.header('idempotent-replayed', 'true'), created.run);
      },
    });
  });

  const runParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
  app.post('/v1/ingest/runs/:id/resubmit', {
    ...admin,
    bodyLimit: maxBatchBytes,
    schema: {
      tags,
      summary: "Re-submit a run's rejected rows as a new delta run",
      description:
        'Body: application/json `{ "corrections"?: { "<row>": { "<source field>": value } } }` (or none): the run\'s rejected source rows with the corrections applied; rows rejected as duplicates of an earlier row, and records that could not be read, only when corrected. Or a fixed file of rejected rows (the download of GET /v1/ingest/runs/{id}/rejects/source, edited) as text/csv or application/x-ndjson. 202 with `{ run, rows, skipped }`, 200 when it finished (wait=true).',
      params: runParams,
      querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, description: "The spec version (default: the latest of the run's spec)" })), wait }, { additionalProperties: false }),
      body: { content: { 'application/json': { schema: resubmitBody } } },
      response: { 200: open, 202: open, ...problemResponses },
    },
    handler: async (request, reply) => {
      const context = contextOf(request);
      const { id } = request.params as { id: string };
      const query = request.query as { version?: number; wait?: boolean };
      const dir = await tenantDir(context);
      const version = query.version ? { specVersion: query.version } : {};
      let result;
      if (isStream(request.body)) {
        await service.getRun(context, id);
        const upload = join(dir, `${newId()}.upload`);
        const tooLarge = () => new AppError('payload_too_large', 'ingest.upload_too_large', 'Upload too large', { detail: `Uploads are limited to ${options.maxUploadBytes} bytes.` });
        try {
          if ((await copyBody(request.body, upload, options.maxUploadBytes, tooLarge)).bytes === 0) throw ingestErrors.emptyUpload();
          const type = mediaType(request);
          const format = type === 'text/csv' || type === 'text/tab-separated-values' ? 'csv' : type === 'application/x-ndjson' ? 'ndjson' : undefined;
          result = await service.resubmitRun(context, id, { dir, file: { path: upload, name: 'fixed rejects', ...(format ? { format } : {}) }, ...version });
        } finally {
          await rm(upload, { force: true });
        }
      } else {
        const body = (request.body ?? {}) as { corrections?: Record<string, Record<string, string | number | boolean | null>> };
        result = await service.resubmitRun(context, id, { dir, ...(body.corrections ? { corrections: body.corrections } : {}), ...version });
      }
      const run = await startOrWait(request, context, result.run, result.rows, query.wait);
      return sendRun(reply, run, { run, rows: result.rows, skipped: result.skipped });
    },
  });

  app.get('/v1/ingest/runs/:id/rejects/source', {
    ...admin,
    schema: {
      tags,
      summary: 'Rejected rows in the source\'s own shape, to fix and re-submit',
      description: "The source's columns plus `_row` and `_reason`: CSV (the spec's delimiter, UTF-8 with BOM, formula-looking cells escaped with an apostrophe) for CSV specs, NDJSON for JSON ones; `format` chooses.",
      params: runParams,
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])) }, { additionalProperties: false }),
      response: { 200: open, ...problemResponses },
    },
    handler: async (request, reply) => {
      const context = contextOf(request);
      const rejected = await service.rejectedRows(context, (request.params as { id: string }).id);
      const file = rejectedRowsFile(rejected, (request.query as { format?: 'csv' | 'ndjson' }).format);
      return reply.type(file.contentType).header('content-disposition', `attachment; filename="rejected-rows-${rejected.run.id}.${file.format}"`).send(file.stream);
    },
  });
}
