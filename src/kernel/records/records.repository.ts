/**
 * SQL of the generic record routes. Every function takes the tenant transaction first and filters
 * by tenant_id itself as well (defence in depth on top of row-level security). Identifiers come
 * from the model (validated names), values are always bound parameters.
 */
import { sql, type RawBuilder } from 'kysely';
import type { TenantTx } from '../db/index.ts';
import type { Filter, KeysetCursor, ListQuery, SortKey } from './list-query.ts';
import type { RecordCodec } from './record-codec.ts';
import type { SyncRecord } from './records.contract.ts';

type Row = Record<string, unknown>;

/** The row scope of the principal's action (kernel/access): an SQL predicate, or null for every row. */
export type RowPredicate = RawBuilder<unknown> | null;

function tenantScope(codec: RecordCodec, tenantId: string, predicate: RowPredicate = null): RawBuilder<unknown> {
  const live = codec.entity.scope === 'tenant' ? sql`tenant_id = ${tenantId} and deleted_at is null` : sql`deleted_at is null`;
  return predicate ? sql`${live} and ${predicate}` : live;
}

/** Whether the written row (new values) still meets the predicate: a write cannot move a row out of scope. */
function scopeCheck(predicate: RowPredicate): RawBuilder<unknown> {
  return predicate ? sql`, (${predicate}) as __in_scope` : sql``;
}

/** False when a written row left the principal's row scope (the caller rolls the write back). */
export const isOutOfScope = (row: Row): boolean => row.__in_scope === false;

function filterSql(filter: Filter): RawBuilder<unknown> {
  const column = sql.ref(filter.column);
  switch (filter.operator) {
    case 'eq':
      return sql`${column} = ${filter.value}`;
    case 'in':
      return sql`${column} = any(${filter.value})`;
    case 'gt':
      return sql`${column} > ${filter.value}`;
    case 'gte':
      return sql`${column} >= ${filter.value}`;
    case 'lt':
      return sql`${column} < ${filter.value}`;
    case 'lte':
      return sql`${column} <= ${filter.value}`;
    case 'prefix':
      return sql`${column} like ${String(filter.value).replace(/[\\%_]/g, (c) => `\\${c}`) + '%'}`;
  }
}

/**
 * Rows strictly after the cursor in the order (key1, ..., id). Each key sorts as (key IS NULL, key)
 * so NULLs come last ascending and first descending, as PostgreSQL orders them by default.
 */
function afterCursorSql(sort: SortKey[], cursor: KeysetCursor, idDescending: boolean): RawBuilder<unknown> {
  const parts: { expression: RawBuilder<unknown>; descending: boolean; value: unknown }[] = [];
  sort.forEach((key, index) => {
    const value = cursor.values[index] ?? null;
    parts.push({ expression: sql`(${sql.ref(key.column)} is null)`, descending: key.descending, value: value === null });
    if (value !== null) parts.push({ expression: sql.ref(key.column), descending: key.descending, value });
  });
  parts.push({ expression: sql.ref('id'), descending: idDescending, value: cursor.id });
  const alternatives = parts.map((part, index) => {
    const equalities = parts.slice(0, index).map((previous) => sql`${previous.expression} = ${previous.value}`);
    const step = part.descending ? sql`${part.expression} < ${part.value}` : sql`${part.expression} > ${part.value}`;
    return sql`(${sql.join([...equalities, step], sql` and `)})`;
  });
  return sql`(${sql.join(alternatives, sql` or `)})`;
}

function orderSql(sort: SortKey[], idDescending: boolean): RawBuilder<unknown> {
  const keys = sort.map((key) => sql`${sql.ref(key.column)} ${sql.raw(key.descending ? 'desc' : 'asc')}`);
  keys.push(sql`id ${sql.raw(idDescending ? 'desc' : 'asc')}`);
  return sql.join(keys);
}

export interface ListPage {
  rows: Row[];
  /** Sort values of the last row in text form, for the next cursor. */
  lastKeys?: (string | null)[];
  hasMore: boolean;
  total?: number;
}

