/**
 * The isolation checks have teeth: a database of its own is seeded with two tenants and every check
 * finds nothing on it; then each test sabotages one piece of the isolation on a copy of it (as a
 * careless migration would) and asserts the very same checks report it, on the sabotaged relation.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Violation } from '../support/isolation-catalog-checks.ts';
import { runAllIsolationChecks, startSeededTemplate, type SeededDatabase } from '../support/isolation-setup.ts';

interface Sabotage {
  title: string;
  statements: string[];
  /** Violations the checks must report (rule and relation); others may come along. */
  reported: Pick<Violation, 'rule' | 'relation'>[];
}

const tenantMatch = 'tenant_id = tenantry_current_tenant()';

// Sabotages of writes use tables that do not sync: on a synced table the change-capture trigger
// writes into sync_changes, whose own row-level security then refuses the write (a second line of
// defence that would hide the sabotage from the write checks).
const sabotages: Sabotage[] = [
  {
    title: 'row-level security disabled on a model table',
    statements: ['ALTER TABLE kt_memos DISABLE ROW LEVEL SECURITY'],
    reported: [
      { rule: 'rls_not_enabled', relation: 'kt_memos' },
      { rule: 'rows_visible_without_tenant', relation: 'kt_memos' },
      { rule: 'insert_without_tenant', relation: 'kt_memos' },
      { rule: 'rows_not_exactly_own_tenant', relation: 'kt_memos' },
    ],
  },
  {
    title: 'row-level security disabled on a kernel table',
    statements: ['ALTER TABLE idempotency_keys DISABLE ROW LEVEL SECURITY'],
    reported: [
      { rule: 'rls_not_enabled', relation: 'idempotency_keys' },
      { rule: 'rows_visible_without_tenant', relation: 'idempotency_keys' },
    ],
  },
  {
    title: 'FORCE removed (the owner would bypass the policies)',
    statements: ['ALTER TABLE kt_widgets NO FORCE ROW LEVEL SECURITY'],
    reported: [{ rule: 'rls_not_forced', relation: 'kt_widgets' }],
  },
  {
    title: 'a select policy that lets every row through',
    statements: ['DROP POLICY kt_widgets_tenant_select ON kt_widgets', 'CREATE POLICY kt_widgets_tenant_select ON kt_widgets FOR SELECT USING (true)'],
    reported: [
      { rule: 'policy_not_tenant_scoped', relation: 'kt_widgets' },
      { rule: 'rows_visible_without_tenant', relation: 'kt_widgets' },
      { rule: 'rows_not_exactly_own_tenant', relation: 'kt_widgets' },
    ],
  },
  {
    title: 'the insert policy dropped',
    statements: ['DROP POLICY kt_widgets_tenant_insert ON kt_widgets'],
    reported: [{ rule: 'policy_missing', relation: 'kt_widgets' }],
  },
  {
    title: 'an extra permissive policy for all commands beside the tenant ones',
    statements: ['CREATE POLICY kt_categories_support_access ON kt_categories FOR ALL USING (true)'],
    reported: [
      { rule: 'policy_not_tenant_scoped', relation: 'kt_categories' },
      { rule: 'rows_visible_without_tenant', relation: 'kt_categories' },
      { rule: 'update_of_other_tenant', relation: 'kt_categories' },
      { rule: 'delete_of_other_tenant', relation: 'kt_categories' },
    ],
  },
  {
    title: 'an update policy whose WITH CHECK lets rows move to another tenant',
    statements: ['DROP POLICY outlets_tenant_update ON outlets', `CREATE POLICY outlets_tenant_update ON outlets FOR UPDATE USING (${tenantMatch}) WITH CHECK (true)`],
    reported: [
      { rule: 'policy_not_tenant_scoped', relation: 'outlets' },
      { rule: 'row_moved_to_other_tenant', relation: 'outlets' },
    ],
  },
  {
    title: 'a delete policy that reaches every tenant\'s rows',
    // A table no other row references, so a delete is stopped by nothing but the policy.
    statements: ['DROP POLICY kt_memos_tenant_delete ON kt_memos', 'CREATE POLICY kt_memos_tenant_delete ON kt_memos FOR DELETE USING (true)'],
    reported: [
      { rule: 'policy_not_tenant_scoped', relation: 'kt_memos' },
      { rule: 'delete_without_tenant', relation: 'kt_memos' },
      { rule: 'delete_of_other_tenant', relation: 'kt_memos' },
    ],
  },
  {
    title: 'a tenant function that ignores the transaction setting',
    statements: [`CREATE OR REPLACE FUNCTION tenantry_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT id FROM tenants ORDER BY slug LIMIT 1 $$`],
    reported: [
      { rule: 'tenant_function_altered', relation: 'tenantry_current_tenant()' },
      { rule: 'tenant_context_leaked', relation: 'tenantry_current_tenant()' },
      { rule: 'rows_visible_without_tenant', relation: 'kt_widgets' },
    ],
  },
  {
    title: 'a new tenant table created without row-level security',
    statements: [
      'CREATE TABLE kt_notes (tenant_id uuid NOT NULL REFERENCES tenants (id), id uuid NOT NULL, note text, PRIMARY KEY (tenant_id, id))',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON kt_notes TO tenantry_app',
      "INSERT INTO kt_notes SELECT id, gen_random_uuid(), 'note of ' || slug FROM tenants",
    ],
    reported: [
      { rule: 'rls_not_enabled', relation: 'kt_notes' },
      { rule: 'policy_missing', relation: 'kt_notes' },
      { rule: 'rows_visible_without_tenant', relation: 'kt_notes' },
    ],
  },
  {
    title: 'a tenant table owned by the runtime role',
    statements: ['ALTER TABLE kt_categories OWNER TO tenantry_app'],
    reported: [{ rule: 'runtime_role_owns_relation', relation: 'kt_categories' }],
  },
  {
    title: 'TRUNCATE granted on a tenant table',
    statements: ['GRANT TRUNCATE ON outlets TO tenantry_app'],
    reported: [{ rule: 'tenant_table_truncatable', relation: 'outlets' }],
  },
  {
    title: 'write access granted on a global table',
    statements: ['GRANT INSERT, UPDATE ON kt_countries TO tenantry_app'],
    reported: [{ rule: 'global_table_writable', relation: 'kt_countries' }],
  },
  {
    title: 'a view over a tenant table running with its owner\'s rights',
    statements: ['CREATE VIEW kt_widget_export AS SELECT tenant_id, id, code FROM kt_widgets', 'GRANT SELECT ON kt_widget_export TO tenantry_app'],
    reported: [{ rule: 'view_bypasses_rls', relation: 'kt_widget_export' }],
  },
];

