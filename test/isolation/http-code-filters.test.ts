/**
 * Defence in depth, second layer: the same HTTP isolation suite on an app whose database
 * connection is exempt from row-level security, so only the code's own tenant filters (records
 * repository, idempotency store) keep tenants apart. A filter dropped from a query fails here even
 * while RLS would still hide the leak everywhere else.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { defineHttpIsolationSuite } from '../support/isolation-http-suite.ts';
import { startRlsExemptPlatform } from '../support/isolation-rls-exempt-platform.ts';

const platform = defineHttpIsolationSuite(startRlsExemptPlatform);

describe('the RLS-exempt platform', () => {
  it('really is exempt from row-level security, so the suite above tests the code filters alone', async () => {
    const role = await sql<{ exempt: boolean }>`select rolsuper or rolbypassrls as exempt from pg_roles where rolname = current_user`.execute(platform().platform.database.db);
    expect(role.rows[0]?.exempt).toBe(true);
  });
});
