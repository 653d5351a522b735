/** Error codes of tenant administration (API keys, members). Public: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const adminErrors = {
  /** Same code as kernel/access uses for every refusal of a role: clients branch on one code. */
  notAdministrator: (what: string) => new AppError('forbidden', 'access.denied', 'Access denied', { detail: `Only an owner or admin of the tenant (signed in, not with an API key) may manage ${what}.` }),
  ownerOnly: () => new AppError('forbidden', 'access.denied', 'Access denied', { detail: 'Only an owner may give, change or remove the owner role.' }),
  unknownRole: (role: string) =>
    new AppError('invalid', 'identity.invalid_role', 'Unknown role', { detail: `The tenant has no role "${role}".`, errors: [{ pointer: '/role', detail: 'a built-in role or one the tenant defined' }] }),
  invalidApiKey: (errors: FieldError[]) => new AppError('invalid', 'identity.invalid_api_key', 'Invalid API key', { detail: errors.map((error) => error.detail).join('; '), errors }),
  apiKeyNotFound: () => new AppError('not_found', 'identity.api_key_not_found', 'API key not found', { detail: 'No such API key in this tenant.' }),
  memberNotFound: () => new AppError('not_found', 'identity.member_not_found', 'Member not found', { detail: 'No such member of this tenant.' }),
  lastOwner: () => new AppError('conflict', 'identity.last_owner', 'Last owner', { detail: 'A tenant keeps at least one owner: make someone else owner first.' }),
};
