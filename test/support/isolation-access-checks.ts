/**
 * Behavioural checks of tenant isolation: connected as the runtime role, try to read and write
 * every tenant table without a tenant and as another tenant, and report what got through. Every
 * probe runs in a transaction that is rolled back, so a broken policy never damages the data the
 * next check needs. Rows are counted with the owner connection, which RLS does not limit here.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { withTenant } from '../../src/kernel/db/index.ts';
import { newId } from '../../src/kernel/shared/index.ts';
import type { Violation } from './isolation-catalog-checks.ts';

/** SQLSTATE of "permission denied" and "new row violates row-level security policy". */
const refusedByPolicy = '42501';
const foreignKeyViolation = '23503';

type Outcome = { rows: number; data: Record<string, unknown>[] } | { error: string };

interface TableFacts {
  table: string;
  rowsByTenant: Map<string, number>;
  primaryKey: { name: string; type: string }[];
}

async function factsOf(owner: Kysely<any>, table: string): Promise<TableFacts> {
  const counts = await sql<{ tenant: string; rows: number }>`select tenant_id::text as tenant, count(*)::int as rows from ${sql.table(table)} group by 1`.execute(owner);
  const key = await sql<{ name: string; type: string }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indrelid = ${`public."${table.replaceAll('"', '""')}"`}::regclass and i.indisprimary`.execute(owner);
  return { table, rowsByTenant: new Map(counts.rows.map((row) => [row.tenant, row.rows])), primaryKey: key.rows };
}

/** One of a tenant's rows as JSON, with a fresh primary key so inserting it would not collide on the key. */
async function copyOfRow(owner: Kysely<any>, facts: TableFacts, tenantId: string): Promise<Record<string, unknown> | undefined> {
  const result = await sql<{ row: Record<string, unknown> }>`select to_jsonb(t) as row from ${sql.table(facts.table)} t where tenant_id = ${tenantId} limit 1`.execute(owner);
  const row = result.rows[0]?.row;
  if (!row) return undefined;
  for (const column of facts.primaryKey) {
    if (column.name === 'tenant_id') continue;
    if (column.type === 'uuid') row[column.name] = newId();
    else if (/char|text/.test(column.type)) row[column.name] = `${String(row[column.name])}-iso-${newId().slice(-8)}`;
  }
  return row;
}

/** Runs one statement under a savepoint and undoes it: an error is an outcome, and no probe sees another's effect. */
async function probe(connection: Kysely<any>, statement: RawBuilder<unknown>): Promise<Outcome> {
  await sql`savepoint isolation_probe`.execute(connection);
  try {
    const result = await statement.execute(connection);
    return { rows: Number(result.numAffectedRows ?? result.rows.length), data: result.rows as Record<string, unknown>[] };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  } finally {
    await sql`rollback to savepoint isolation_probe`.execute(connection);
  }
}

const insertRow = (table: string, row: Record<string, unknown>) =>
  sql`insert into ${sql.table(table)} select * from jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(row)}::jsonb)`;

const describeOutcome = (outcome: Outcome) => ('error' in outcome ? `failed with SQLSTATE ${outcome.error}` : `affected ${outcome.rows} row(s)`);
const wasRefused = (outcome: Outcome) => 'error' in outcome && outcome.error === refusedByPolicy;
/** Refused, or allowed but touching no more than `limit` rows. */
const reachesAtMost = (outcome: Outcome, limit: number) => ('error' in outcome ? outcome.error === refusedByPolicy : outcome.rows <= limit);
/** Refused, or allowed but touching nothing. */
const changedNothing = (outcome: Outcome) => ('error' in outcome ? outcome.error === refusedByPolicy : outcome.rows === 0);

export interface AccessCheckInput {
  owner: Kysely<any>;
  /** A connection pool of the runtime role. */
  app: Kysely<any>;
  tables: readonly string[];
}

/** With no tenant set: every tenant table reads as empty though it has rows, and no write gets through. */
export async function checkAccessWithoutTenant(input: AccessCheckInput): Promise<Violation[]> {
  const violations: Violation[] = [];
  await input.app.connection().execute(async (connection) => {
    await sql`begin`.execute(connection);
    try {
      const context = await sql<{ tenant: string | null }>`select tenantry_current_tenant()::text as tenant`.execute(connection);
      const leaked = context.rows[0]?.tenant;
      if (leaked) violations.push({ rule: 'tenant_context_leaked', relation: 'tenantry_current_tenant()', detail: `a connection with no tenant set reports tenant ${leaked}` });
      for (const table of input.tables) {
        const facts = await factsOf(input.owner, table);
        const total = [...facts.rowsByTenant.values()].reduce((sum, rows) => sum + rows, 0);
        if (total === 0) {
          violations.push({ rule: 'no_rows_to_test', relation: table, detail: 'the table is empty, so reading nothing proves nothing' });
          continue;
        }
        const visible = await probe(connection, sql`select 1 from ${sql.table(table)}`);
        if (!changedNothing(visible)) violations.push({ rule: 'rows_visible_without_tenant', relation: table, detail: 'error' in visible ? `select ${describeOutcome(visible)}` : `select returned ${visible.rows} of ${total} row(s)` });
        const row = await copyOfRow(input.owner, facts, [...facts.rowsByTenant.keys()][0]!);
        const inserted = await probe(connection, insertRow(table, row!));
        if (!wasRefused(inserted)) violations.push({ rule: 'insert_without_tenant', relation: table, detail: `insert of a tenant's row ${describeOutcome(inserted)}` });
        const updated = await probe(connection, sql`update ${sql.table(table)} set tenant_id = tenant_id`);
        if (!changedNothing(updated)) violations.push({ rule: 'update_without_tenant', relation: table, detail: `update ${describeOutcome(updated)}` });
        const deleted = await probe(connection, sql`delete from ${sql.table(table)}`);
        if (!changedNothing(deleted)) violations.push({ rule: 'delete_without_tenant', relation: table, detail: `delete ${describeOutcome(deleted)}` });
      }
    } finally {
      await sql`rollback`.execute(connection);
    }
  });
  return violations;
}

