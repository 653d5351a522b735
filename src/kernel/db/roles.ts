/**
 * The runtime role. Migrations run as the owner; the server runs as tenantry_app, which owns
 * nothing, is no superuser and cannot bypass row-level security. The server refuses to start
 * otherwise: one misconfigured role would silently turn every policy off.
 */
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/index.ts';

export const runtimeRoleName = 'tenantry_app';

/** Creates or updates the runtime role (needs an owner with CREATEROLE). Safe to run concurrently. */
export async function ensureRuntimeRole(owner: Kysely<any>, password: string, database: string): Promise<void> {
  const quotedPassword = `'${password.replaceAll("'", "''")}'`;
  const exists = await sql<{ found: boolean }>`select exists(select 1 from pg_roles where rolname = ${runtimeRoleName}) as found`.execute(owner);
  if (!exists.rows[0]?.found) {
    try {
      await sql.raw(`CREATE ROLE ${runtimeRoleName} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ${quotedPassword}`).execute(owner);
    } catch (error) {
      // Another process created it between our check and our create.
      if (!['42710', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
  await sql.raw(`ALTER ROLE ${runtimeRoleName} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${quotedPassword}`).execute(owner);
  await sql.raw(`GRANT CONNECT ON DATABASE "${database.replaceAll('"', '""')}" TO ${runtimeRoleName}`).execute(owner);
  await sql.raw(`GRANT USAGE ON SCHEMA public TO ${runtimeRoleName}`).execute(owner);
}

/** Throws unless the connection's role is subject to row-level security and owns no table. */
export async function assertRuntimeRoleIsSafe(app: Kysely<any>): Promise<void> {
  const result = await sql<{ role: string; superuser: boolean; bypass: boolean; owned: number }>`
    select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypass,
           (select count(*)::int from pg_class c where c.relowner = r.oid and c.relkind in ('r','p')) as owned
    from pg_roles r where r.rolname = current_user`.execute(app);
  const row = result.rows[0];
  const problems: string[] = [];
  if (!row) problems.push('the runtime role was not found');
  else {
    if (row.superuser) problems.push(`role ${row.role} is a superuser`);
    if (row.bypass) problems.push(`role ${row.role} has BYPASSRLS`);
    if (row.owned > 0) problems.push(`role ${row.role} owns ${row.owned} table(s) (owners are exempt from non-forced policies)`);
  }
  if (problems.length > 0) {
    throw new AppError('unavailable', 'db.unsafe_runtime_role', 'The runtime database role could bypass row-level security', {
      detail: `Refusing to start: ${problems.join('; ')}. Run the server as ${runtimeRoleName}.`,
    });
  }
}
