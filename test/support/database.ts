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
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(again.db);
      } finally {
        await again.close();
      }
    },
  };
}
