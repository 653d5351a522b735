/**
 * SQL of bulk reads and writes (ingestion, bulk loads): rows by the values of one column, rows
 * locked by id, and updates of many rows in one statement. The same tenant filter and row scope as
 * records.repository.ts; identifiers from the model, values bound.
 */
import { sql, type RawBuilder } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { RecordCodec } from './record-codec.ts';
import { bulkJson, type RowPredicate } from './records.repository.ts';

type Row = Record<string, unknown>;

function liveScope(codec: RecordCodec, tenantId: string, predicate: RowPredicate, alias?: string): RawBuilder<unknown> {
  const column = (name: string) => (alias ? sql.ref(`${alias}.${name}`) : sql.ref(name));
  const live = sql`${column('tenant_id')} = ${tenantId} and ${column('deleted_at')} is null`;
  return predicate ? sql`${live} and ${predicate}` : live;
}

/** Live rows of the scope whose column holds one of the values. */
export async function rowsByColumn(tx: TenantTx, codec: RecordCodec, tenantId: string, column: string, values: readonly unknown[], predicate: RowPredicate, lock = false): Promise<Row[]> {
  if (values.length === 0) return [];
  const result = await sql<Row>`
    select * from ${sql.table(codec.entity.table)} where ${liveScope(codec, tenantId, predicate)} and ${sql.ref(column)} = any(${values})
    ${lock ? sql`order by id for update` : sql``}`.execute(tx);
  return result.rows;
}

/**
 * Sets the given columns of many rows at once, each at its expected version: one statement for rows
 * that set the same columns. The new values travel as one JSON array read with
 * json_populate_recordset (as inserts: records.repository.ts), so PostgreSQL casts them to the table's
 * own column types.
 */
export async function updateRows(tx: TenantTx, codec: RecordCodec, tenantId: string, columns: readonly string[], rows: readonly { id: string; version: number; values: Record<string, unknown> }[], predicate: RowPredicate): Promise<Row[]> {
  if (rows.length === 0) return [];
  const table = sql.table(codec.entity.table);
  const payload = bulkJson(rows.map((row) => ({ ...row.values, id: row.id, version: row.version })));
  // The incoming values get prefixed names so the row predicate's unqualified columns mean the table's.
  const incoming = sql.join([sql`v.id as __id`, sql`v.version as __version`, ...columns.map((column) => sql`v.${sql.ref(column)} as ${sql.ref(`__v_${column}`)}`)]);
  const assignments = [
    ...columns.map((column) => sql`${sql.ref(column)} = v.${sql.ref(`__v_${column}`)}`),
    sql`version = t.version + 1`,
    sql`updated_at = now()`,
    sql`updated_by = tenantry_current_user()`,
  ];
  const result = await sql<Row>`
    update ${table} as t set ${sql.join(assignments)}
    from (select ${incoming} from json_populate_recordset(null::${table}, ${payload}::json) as v) as v
    where ${liveScope(codec, tenantId, predicate, 't')} and t.id = v.__id and t.version = v.__version
    returning t.*${predicate ? sql`, (${predicate}) as __in_scope` : sql``}`.execute(tx);
  return result.rows;
}
