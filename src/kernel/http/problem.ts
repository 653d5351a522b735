/**
 * The one place errors become RFC 9457 problem+json. Kinds map to statuses through a table the
 * compiler checks, so a new kind does not compile until it is mapped. Unknown errors become a
 * generic 500 whose cause is logged with the request id, never sent.
 */
import { AppError, type ErrorKind, type FieldError } from '../shared/index.ts';

export const statusOfKind = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorKind, number>;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json; charset=utf-8';

/** Stable, dereference-free type URI per code (a URN: nothing to host, nothing to rename). */
export function problemType(code: string): string {
  return `urn:tenantry:problem:${code}`;
}

export function toProblem(error: AppError, traceId: string): Problem {
  const problem: Problem = {
    type: problemType(error.code),
    title: error.title,
    status: statusOfKind[error.kind],
    detail: error.message,
    code: error.code,
    traceId,
    ...error.extensions,
  };
  if (error.errors && error.errors.length > 0) problem.errors = error.errors;
  return problem;
}

/** What an unknown error becomes: a plain 500 (a 503 would invite retrying what will fail again). */
export const internalError = () =>
  new AppError('internal', 'http.internal_error', 'Internal error', { detail: 'The server could not complete the request; it has been logged with the trace id.' });

/** JSON Schema of a problem document, for OpenAPI and fast serialization. */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'traceId'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable error code, e.g. records.not_found' },
    traceId: { type: 'string', description: 'Request id; quote it when reporting a problem' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string', description: 'JSON pointer into the body' }, parameter: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
  additionalProperties: true,
} as const;

/** OpenAPI/Fastify response entries for every 4xx and 5xx: the shared Problem schema as application/problem+json. */
export const problemResponses = {
  '4XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
};
