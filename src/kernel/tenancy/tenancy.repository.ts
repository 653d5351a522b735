/** SQL of the tenants table, and the catalog walk that removes a tenant's rows everywhere. */
import { sql, type Kysely } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { CreateTenantInput, Tenant, TenantStatus } from './tenancy.contract.ts';

const columns = sql`id, slug, name, status, plan, locale, timezone, settings, version, created_at as "createdAt", updated_at as "updatedAt"`;

type Row = Omit<Tenant, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date };
const toTenant = (row: Row): Tenant => ({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

export async function insertTenant(db: Kysely<any>, id: string, input: Required<CreateTenantInput>): Promise<Tenant> {
  const result = await sql<Row>`
    insert into tenants (id, slug, name, plan, locale, timezone, settings)
    values (${id}, ${input.slug}, ${input.name}, ${input.plan}, ${input.locale}, ${input.timezone}, ${JSON.stringify(input.settings)}::jsonb)
    returning ${columns}`.execute(db);
  return toTenant(result.rows[0]!);
}

export async function findTenant(db: Kysely<any>, by: { id: string } | { slug: string }): Promise<Tenant | undefined> {
  const where = 'id' in by ? sql`id = ${by.id}` : sql`slug = ${by.slug}`;
  const result = await sql<Row>`select ${columns} from tenants where ${where}`.execute(db);
  return result.rows[0] && toTenant(result.rows[0]);
}

export async function selectTenants(db: Kysely<any>, limit: number, afterSlug: string): Promise<Tenant[]> {
  const result = await sql<Row>`select ${columns} from tenants where slug > ${afterSlug} order by slug limit ${limit}`.execute(db);
  return result.rows.map(toTenant);
}

export async function updateTenantStatus(db: Kysely<any>, id: string, status: TenantStatus): Promise<Tenant | undefined> {
  const result = await sql<Row>`
    update tenants set status = ${status}, version = version + 1, updated_at = now()
    where id = ${id} returning ${columns}`.execute(db);
  return result.rows[0] && toTenant(result.rows[0]);
}

/**
 * Sets one top-level key of the tenant's settings (null removes it), in the caller's transaction when
 * given; returns the tenant and what the key held before (null: unset), read under the row's lock, so
 * that of two changes at once the second sees the first's value.
 */
export async function updateTenantSetting(db: Kysely<any>, id: string, key: string, value: unknown): Promise<{ tenant: Tenant; previous: unknown } | undefined> {
  const settings = value === null ? sql`settings - ${key}::text` : sql`jsonb_set(settings, array[${key}::text], ${JSON.stringify(value)}::jsonb)`;
  const result = await sql<Row & { previous: unknown }>`
    update tenants set settings = ${settings}, version = version + 1, updated_at = now()
    from (select settings -> ${key}::text as previous from tenants where id = ${id} for update) as old
    where id = ${id} returning ${columns}, old.previous`.execute(db);
  const row = result.rows[0];
  return row && { tenant: toTenant(row), previous: row.previous };
}

/**
 * Deletes every row of the tenant from every table that has a tenant_id column, children before
 * parents (from the foreign keys in the catalog), under the tenant's own row-level security and with
 * the tenant filter in the statement too.
 */
export async function deleteTenantRows(tx: TenantTx, tenantId: string): Promise<Record<string, number>> {
  const tables = await sql<{ table: string }>`
    select c.relname as table from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    where c.relkind in ('r', 'p') and has_table_privilege(c.oid, 'DELETE')`.execute(tx);
  const edges = await sql<{ child: string; parent: string }>`
    select cc.relname as child, pc.relname as parent from pg_constraint k
    join pg_class cc on cc.oid = k.conrelid join pg_class pc on pc.oid = k.confrelid
    join pg_namespace n on n.oid = cc.relnamespace and n.nspname = current_schema()
    where k.contype = 'f' and cc.oid <> pc.oid`.execute(tx);
  const names = tables.rows.map((row) => row.table);
  const removed: Record<string, number> = {};
  const pending = new Set(names);
  while (pending.size > 0) {
    // A table is safe to empty once no pending table references it.
    const ready = [...pending].filter((table) => !edges.rows.some((edge) => edge.parent === table && edge.child !== table && pending.has(edge.child)));
    const batch = ready.length > 0 ? ready : [...pending]; // a cycle: nullable keys, deleted together
    for (const table of batch) {
      // Filtered in code as well: on a connection exempt from RLS this must still touch one tenant only.
      const result = await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(tx);
      removed[table] = Number(result.numAffectedRows ?? 0);
      pending.delete(table);
    }
  }
  return removed;
}

export async function deleteTenantRow(db: Kysely<any>, id: string): Promise<void> {
  await sql`delete from tenants where id = ${id}`.execute(db);
}
