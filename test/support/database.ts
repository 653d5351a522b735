/** A database of its own for one test file, cloned from the migrated template. */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { openDatabase, runtimeRoleName, withUrlParts, type Database } from '../../src/kernel/db/index.ts';
import { testAppPassword } from './test-env.ts';

export interface TestDatabase {
  name: string;
  /** Owner connection (superuser in tests): for fixtures and catalog checks, never for the code under test. */
  ownerUrl: string;
  /** Runtime connection as tenantry_app. */
  appUrl: string;
  owner: Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDatabase');
  const name = `t_${template.split('_').pop()}_${randomBytes(5).toString('hex')}`;
  const admin = openDatabase(adminUrl, { max: 1 });
  try {
    await sql.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const ownerUrl = withUrlParts(adminUrl, { database: name });
  const owner = openDatabase(ownerUrl, { max: 2 });
  return {
    name,
    ownerUrl,
    appUrl: withUrlParts(adminUrl, { user: runtimeRoleName, password: testAppPassword, database: name }),
    owner,
    async drop() {
      await owner.close();
      const again = openDatabase(adminUrl, { max: 1 });
      try {
        // A pool's end() resolves before its connections have closed: let those go before FORCE
        // terminates what is left, or a backend cut off mid-goodbye sends its client an error that no
        // listener takes any more (an uncaught exception that fails the whole run). Up to 1 s.
        for (let waited = 0; waited < 1000; waited += 25) {
          const { rows } = await sql<{ connections: number }>`select count(*)::int as connections from pg_stat_activity where datname = ${name}`.execute(again.db);
          if (rows[0]!.connections === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(again.db);
      } finally {
        await again.close();
      }
    },
  };
}
