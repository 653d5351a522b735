/** Error codes of the audit module. Public contract: add, never rename. */
import { AppError } from '../shared/index.ts';

export const auditErrors = {
  eventNotFound: () => new AppError('not_found', 'audit.event_not_found', 'Audit event not found', { detail: 'No audit event with this sequence number in this tenant.' }),
  invalidCursor: () =>
    new AppError('invalid', 'audit.invalid_cursor', 'Invalid cursor', {
      detail: 'The cursor is not one this API returned; start again without a cursor.',
      errors: [{ parameter: 'cursor', detail: 'invalid' }],
    }),
  invalidQuery: (parameter: string, detail: string) =>
    new AppError('invalid', 'audit.invalid_query', 'Invalid query', { detail: `${parameter}: ${detail}`, errors: [{ parameter, detail }] }),
  /** A caller reported a malformed event: a programming error, refused before anything is written. */
  invalidEvent: (detail: string) => new AppError('invalid', 'audit.invalid_event', 'Invalid audit event', { detail }),
  /** The chain head belongs to another tenant than the write: the transaction's tenant context is wrong. */
  tenantMismatch: () => new AppError('internal', 'audit.tenant_mismatch', 'Audit tenant mismatch', { detail: 'The audit event was refused.' }),
};
