/**
 * Sync cursors: opaque to clients, signed by the server (HMAC-SHA256 with a key derived from
 * TOKEN_SECRET), so a forged, edited or foreign cursor is refused instead of steering a read.
 * Glossary: snapshot phase = the first sync, reading every entity's rows in scope by id;
 * log phase = changes after (txid, seq) in the change log; fence = the txid below which every
 * transaction has ended when the snapshot began.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { syncErrors } from './sync.errors.ts';

export type CursorPosition =
  | { phase: 'snapshot'; fence: string; entity: number; afterId: string | null }
  | { phase: 'log'; txid: string; seq: string };

export interface SyncCursor {
  tenantId: string;
  /** The principal the cursor was issued to (user id or API key id). */
  principalId: string;
  /** Fingerprint of the principal's whole sync scope when the cursor was issued. */
  scope: string;
  position: CursorPosition;
}

const version = 1;

export interface CursorCodec {
  encode(cursor: SyncCursor): string;
  /** Throws sync.invalid_cursor for anything this server did not issue. */
  decode(text: string): SyncCursor;
}

export function createCursorCodec(secret: string): CursorCodec {
  const key = Buffer.from(hkdfSync('sha256', secret, 'tenantry', 'sync cursor v1', 32));
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16);
  return {
    encode(cursor) {
      const { position } = cursor;
      const place = position.phase === 'snapshot' ? ['s', position.fence, position.entity, position.afterId] : ['l', position.txid, position.seq];
      const payload = Buffer.from(JSON.stringify([version, cursor.tenantId, cursor.principalId, cursor.scope, ...place])).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(text) {
      const [payload, signature, extra] = text.split('.');
      if (!payload || !signature || extra !== undefined || text.length > 2048) throw syncErrors.invalidCursor();
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw syncErrors.invalidCursor();
      const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
      const [v, tenantId, principalId, scope, phase, ...rest] = fields;
      if (v !== version || typeof tenantId !== 'string' || typeof principalId !== 'string' || typeof scope !== 'string') throw syncErrors.invalidCursor();
      if (phase === 's') return { tenantId, principalId, scope, position: { phase: 'snapshot', fence: String(rest[0]), entity: Number(rest[1]), afterId: (rest[2] as string | null) ?? null } };
      if (phase === 'l') return { tenantId, principalId, scope, position: { phase: 'log', txid: String(rest[0]), seq: String(rest[1]) } };
      throw syncErrors.invalidCursor();
    },
  };
}
