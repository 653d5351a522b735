/** Error codes of custom fields. Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const customFieldErrors = {
  invalidField: (errors: FieldError[]) =>
    new AppError('invalid', 'fields.invalid_field', 'Invalid custom field', { detail: errors.map((error) => `${error.pointer ?? error.parameter}: ${error.detail}`).join('; '), errors }),
  notFound: (entity: string, key: string) => new AppError('not_found', 'fields.not_found', 'Custom field not found', { detail: `No custom field "${key}" on ${entity} in this tenant.` }),
  /** If-Match named another version, or the field does not exist (currentVersion null). */
  versionMismatch: (key: string, currentVersion: number | null) =>
    new AppError('precondition_failed', 'fields.version_mismatch', 'Version mismatch', {
      detail:
        currentVersion === null
          ? `If-Match was sent, but there is no custom field "${key}".`
          : `The custom field "${key}" was changed since you read it (current version ${currentVersion}); read it again and retry.`,
      extensions: { currentVersion },
    }),
  invalidIfMatch: () =>
    new AppError('invalid', 'fields.invalid_if_match', 'Invalid If-Match', {
      detail: 'If-Match must be an ETag returned by this API, such as "3", or *.',
      errors: [{ parameter: 'If-Match', detail: 'not an ETag of this API' }],
    }),
  limitReached: (entity: string, limit: number) =>
    new AppError('conflict', 'fields.limit_reached', 'Too many custom fields', { detail: `${entity} already has ${limit} custom fields in this tenant; delete one first.` }),
  concurrentUpdate: (key: string) =>
    new AppError('conflict', 'fields.concurrent_update', 'Concurrent update', { detail: `The custom field "${key}" was created and deleted concurrently; retry.` }),
};
