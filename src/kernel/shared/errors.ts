/**
 * Typed domain errors. Domain code throws these and knows nothing of HTTP; exactly one function
 * (kernel/http/problem.ts) turns them into RFC 9457 problem+json.
 * Glossary: kind = the category that decides the HTTP status; code = stable, public, snake_case,
 * prefixed with the owning module (`tenancy.tenant_suspended`); detail = public message.
 */

export const errorKinds = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  /** What was asked for existed and is no longer kept (an expired sync cursor). */
  'gone',
  'conflict',
  'precondition_failed',
  'precondition_required',
  'unprocessable',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  /** A fault of the server, not of the request; the public problem says nothing of the cause. */
  'internal',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

/** One problem with one input location: a JSON pointer into the body, or a named parameter. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  cause?: unknown;
  /** Extra public members of the problem document (e.g. `currentVersion`). */
  extensions?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, code: string, title: string, options: AppErrorOptions = {}) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.title = title;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }

  readonly title: string;
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