export async function listRows(tx: TenantTx, codec: RecordCodec, tenantId: string, query: ListQuery, predicate: RowPredicate = null): Promise<ListPage> {
  const idDescending = query.sort.length > 0 ? query.sort[query.sort.length - 1]!.descending : false;
  const conditions = [tenantScope(codec, tenantId, predicate), ...query.filters.map(filterSql)];
  const where = sql.join(conditions, sql` and `);
  const keyColumns = query.sort.map((key, index) => sql`${sql.ref(key.column)}::text as ${sql.ref(`__k${index}`)}`);
  const selection = sql.join([sql`*`, ...keyColumns]);
  const pageWhere = query.after ? sql`${where} and ${afterCursorSql(query.sort, query.after, idDescending)}` : where;
  const result = await sql<Row>`
    select ${selection} from ${sql.table(codec.entity.table)}
    where ${pageWhere}
    order by ${orderSql(query.sort, idDescending)}
    limit ${query.limit + 1}`.execute(tx);
  const hasMore = result.rows.length > query.limit;
  const rows = hasMore ? result.rows.slice(0, query.limit) : result.rows;
  const last = rows[rows.length - 1];
  const page: ListPage = { rows, hasMore };
  if (last) page.lastKeys = query.sort.map((_, index) => (last[`__k${index}`] as string | null) ?? null);
  if (query.includeTotal) {
    const count = await sql<{ total: number }>`select count(*)::int as total from ${sql.table(codec.entity.table)} where ${where}`.execute(tx);
    page.total = count.rows[0]!.total;
  }
  return page;
}

export async function findRow(tx: TenantTx, codec: RecordCodec, tenantId: string, id: string, predicate: RowPredicate = null): Promise<Row | undefined> {
  const result = await sql<Row>`select * from ${sql.table(codec.entity.table)} where ${tenantScope(codec, tenantId, predicate)} and id = ${id}`.execute(tx);
  return result.rows[0];
}

/** Version and deletion state of a row, deleted or not (to tell 404 from 412). */
export async function findRowState(tx: TenantTx, codec: RecordCodec, tenantId: string, id: string, predicate: RowPredicate = null): Promise<{ version: number; deleted: boolean } | undefined> {
  // Out of the principal's row scope answers like a missing row (no 412 revealing a version).
  const scoped = predicate ? sql`${predicate} and` : sql``;
  const tenant = codec.entity.scope === 'tenant' ? sql`tenant_id = ${tenantId} and ${scoped}` : scoped;
  const result = await sql<{ version: number; deleted: boolean }>`
    select version, deleted_at is not null as deleted from ${sql.table(codec.entity.table)} where ${tenant} id = ${id}`.execute(tx);
  return result.rows[0];
}

/**
 * The JSON of a bulk payload, bigint values (int8 columns) as decimal strings. Natively first: a
 * replacer function takes JSON.stringify off its fast path (twice the time for a chunk of outlets).
 */
export function bulkJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  }
}

/** Column values for a bulk write's JSON payload: JSON columns (and `ext`) as values, not JSON text. */
export function bulkColumnValues(codec: RecordCodec, pairs: readonly [string, unknown][]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [column, value] of pairs) values[column] = typeof value === 'string' && (codec.jsonColumns.has(column) || column === 'ext') ? JSON.parse(value) : value;
  return values;
}

/** Kinds of column whose stored value reads back exactly as a JSON value of its own type sent it. */
type EchoKind = 'text' | 'boolean' | 'integer';
const echoKinds: ReadonlyMap<string, EchoKind> = new Map([
  ['text', 'text'],
  ['boolean', 'boolean'],
  ['integer', 'integer'],
]);
const echoes = (kind: EchoKind, value: unknown) =>
  value === null || (kind === 'text' ? typeof value === 'string' : kind === 'boolean' ? typeof value === 'boolean' : Number.isInteger(value) && !Object.is(value, -0));

interface InsertShape {
  /** Every column, in table order. */
  readonly columns: readonly string[];
  /** Columns whose value can be taken from what was sent rather than read back; none when a BEFORE INSERT row trigger may change any. */
  readonly echo: ReadonlyMap<string, EchoKind>;
}
const insertShapes = new Map<string, InsertShape>();

