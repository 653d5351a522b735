/**
 * Tokens sent by mail (verification, e-mail change, password reset): `<tenantId>.<secret>`, 256
 * random bits, stored only as SHA-256. The tenant lets the token be consumed under that tenant's RLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isUuid } from '../shared/index.ts';

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

export function newUserToken(tenantId: string): { token: string; hash: Buffer } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${tenantId}.${secret}`, hash: hashSecret(secret) };
}

/** The tenant and hash of a well-formed token; undefined for anything else. */
export function parseUserToken(token: unknown): { tenantId: string; hash: Buffer } | undefined {
  const [tenantId, secret, extra] = String(token ?? '').split('.');
  if (extra !== undefined || !tenantId || !isUuid(tenantId) || !secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  return { tenantId: tenantId.toLowerCase(), hash: hashSecret(secret) };
}

/** `<base>/<page>?token=<token>`: the web app's page that posts the token back to the API. */
export function linkTo(base: string, page: string, token?: string): string {
  const url = new URL(page, base.endsWith('/') ? base : `${base}/`);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
