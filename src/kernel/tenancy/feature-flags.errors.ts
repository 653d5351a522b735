/** Error codes of feature flags. Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const flagErrors = {
  invalidFlag: (errors: FieldError[]) =>
    new AppError('invalid', 'flags.invalid_flag', 'Invalid feature flag', { detail: errors.map((error) => `${error.pointer ?? error.parameter}: ${error.detail}`).join('; '), errors }),
  notFound: (key: string) => new AppError('not_found', 'flags.not_found', 'Feature flag not found', { detail: `No feature flag "${key}" in this tenant.` }),
  /** If-Match named another version, or the flag does not exist (currentVersion null). */
  versionMismatch: (key: string, currentVersion: number | null) =>
    new AppError('precondition_failed', 'flags.version_mismatch', 'Version mismatch', {
      detail:
        currentVersion === null
          ? `If-Match was sent, but there is no feature flag "${key}".`
          : `The feature flag "${key}" was changed since you read it (current version ${currentVersion}); read it again and retry.`,
      extensions: { currentVersion },
    }),
  invalidIfMatch: () =>
    new AppError('invalid', 'flags.invalid_if_match', 'Invalid If-Match', {
      detail: 'If-Match must be an ETag returned by this API, such as "3", or *.',
      errors: [{ parameter: 'If-Match', detail: 'not an ETag of this API' }],
    }),
  concurrentUpdate: (key: string) =>
    new AppError('conflict', 'flags.concurrent_update', 'Concurrent update', { detail: `The feature flag "${key}" was created and deleted concurrently; retry.` }),
};
