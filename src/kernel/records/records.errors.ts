/** Error codes of the generic record service. Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const recordErrors = {
  notFound: (entity: string) => new AppError('not_found', 'records.not_found', 'Not found', { detail: `No ${entity} with this id.` }),
  versionMismatch: (entity: string, currentVersion: number) =>
    new AppError('precondition_failed', 'records.version_mismatch', 'Version mismatch', {
      detail: `The ${entity} was changed since you read it (current version ${currentVersion}); read it again and retry.`,
      extensions: { currentVersion },
    }),
  versionRequired: () =>
    new AppError('precondition_required', 'records.version_required', 'If-Match required', {
      detail: 'Updates must send If-Match with the ETag of the version they change.',
      errors: [{ parameter: 'If-Match', detail: 'required' }],
    }),
  invalidVersion: () =>
    new AppError('invalid', 'records.invalid_if_match', 'Invalid If-Match', { detail: 'If-Match must be an ETag returned by this API, such as "3".', errors: [{ parameter: 'If-Match', detail: 'not an ETag of this API' }] }),
  uniqueViolation: (entity: string, errors: FieldError[]) =>
    new AppError('conflict', 'records.unique_violation', 'Already exists', { detail: `Another ${entity} already has this value.`, errors }),
  referenceNotFound: (errors: FieldError[]) =>
    new AppError('unprocessable', 'records.reference_not_found', 'Referenced record not found', { detail: 'A referenced record does not exist.', errors }),
  constraintViolation: (errors: FieldError[]) =>
    new AppError('invalid', 'records.constraint_violation', 'Constraint violated', { detail: 'A value breaks a constraint of the model.', errors }),
  invalidValue: (detail: string, errors: FieldError[] = []) => new AppError('invalid', 'records.invalid_value', 'Invalid value', { detail, errors }),
  invalidQuery: (parameter: string, detail: string) =>
    new AppError('invalid', 'records.invalid_query', 'Invalid query', { detail: `${parameter}: ${detail}`, errors: [{ parameter, detail }] }),
  invalidCursor: () =>
    new AppError('invalid', 'records.invalid_cursor', 'Invalid cursor', {
      detail: 'The cursor is not one this API returned for the same sort; start again without a cursor.',
      errors: [{ parameter: 'cursor', detail: 'invalid or for another sort' }],
    }),
  idTaken: () =>
    new AppError('conflict', 'records.id_taken', 'Id already used', { detail: 'A record with this id already exists.', errors: [{ pointer: '/id', detail: 'already used' }] }),
  unknownAction: (entity: string, action: string) =>
    new AppError('not_found', 'records.unknown_action', 'Unknown action', { detail: `${entity} has no action "${action}".` }),
  illegalTransition: (entity: string, action: string, state: string, allowed: string[]) =>
    new AppError('conflict', 'records.illegal_transition', 'Action not allowed in this state', {
      detail: `A ${entity} in state "${state}" cannot ${action}${allowed.length > 0 ? `; allowed now: ${allowed.join(', ')}` : '; no action leaves this state'}.`,
      extensions: { state, allowedActions: allowed },
    }),
  transitionRequired: (property: string, actions: string[]) =>
    new AppError('invalid', 'records.transition_required', 'State changes through actions', {
      detail: `${property} changes only through the actions ${actions.join(', ')}.`,
      errors: [{ pointer: `/${property}`, detail: 'not writable; use an action' }],
    }),
  /** `ext` names a key the tenant did not define, a value its definition refuses, or leaves out a required one. */
  invalidCustomField: (errors: FieldError[]) =>
    new AppError('invalid', 'records.invalid_custom_field', 'Invalid custom field', {
      detail: errors.map((error) => `${error.pointer}: ${error.detail}`).join('; '),
      errors,
    }),
  concurrentUpdate: () => new AppError('conflict', 'records.concurrent_update', 'Concurrent update', { detail: 'The record was changed concurrently; retry.' }),
};
