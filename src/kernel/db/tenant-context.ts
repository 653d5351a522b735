/**
 * withTenant: the only way tenant data is read or written. It opens a transaction on one pooled
 * connection and sets app.tenant_id / app.user_id with set_config(..., true) (transaction-local),
 * so nothing ever leaks to the next user of that connection. Row-level security policies compare
 * tenant_id with tenantry_current_tenant(), which is NULL outside such a transaction.
 * BEGIN and the settings go in one round trip: the ids are validated UUIDs, never free text.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { AppError, isUuid } from '../shared/index.ts';

const commit = CompiledQuery.raw('COMMIT');
const rollback = CompiledQuery.raw('ROLLBACK');

export interface TenantContext {
  readonly tenantId: string;
  readonly userId?: string | null;
  /** Who else acts, for audit: an API key instead of a user. */
  readonly apiKeyId?: string | null;
  /** The request this work serves (its id is the problem traceId), for audit. */
  readonly requestId?: string | null;
  readonly ip?: string | null;
  /**
   * The principal's roles in this tenant (kernel/access). Undefined only for trusted in-process work
   * (seeding, jobs, tests of the service): every request path sets them, [] when it has none.
   */
  readonly roles?: readonly string[];
  /** Principal attributes row conditions compare with (territories, ...). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A connection inside a tenant transaction. Repository functions take it as first argument. */
export type TenantTx = Kysely<any> & { readonly __tenantTx: unique symbol };

export interface TransactionOptions {
  /** REPEATABLE READ READ ONLY: every statement sees one snapshot (sync pulls, consistent reports). */
  snapshot?: boolean;
}

export async function withTenant<T>(db: Kysely<any>, context: TenantContext, work: (tx: TenantTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (!isUuid(context.tenantId)) throw new AppError('invalid', 'db.invalid_tenant_context', 'Invalid tenant context');
  const userId = context.userId ?? '';
  if (userId !== '' && !isUuid(userId)) throw new AppError('invalid', 'db.invalid_tenant_context', 'Invalid user context');
  return db.connection().execute(async (connection) => {
    const begin = options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
    await connection.executeQuery(CompiledQuery.raw(`${begin}; SELECT set_config('app.tenant_id', '${context.tenantId}', true), set_config('app.user_id', '${userId}', true)`));
    let result: T;
    try {
      result = await work(connection as TenantTx);
    } catch (error) {
      await connection.executeQuery(rollback).catch(() => {});
      throw error;
    }
    await connection.executeQuery(commit);
    return result;
  });
}