/** The table's columns and which of them an insert need not read back, from the catalog, once per table and process (migrations run before the platform serves). */
async function insertShapeOf(tx: TenantTx, table: string): Promise<InsertShape> {
  const known = insertShapes.get(table);
  if (known) return known;
  const result = await sql<{ name: string; type: string; generated: boolean; triggered: boolean }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attgenerated <> '' as generated,
      exists (select 1 from pg_trigger t where t.tgrelid = a.attrelid and not t.tgisinternal and t.tgtype & 7 = 7) as triggered
    from pg_attribute a where a.attrelid = ${table}::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`.execute(tx);
  const echo = new Map<string, EchoKind>();
  for (const column of result.rows) {
    const kind = echoKinds.get(column.type);
    if (kind && !column.generated && !column.triggered) echo.set(column.name, kind);
  }
  const shape = { columns: result.rows.map((column) => column.name), echo };
  insertShapes.set(table, shape);
  return shape;
}

/**
 * Several rows in few statements: rows that set the same columns go in one statement (a column a row
 * leaves out takes its default), their values travelling as one JSON array read with
 * json_populate_recordset, so PostgreSQL casts them to the table's own column types and a large
 * batch costs one parameter, not one per cell. `json`, not `jsonb`: the values are read once, as text
 * for each column's input function, where jsonb first builds (and key-sorts) a binary copy of the
 * whole array (measured: 100,000 outlets unpacked in 0.75 s against 1.05 s). Returned in input order,
 * whole; read back are the columns PostgreSQL sets or may change (defaults, timestamps, numbers it
 * rounds, ids it lower-cases, JSON it reorders), not text, boolean or integer values of their own
 * type, which read back as sent (200,000 outlets loaded, three rounds: PostgreSQL's CPU 22.5-23.6 s
 * against 24.2-25.2 s reading every column back; a BEFORE INSERT trigger reads them all back again).
 */
const setsColumns = (values: readonly [string, unknown][], columns: readonly string[]): boolean => {
  if (values.length !== columns.length) return false;
  for (let index = 0; index < columns.length; index++) if (values[index]![0] !== columns[index]) return false;
  return true;
};

export async function insertRows(tx: TenantTx, codec: RecordCodec, tenantId: string, rows: readonly { id: string; values: [string, unknown][] }[], predicate: RowPredicate = null): Promise<Row[]> {
  const groups = new Map<string, { columns: string[]; rows: (typeof rows)[number][] }>();
  // Rows of a bulk write mostly set the same columns as the row before: checked in place, without a key.
  let last: { columns: string[]; rows: (typeof rows)[number][] } | undefined;
  for (const row of rows) {
    if (last && setsColumns(row.values, last.columns)) {
      last.rows.push(row);
      continue;
    }
    const columns = row.values.map(([column]) => column);
    const key = columns.join('\u0000');
    last = groups.get(key);
    if (last) last.rows.push(row);
    else groups.set(key, (last = { columns, rows: [row] }));
  }
  const table = sql.table(codec.entity.table);
  const shape = await insertShapeOf(tx, codec.entity.table);
  const byId = new Map<string, Row>();
  for (const { columns, rows: members } of groups.values()) {
    for (let start = 0; start < members.length; start += 1000) {
      const batch = members.slice(start, start + 1000);
      const echoed: number[] = [];
      columns.forEach((column, index) => {
        const kind = shape.echo.get(column);
        if (kind && batch.every((row) => echoes(kind, row.values[index]![1]))) echoed.push(index);
      });
      const sent = new Set(echoed.map((index) => columns[index]!));
      const payload = bulkJson(
        batch.map((row) => {
          const values = bulkColumnValues(codec, row.values);
          values.id = row.id;
          return values;
        }),
      );
      const result = await sql<Row>`
        insert into ${table} (${sql.join(['tenant_id', 'id', 'created_by', 'updated_by', ...columns].map((column) => sql.ref(column)))})
        select ${tenantId}, v.id, tenantry_current_user(), tenantry_current_user()${sql.join(columns.map((column) => sql`, v.${sql.ref(column)}`), sql``)}
        from json_populate_recordset(null::${table}, ${payload}::json) as v
        returning ${sql.join(shape.columns.filter((column) => !sent.has(column)).map((column) => sql.ref(column)))}${scopeCheck(predicate)}`.execute(tx);
      for (const row of result.rows) byId.set(row.id as string, row);
      for (const row of batch) {
        const stored = byId.get(row.id);
        if (stored) for (const index of echoed) stored[columns[index]!] = row.values[index]![1];
      }
    }
  }
  return rows.map((row) => byId.get(row.id)!);
}

export async function updateRow(
  tx: TenantTx,
  codec: RecordCodec,
  target: { tenantId: string; id: string; expectedVersion: number | undefined; predicate?: RowPredicate },
  values: [string, unknown][],
): Promise<Row | undefined> {
  const { tenantId, id, expectedVersion, predicate = null } = target;
  const version = expectedVersion === undefined ? sql`` : sql` and version = ${expectedVersion}`;
  const assignments = [
    ...values.map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
    sql`version = version + 1`,
    sql`updated_at = now()`,
    sql`updated_by = tenantry_current_user()`,
  ];
  const result = await sql<Row>`
    update ${sql.table(codec.entity.table)} set ${sql.join(assignments)}
    where ${tenantScope(codec, tenantId, predicate)} and id = ${id}${version}
    returning *${scopeCheck(predicate)}`.execute(tx);
  return result.rows[0];
}

export async function softDeleteRow(tx: TenantTx, codec: RecordCodec, target: { tenantId: string; id: string; expectedVersion: number | undefined; predicate?: RowPredicate }): Promise<Row | undefined> {
  const { tenantId, id, expectedVersion, predicate = null } = target;
  const version = expectedVersion === undefined ? sql`` : sql` and version = ${expectedVersion}`;
  const result = await sql<Row>`
    update ${sql.table(codec.entity.table)}
    set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = tenantry_current_user()
    where ${tenantScope(codec, tenantId, predicate)} and id = ${id}${version}
    returning *`.execute(tx);
  return result.rows[0];
}

/** The live row, locked until the transaction ends: the "before" of a write that listeners see. */
export async function lockRow(tx: TenantTx, codec: RecordCodec, tenantId: string, id: string, predicate: RowPredicate = null): Promise<Row | undefined> {
  const result = await sql<Row>`select * from ${sql.table(codec.entity.table)} where ${tenantScope(codec, tenantId, predicate)} and id = ${id} for update`.execute(tx);
  return result.rows[0];
}

/** Live rows of the principal's scope after `afterId`, by id, as JSON (the first sync of an entity, paged). */
export async function scanRecordJson(tx: TenantTx, codec: RecordCodec, tenantId: string, page: { afterId: string | null; limit: number }, predicate: RowPredicate, json: RawBuilder<string>): Promise<SyncRecord[]> {
  const after = page.afterId === null ? sql`` : sql` and id > ${page.afterId}`;
  const result = await sql<SyncRecord>`
    select id, ${json} as json from ${sql.table(codec.entity.table)} where ${tenantScope(codec, tenantId, predicate)}${after}
    order by id limit ${page.limit}`.execute(tx);
  return result.rows;
}

/** Rows by id, deleted ones included, each with its version, whether it meets the predicate and its JSON. */
export async function recordJsonWithScope(
  tx: TenantTx,
  codec: RecordCodec,
  tenantId: string,
  ids: readonly string[],
  predicate: RowPredicate,
  json: RawBuilder<string>,
): Promise<(SyncRecord & { version: number; deleted: boolean; inScope: boolean })[]> {
  const inScope = predicate ? sql`(${predicate})` : sql`true`;
  const result = await sql<SyncRecord & { version: number; deleted: boolean; inScope: boolean }>`
    select id, version, deleted_at is not null as deleted, coalesce(${inScope}, false) as "inScope", ${json} as json from ${sql.table(codec.entity.table)}
    where tenant_id = ${tenantId} and id = any(${ids})`.execute(tx);
  return result.rows;
}

/**
 * Which entries met the predicate with their previous values (a JSON object of the columns the
 * predicate reads), by position in `entries`. The predicate names columns unqualified; inside the
 * subquery they resolve to the record rebuilt from those values, whose other columns are NULL.
 */
export async function previouslyInScope(tx: TenantTx, codec: RecordCodec, entries: readonly { previous: unknown }[], predicate: RowPredicate): Promise<Set<number>> {
  if (entries.length === 0 || !predicate) return new Set(predicate ? [] : entries.map((_, index) => index));
  const table = sql.table(codec.entity.table);
  const result = await sql<{ position: number }>`
    select (changed.__position - 1)::int as position from unnest(${entries.map((entry) => JSON.stringify(entry.previous))}::jsonb[]) with ordinality as changed(__previous, __position)
    where exists (select 1 from jsonb_populate_record(null::${table}, changed.__previous) as ${table} where ${predicate})`.execute(tx);
  return new Set(result.rows.map((row) => row.position));
}
