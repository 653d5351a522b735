/** SQL of the TOTP factors (identity_totp_factors, global: one per user, not per tenant). */
import { sql, type Kysely } from 'kysely';

export interface TotpFactorRow {
  secretEncrypted: Buffer;
  confirmed: boolean;
  uses: number;
  recoveryCodesLeft: number;
  /** The user's sessions_not_before: a login challenge issued before it is void. */
  sessionsNotBefore: Date | null;
}

export async function findTotpFactor(db: Kysely<any>, userId: string): Promise<TotpFactorRow | undefined> {
  const result = await sql<TotpFactorRow & { uses: string }>`select f.secret_encrypted as "secretEncrypted", f.confirmed_at is not null as confirmed, f.uses,
      cardinality(f.recovery_code_hashes) as "recoveryCodesLeft", u.sessions_not_before as "sessionsNotBefore"
    from identity_totp_factors f join identity_users u on u.id = f.user_id where f.user_id = ${userId}`.execute(db);
  const row = result.rows[0];
  return row && { ...row, uses: Number(row.uses) };
}

/** Starts (or restarts) an enrolment; never replaces a confirmed factor. Returns whether it wrote. */
export async function upsertPendingFactor(db: Kysely<any>, userId: string, secretEncrypted: Buffer): Promise<boolean> {
  const result = await sql`insert into identity_totp_factors (user_id, secret_encrypted) values (${userId}, ${secretEncrypted})
    on conflict (user_id) do update set secret_encrypted = excluded.secret_encrypted, last_used_step = null, recovery_code_hashes = '{}', updated_at = now()
    where identity_totp_factors.confirmed_at is null`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export async function confirmFactor(db: Kysely<any>, userId: string, step: number, recoveryHashes: Buffer[]): Promise<boolean> {
  const result = await sql`update identity_totp_factors set confirmed_at = now(), last_used_step = ${step}, uses = uses + 1, recovery_code_hashes = ${recoveryHashes}::bytea[], updated_at = now()
    where user_id = ${userId} and confirmed_at is null`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * Spends a TOTP step, atomically: only a step later than the last accepted one passes (no replay,
 * even of a concurrent request), and with `uses`, only while the count is still the challenge's.
 */
export async function spendTotpStep(db: Kysely<any>, userId: string, step: number, uses?: number): Promise<boolean> {
  const result = await sql`update identity_totp_factors set last_used_step = ${step}, uses = uses + 1, updated_at = now()
    where user_id = ${userId} and confirmed_at is not null and (last_used_step is null or last_used_step < ${step})
      ${uses === undefined ? sql`` : sql`and uses = ${uses}`}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Spends a recovery code, atomically; returns how many are left, undefined when the code was not there. */
export async function spendRecoveryCode(db: Kysely<any>, userId: string, hash: Buffer, uses?: number): Promise<number | undefined> {
  const result = await sql<{ left: number }>`update identity_totp_factors set recovery_code_hashes = array_remove(recovery_code_hashes, ${hash}::bytea), uses = uses + 1, updated_at = now()
    where user_id = ${userId} and confirmed_at is not null and ${hash}::bytea = any(recovery_code_hashes)
      ${uses === undefined ? sql`` : sql`and uses = ${uses}`}
    returning cardinality(recovery_code_hashes) as left`.execute(db);
  return result.rows[0]?.left;
}

export async function deleteFactor(db: Kysely<any>, userId: string): Promise<boolean> {
  const result = await sql`delete from identity_totp_factors where user_id = ${userId}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}
