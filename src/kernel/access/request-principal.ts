/**
 * The roles a request acts with. A principal that carries roles (kernel/identity) keeps them; one
 * that carries none gets none (deny by default), except the development principal of the X-Tenant
 * header, which acts as owner. Only while TENANT_DEV_HEADER is on (the config refuses it in
 * production), X-Dev-Roles, X-Dev-User and X-Dev-Attributes set the roles, user id and attributes:
 * they add nothing to what the development header already allows, and let tests act as any role.
 */
import type { TenantContext } from '../db/index.ts';
import { isUuid } from '../shared/index.ts';
import { accessErrors } from './access.errors.ts';

export const devPrincipalHeaders = { roles: 'x-dev-roles', user: 'x-dev-user', attributes: 'x-dev-attributes' } as const;
const rolePattern = /^[a-z][a-z0-9_-]{0,39}$/;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The principal as a tenant context with explicit roles (see the module comment). */
export function withRequestRoles<P extends TenantContext>(principal: P, headers: Headers, devHeaders: boolean): P & { roles: readonly string[] } {
  if (!devHeaders) return principal.roles ? (principal as P & { roles: readonly string[] }) : { ...principal, roles: [] };
  const roles = headerOf(headers, devPrincipalHeaders.roles);
  const user = headerOf(headers, devPrincipalHeaders.user);
  const attributes = headerOf(headers, devPrincipalHeaders.attributes);
  return {
    ...principal,
    roles: roles === undefined ? (principal.roles ?? ['owner']) : parseRoles(roles),
    ...(user === undefined ? {} : { userId: parseUser(user) }),
    ...(attributes === undefined ? {} : { attributes: parseAttributes(attributes) }),
  };
}

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseRoles(text: string): string[] {
  const roles = text.split(',').map((role) => role.trim()).filter(Boolean);
  if (roles.length > 20 || !roles.every((role) => rolePattern.test(role))) throw accessErrors.invalidDevPrincipal(devPrincipalHeaders.roles, 'comma-separated role names');
  return roles;
}

function parseUser(text: string): string {
  if (!isUuid(text.trim())) throw accessErrors.invalidDevPrincipal(devPrincipalHeaders.user, 'a user id (UUID)');
  return text.trim().toLowerCase();
}

function parseAttributes(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = text.length <= 4096 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw accessErrors.invalidDevPrincipal(devPrincipalHeaders.attributes, 'a JSON object of at most 4096 characters');
  return parsed as Record<string, unknown>;
}