let template: Awaited<ReturnType<typeof startSeededTemplate>>;
let intact: Violation[];
let seeded: SeededDatabase | undefined;

beforeAll(async () => {
  template = await startSeededTemplate();
  const copy = await template.clone();
  try {
    intact = await runAllIsolationChecks(copy);
  } finally {
    await copy.close();
  }
});
afterEach(async () => {
  await seeded?.close();
  seeded = undefined;
});
afterAll(() => template?.close());

describe('the isolation checks on a sabotaged schema', () => {
  it('find nothing on the intact schema the sabotages start from', () => {
    expect(intact).toEqual([]);
  });

  it('cover the four sabotages the issue names', () => {
    const titles = sabotages.map((sabotage) => sabotage.title);
    expect(titles).toEqual(expect.arrayContaining(['row-level security disabled on a model table', 'FORCE removed (the owner would bypass the policies)', 'a select policy that lets every row through', 'the insert policy dropped']));
  });

  it.each(sabotages)('report $title', async ({ statements, reported }) => {
    seeded = await template.clone();
    for (const statement of statements) await sql.raw(statement).execute(seeded.database.owner.db);
    const violations = await runAllIsolationChecks(seeded);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations).toEqual(expect.arrayContaining(reported.map((expected) => expect.objectContaining(expected))));
  });
});
