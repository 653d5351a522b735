/**
 * Versioned SQL migrations, run by Kysely's Migrator: one transaction for the whole run, under
 * PostgreSQL's advisory lock, so concurrent starts wait and a re-run is a no-op. Migrations are
 * `.sql` files named `<UTC timestamp>_<module>_<what>.sql` in each module's `migrations/` folder;
 * the timestamp orders them across modules.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { runtimeRoleName } from './roles.ts';

export const migrationTable = 'tenantry_migration';
const migrationName = /^\d{8}T\d{6}_[a-z0-9_]+\.sql$/;

export function collectMigrations(dirs: readonly string[]): Record<string, Migration> {
  const migrations: Record<string, Migration> = {};
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.sql')).sort()) {
      if (!migrationName.test(file)) throw new Error(`Migration ${join(dir, file)} is not named <YYYYMMDDTHHMMSS>_<module>_<what>.sql`);
      const name = basename(file, '.sql');
      if (migrations[name]) throw new Error(`Migration ${name} exists twice`);
      const text = readFileSync(join(dir, file), 'utf8');
      migrations[name] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
  }
  return migrations;
}

/** Advisory lock key of the grant on the migration table ("tenantry" in ASCII, as a number). */
const grantLockKey = 0x74656e616e747279n.toString();

function migrator(db: Kysely<any>, dirs: readonly string[]): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => collectMigrations(dirs) };
  // Unordered: a module added later may carry a timestamp older than migrations a database already
  // ran (kernel modules sort before apps); it then runs next instead of refusing to start.
  return new Migrator({ db, provider, migrationTableName: migrationTable, migrationLockTableName: `${migrationTable}_lock`, allowUnorderedMigrations: true });
}

/** Applies every pending migration; returns the names applied now. Throws with the failing name. */
export async function migrateToLatest(owner: Kysely<any>, dirs: readonly string[]): Promise<string[]> {
  const { error, results } = await migrator(owner, dirs).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? '(setup)'} failed: ${(error as Error).message}`, { cause: error });
  }
  // Concurrent GRANTs on one table fail with "tuple concurrently updated" (PostgreSQL updates the
  // table's ACL in place): several processes migrating at once take turns under a transaction lock.
  await owner.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${grantLockKey})`.execute(tx);
    await sql.raw(`GRANT SELECT ON ${migrationTable} TO ${runtimeRoleName}`).execute(tx);
  });
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Which of the known migration names are not applied yet (any role granted SELECT on the table). */
export async function pendingMigrations(db: Kysely<any>, known: readonly string[]): Promise<string[]> {
  const applied = await sql<{ name: string }>`select name from ${sql.table(migrationTable)}`.execute(db).then(
    (result) => new Set(result.rows.map((row) => row.name)),
  );
  return known.filter((name) => !applied.has(name));
}