const rollback = Symbol('rollback');

/**
 * With tenant A set through withTenant: exactly A's rows are visible, B's rows cannot be written,
 * deleted or added to, and A's rows cannot be moved to B.
 */
export async function checkAccessAsTenant(input: AccessCheckInput & { tenantId: string; otherTenantId: string }): Promise<Violation[]> {
  const violations: Violation[] = [];
  const { tenantId, otherTenantId } = input;
  await withTenant(input.app, { tenantId }, async (tx) => {
    for (const table of input.tables) {
      const facts = await factsOf(input.owner, table);
      const own = facts.rowsByTenant.get(tenantId) ?? 0;
      const other = facts.rowsByTenant.get(otherTenantId) ?? 0;
      if (own === 0 || other === 0) {
        violations.push({ rule: 'no_rows_to_test', relation: table, detail: `needs rows of both tenants (has ${own} and ${other})` });
        continue;
      }
      const seen = await probe(tx, sql`select count(*) filter (where tenant_id = ${tenantId})::int as own, count(*) filter (where tenant_id <> ${tenantId})::int as foreign from ${sql.table(table)}`);
      const visible = 'error' in seen ? undefined : (seen.data[0] as { own: number; foreign: number });
      if (!visible || visible.own !== own || visible.foreign !== 0) {
        violations.push({ rule: 'rows_not_exactly_own_tenant', relation: table, detail: visible ? `sees ${visible.own} own row(s) of ${own} and ${visible.foreign} of other tenants` : `select ${describeOutcome(seen)}` });
      }
      const inserted = await probe(tx, insertRow(table, (await copyOfRow(input.owner, facts, otherTenantId))!));
      if (!wasRefused(inserted)) violations.push({ rule: 'insert_into_other_tenant', relation: table, detail: `insert of a row of another tenant ${describeOutcome(inserted)}` });
      // Without WHERE, only the UPDATE and DELETE policies decide which rows a statement reaches;
      // with a WHERE on tenant_id the SELECT policy applies as well. Both forms are tried.
      const updatedAll = await probe(tx, sql`update ${sql.table(table)} set tenant_id = tenant_id`);
      const updatedOther = await probe(tx, sql`update ${sql.table(table)} set tenant_id = tenant_id where tenant_id = ${otherTenantId}`);
      if (!reachesAtMost(updatedAll, own) || !changedNothing(updatedOther)) {
        violations.push({ rule: 'update_of_other_tenant', relation: table, detail: `update of all rows ${describeOutcome(updatedAll)} (own: ${own}); of the other tenant's ${describeOutcome(updatedOther)}` });
      }
      // A foreign-key error says the delete reached rows others point to (its own, when the policy
      // holds): inconclusive for this form, which the WHERE form and the catalog check make up for.
      const deletedAll = await probe(tx, sql`delete from ${sql.table(table)}`);
      const deleteInconclusive = 'error' in deletedAll && deletedAll.error === foreignKeyViolation;
      const deletedOther = await probe(tx, sql`delete from ${sql.table(table)} where tenant_id = ${otherTenantId}`);
      if ((!deleteInconclusive && !reachesAtMost(deletedAll, own)) || !changedNothing(deletedOther)) {
        violations.push({ rule: 'delete_of_other_tenant', relation: table, detail: `delete of all rows ${describeOutcome(deletedAll)} (own: ${own}); of the other tenant's ${describeOutcome(deletedOther)}` });
      }
      const moved = await probe(tx, sql`update ${sql.table(table)} set tenant_id = ${otherTenantId}`);
      if (!wasRefused(moved)) violations.push({ rule: 'row_moved_to_other_tenant', relation: table, detail: `moving own rows to another tenant ${describeOutcome(moved)}` });
    }
    throw rollback;
  }).catch((error: unknown) => {
    if (error !== rollback) throw error;
  });
  return violations;
}
