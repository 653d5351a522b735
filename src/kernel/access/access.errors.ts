/** Error codes of access control. Public contract: add, never rename. */
import { AppError, type FieldError } from '../shared/index.ts';

export const accessErrors = {
  denied: (entity: string, action: string) =>
    new AppError('forbidden', 'access.denied', 'Access denied', { detail: `Your roles do not allow ${action} on ${entity}.` }),
  outOfScope: (entity: string) =>
    new AppError('forbidden', 'access.denied', 'Access denied', { detail: `The ${entity} would be outside the rows your roles allow you to write.` }),
  fieldNotWritable: (errors: FieldError[]) =>
    new AppError('forbidden', 'access.field_not_writable', 'Field not writable', { detail: 'Your roles do not allow writing some of these fields.', errors }),
  deniedRoute: (what: string) =>
    new AppError('forbidden', 'access.denied', 'Access denied', { detail: `Your roles do not allow access to ${what}.` }),
  notAdministrator: () =>
    new AppError('forbidden', 'access.denied', 'Access denied', { detail: 'Only an owner or admin of the tenant may manage roles.' }),
  invalidRole: (errors: FieldError[]) =>
    new AppError('invalid', 'access.invalid_role', 'Invalid role', { detail: 'The role names something the model does not declare.', errors }),
  reservedRole: (name: string) =>
    new AppError('invalid', 'access.reserved_role', 'Reserved role name', { detail: `"${name}" is a built-in role; it cannot be defined or changed.`, errors: [{ pointer: '/name', detail: 'built-in role' }] }),
  roleNotFound: (name: string) => new AppError('not_found', 'access.role_not_found', 'Role not found', { detail: `No tenant role "${name}".` }),
  roleExists: (name: string) =>
    new AppError('conflict', 'access.role_exists', 'Role exists', { detail: `The tenant already has a role "${name}".`, errors: [{ pointer: '/name', detail: 'already used' }] }),
  invalidDevPrincipal: (header: string, detail: string) =>
    new AppError('invalid', 'access.invalid_dev_principal', 'Invalid development principal', { detail: `${header}: ${detail}`, errors: [{ parameter: header, detail }] }),
};
