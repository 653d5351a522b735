/**
 * Idempotency-Key for POST (the IETF httpapi draft's semantics): the first request's response is
 * stored per tenant and key in the same transaction as its effect, and replayed for a retry with the
 * same body; the same key with another body is refused (422); a retry while the first is still
 * running is refused (409) rather than run twice. A transaction-scoped advisory lock on
 * (tenant, key) tells "in flight" apart without a second table.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { AppError } from '../shared/index.ts';

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface IdempotencyStore {
  /** Runs `work` once per (tenant, key, request); later identical requests get the stored response. */
  run(context: TenantContext, key: string, fingerprint: string, work: (tx: TenantTx) => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }>;
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export const idempotencyErrors = {
  invalidKey: () =>
    new AppError('invalid', 'http.invalid_idempotency_key', 'Invalid Idempotency-Key', {
      detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      errors: [{ parameter: 'Idempotency-Key', detail: '1 to 255 visible ASCII characters' }],
    }),
  inFlight: () =>
    new AppError('conflict', 'http.idempotency_in_flight', 'Request in progress', { detail: 'A request with this Idempotency-Key is still being processed; retry later.' }),
  reused: () =>
    new AppError('unprocessable', 'http.idempotency_key_reused', 'Idempotency-Key reused', { detail: 'This Idempotency-Key was used for a different request.' }),
};

export function isValidIdempotencyKey(key: string): boolean {
  return keyPattern.test(key);
}

export function fingerprintRequest(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}

/** JSON with object keys sorted: key order means nothing, so a retry that re-serializes its body still matches. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function createIdempotencyStore(db: Kysely<any>, ttlHours = 24): IdempotencyStore {
  return {
    run(context, key, fingerprint, work) {
      if (!isValidIdempotencyKey(key)) throw idempotencyErrors.invalidKey();
      return withTenant(db, context, async (tx) => {
        const lock = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(hashtextextended(${`${context.tenantId}:${key}`}, 7)) as locked`.execute(tx);
        if (!lock.rows[0]?.locked) throw idempotencyErrors.inFlight();
        const existing = await sql<{ request_hash: string; status_code: number; response_headers: Record<string, string>; response_body: unknown }>`
          select request_hash, status_code, response_headers, response_body from idempotency_keys
          where tenant_id = ${context.tenantId} and key = ${key} and expires_at > now()`.execute(tx);
        const stored = existing.rows[0];
        if (stored) {
          if (stored.request_hash !== fingerprint) throw idempotencyErrors.reused();
          return { statusCode: stored.status_code, headers: stored.response_headers, body: stored.response_body, replayed: true };
        }
        const response = await work(tx);
        await sql`
          insert into idempotency_keys (tenant_id, key, request_hash, status_code, response_headers, response_body, expires_at)
          values (${context.tenantId}, ${key}, ${fingerprint}, ${response.statusCode}, ${JSON.stringify(response.headers)}::jsonb,
                  ${JSON.stringify(response.body ?? null)}::jsonb, now() + make_interval(hours => ${ttlHours}))
          on conflict (tenant_id, key) do update set request_hash = excluded.request_hash, status_code = excluded.status_code,
            response_headers = excluded.response_headers, response_body = excluded.response_body,
            created_at = now(), expires_at = excluded.expires_at`.execute(tx);
        return { ...response, replayed: false };
      });
    },
  };
}
