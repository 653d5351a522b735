import { AppError } from '../shared/index.ts';

export const tenantNotFound = () => new AppError('not_found', 'tenancy.tenant_not_found', 'Tenant not found');
export const tenantSuspended = () =>
  new AppError('forbidden', 'tenancy.tenant_suspended', 'Tenant suspended', { detail: 'This tenant is suspended; its data cannot be accessed until it is reactivated.' });
export const tenantRequired = () =>
  new AppError('unauthenticated', 'tenancy.tenant_required', 'Tenant required', { detail: 'This route acts for a tenant, and the request names none.' });
export const slugTaken = () =>
  new AppError('conflict', 'tenancy.slug_taken', 'Slug taken', { detail: 'Another tenant already uses this slug.', errors: [{ pointer: '/slug', detail: 'already in use' }] });
export const invalidTenant = (errors: { pointer: string; detail: string }[]) =>
  new AppError('invalid', 'tenancy.invalid_tenant', 'Invalid tenant', { detail: errors.map((error) => `${error.pointer}: ${error.detail}`).join('; '), errors });
