/**
 * Fastify's own errors (schema validation, body parsing, limits) as domain errors with stable
 * codes and field pointers, so they leave through the same problem mapper as everything else.
 */
import { AppError, type FieldError } from '../shared/index.ts';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ValidationIssue[];
  validationContext?: string;
}

export function fromFrameworkError(error: FrameworkError): AppError | undefined {
  if (error.validation) return validationFailed(error.validation, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'http.payload_too_large', 'Payload too large', { detail: 'The request body is larger than this server accepts.' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'http.unsupported_media_type', 'Unsupported media type', { detail: 'Send the body as application/json.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid', 'http.empty_body', 'Empty body', { detail: 'The request declares a JSON body but sends none.' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return malformedJson(error.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid', 'http.invalid_content_length', 'Invalid Content-Length', { detail: 'Content-Length does not match the body.' });
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new AppError('invalid', 'http.bad_url', 'Bad URL', { detail: 'The URL could not be decoded.' });
  }
  if (error instanceof SyntaxError || error.name === 'SyntaxError') return malformedJson(error.message);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid', 'http.bad_request', 'Bad request', { detail: 'The request could not be understood.' });
  }
  return undefined;
}

function malformedJson(message: string): AppError {
  if (/prototype|__proto__|constructor/i.test(message)) {
    return new AppError('invalid', 'http.forbidden_property', 'Forbidden property', {
      detail: 'The body contains __proto__ or constructor.prototype, which are refused.',
    });
  }
  return new AppError('invalid', 'http.malformed_json', 'Malformed JSON', { detail: 'The request body is not valid JSON.' });
}

function validationFailed(issues: ValidationIssue[], context: string): AppError {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.keyword === 'anyOf' || issue.keyword === 'if') continue;
    const path = issue.instancePath;
    const child = (issue.params.additionalProperty ?? issue.params.missingProperty) as string | undefined;
    const pointer = child === undefined ? path : `${path}/${escapePointer(child)}`;
    const detail = issue.keyword === 'additionalProperties' ? describeUnknown(child ?? '') : (issue.message ?? 'is invalid');
    if (context === 'body') errors.push({ pointer: pointer || '/', detail });
    else errors.push({ parameter: (pointer.split('/')[1] ?? '').replaceAll('~1', '/').replaceAll('~0', '~') || context, detail });
  }
  const unique = errors.filter((error, index) => errors.findIndex((other) => other.pointer === error.pointer && other.parameter === error.parameter && other.detail === error.detail) === index);
  const where = context === 'body' ? 'body' : context === 'querystring' ? 'query parameters' : context;
  return new AppError('invalid', 'http.validation_failed', 'Validation failed', {
    detail: `The ${where} did not validate: ${unique.map((error) => `${error.pointer ?? error.parameter} ${error.detail}`).join('; ')}`,
    errors: unique,
  });
}

const serverOwned = new Set(['tenantId', 'tenant_id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt']);

function describeUnknown(property: string): string {
  return serverOwned.has(property) ? 'is set by the server and cannot be written' : 'is not a known property';
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
