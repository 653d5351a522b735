/**
 * Derives the physical table of an entity (the data conventions of DESIGN.md) as a plain plan, and
 * renders plans to SQL. The plan is what the migration generator snapshots and diffs.
 * Conventions: tenant_id leads the primary key, every unique key and every foreign key; row-level
 * security is enabled and forced with one policy per command; the runtime role gets DML only.
 */
import { createHash } from 'node:crypto';
import { conditionSystemFields } from './access-policy.ts';
import { fieldColumns, snakeCase, type EntityDef } from './entity.ts';
import type { ModelRegistry } from './registry.ts';

export const runtimeRole = 'tenantry_app';
/** SQL expression of the current tenant; NULL (so nothing matches) when no tenant is set. */
export const currentTenantSql = 'tenantry_current_tenant()';

export interface ColumnPlan {
  name: string;
  sqlType: string;
  notNull: boolean;
  default?: string;
}

export interface TablePlan {
  table: string;
  scope: 'tenant' | 'global';
  columns: ColumnPlan[];
  primaryKey: string[];
  checks: Record<string, string>;
  foreignKeys: Record<string, { columns: string[]; refTable: string; refColumns: string[] }>;
  indexes: Record<string, { columns: string[]; unique: boolean; where?: string }>;
  /**
   * Offline sync: a trigger writes a change row for every insert and update (kernel/sync), with the
   * old values of `capture` (the columns row conditions read), so a row that leaves a reader's scope
   * can be told apart from one that was never in it.
   */
  sync?: { capture: string[] };
}

export function planTable(entity: EntityDef, registry: ModelRegistry): TablePlan {
  const tenant = entity.scope === 'tenant';
  const lead = tenant ? ['tenant_id'] : [];
  const columns: ColumnPlan[] = [
    ...(tenant ? [{ name: 'tenant_id', sqlType: 'uuid', notNull: true }] : []),
    { name: 'id', sqlType: 'uuid', notNull: true },
    { name: 'version', sqlType: 'bigint', notNull: true, default: '1' },
    { name: 'created_at', sqlType: 'timestamptz', notNull: true, default: 'now()' },
    { name: 'updated_at', sqlType: 'timestamptz', notNull: true, default: 'now()' },
    { name: 'created_by', sqlType: 'uuid', notNull: false },
    { name: 'updated_by', sqlType: 'uuid', notNull: false },
    { name: 'deleted_at', sqlType: 'timestamptz', notNull: false },
    { name: 'ext', sqlType: 'jsonb', notNull: true, default: `'{}'::jsonb` },
  ];
  const checks: TablePlan['checks'] = {};
  const foreignKeys: TablePlan['foreignKeys'] = {};
  if (tenant) {
    foreignKeys[constraintName(entity.table, 'tenant_fk')] = { columns: ['tenant_id'], refTable: 'tenants', refColumns: ['id'] };
  }
  for (const [property, def] of Object.entries(entity.fields)) {
    const cols = fieldColumns(property, def);
    for (const col of cols) {
      const plan: ColumnPlan = { name: col.name, sqlType: col.sqlType, notNull: def.required === true };
      const fixedDefault = col.part === 'currency' && def.currency ? def.currency : def.default;
      if (fixedDefault !== undefined && col.part !== 'amount') plan.default = literal(fixedDefault);
      columns.push(plan);
    }
    const column = cols[0]!.name;
    const checkName = (what: string) => constraintName(entity.table, `${column}_${what}`);
    if (def.kind === 'enum') checks[checkName('check')] = `${column} IN (${def.values!.map(literal).join(', ')})`;
    if (def.kind === 'text' && def.maxLength !== undefined) checks[checkName('length')] = `char_length(${column}) <= ${def.maxLength}`;
    if (def.kind === 'integer') checks[checkName('range')] = `${column} BETWEEN ${def.minimum} AND ${def.maximum}`;
    if (def.kind === 'money') checks[constraintName(entity.table, `${snakeCase(property)}_currency_check`)] = `${cols[1]!.name} ~ '^[A-Z]{3}$'`;
    if (def.kind === 'reference') {
      const target = registry.get(def.entity!);
      const targetTenant = target.scope === 'tenant';
      foreignKeys[constraintName(entity.table, `${column}_fk`)] = {
        columns: targetTenant ? [...lead, column] : [column],
        refTable: target.table,
        refColumns: targetTenant ? ['tenant_id', 'id'] : ['id'],
      };
    }
  }
  const plan: TablePlan = { table: entity.table, scope: entity.scope, columns, primaryKey: [...lead, 'id'], checks, foreignKeys, indexes: planIndexes(entity) };
  if (entity.sync && tenant) plan.sync = { capture: syncCaptureColumns(entity) };
  return plan;
}

/** The indexes of an entity's table: one per reference, unique and sortable field, and those the entity declares. */
function planIndexes(entity: EntityDef): TablePlan['indexes'] {
  const lead = entity.scope === 'tenant' ? ['tenant_id'] : [];
  const live = 'deleted_at IS NULL';
  const indexes: TablePlan['indexes'] = {};
  for (const [property, def] of Object.entries(entity.fields)) {
    const cols = fieldColumns(property, def);
    const column = cols[0]!.name;
    if (def.kind === 'reference') indexes[constraintName(entity.table, `${column}_idx`)] = { columns: [...lead, column], unique: false };
    if (def.unique) indexes[constraintName(entity.table, `${column}_key`)] = { columns: [...lead, ...cols.map((c) => c.name)], unique: true, where: live };
    if (def.sortable && !def.unique) indexes[constraintName(entity.table, `${column}_sort_idx`)] = { columns: [...lead, column, 'id'], unique: false, where: live };
  }
  for (const index of entity.indexes) {
    const cols = index.fields.flatMap((key) => fieldColumns(key, entity.fields[key]!).map((c) => c.name));
    indexes[constraintName(entity.table, `${cols.join('_')}_${index.unique ? 'key' : 'idx'}`)] = {
      columns: [...lead, ...cols],
      unique: index.unique === true,
      ...(index.unique ? { where: live } : {}),
    };
  }
  return indexes;
}

/**
 * The fields of an entity that a lookup by value (`column = any($values)` within the tenant, as
 * ingestion's exact-key matching runs a chunk at a time) finds through an index: single-column fields
 * that lead an index after the tenant. A lookup by any other field scans the tenant's rows.
 */
export function lookupFields(entity: EntityDef): string[] {
  const lead = entity.scope === 'tenant' ? 1 : 0;
  const leading = new Set(Object.values(planIndexes(entity)).map((index) => index.columns[lead]));
  return Object.entries(entity.fields).flatMap(([property, def]) => {
    const cols = fieldColumns(property, def);
    return cols.length === 1 && leading.has(cols[0]!.name) ? [property] : [];
  });
}

/** The columns any declared row condition of the entity compares (sorted, deduplicated). */
export function syncCaptureColumns(entity: EntityDef): string[] {
  const columns = new Set<string>();
  for (const entry of Object.values(entity.access?.conditions ?? {})) {
    for (const condition of Array.isArray(entry) ? entry : [entry]) {
      const def = entity.fields[(condition as { field: string }).field];
      columns.add(def ? fieldColumns((condition as { field: string }).field, def)[0]!.name : (conditionSystemFields[(condition as { field: string }).field] ?? ''));
    }
  }
  columns.delete('');
  return [...columns].sort();
}

/** The names of a synced table's two change-capture triggers (inserts, updates). */
export function syncTriggerNames(table: string): [inserts: string, updates: string] {
  return [constraintName(table, 'sync_inserts'), constraintName(table, 'sync_updates')];
}

/**
 * The change-capture triggers of a synced table: once a statement, over its transition tables (the
 * functions are kernel/sync's; its migration 20261127T090000 says why not once a row). The update
 * trigger's arguments name the columns whose old values the log keeps.
 */
export function renderSyncTriggers(plan: TablePlan): string[] {
  const args = (plan.sync?.capture ?? []).map((column) => `'${column}'`).join(', ');
  const [inserts, updates] = syncTriggerNames(plan.table);
  return [
    `CREATE OR REPLACE TRIGGER ${inserts} AFTER INSERT ON ${plan.table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_inserts()`,
    `CREATE OR REPLACE TRIGGER ${updates} AFTER UPDATE ON ${plan.table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_updates(${args})`,
  ];
}

/** Statements that create the table with its keys, indexes, RLS policies and grants. */
export function renderCreateTable(plan: TablePlan): string[] {
  const lines = plan.columns.map(renderColumn);
  lines.push(`CONSTRAINT ${constraintName(plan.table, 'pkey')} PRIMARY KEY (${plan.primaryKey.join(', ')})`);
  for (const [name, expression] of Object.entries(plan.checks)) lines.push(`CONSTRAINT ${name} CHECK (${expression})`);
  const statements = [`CREATE TABLE ${plan.table} (\n  ${lines.join(',\n  ')}\n)`];
  for (const name of Object.keys(plan.foreignKeys)) statements.push(renderForeignKey(plan, name));
  for (const name of Object.keys(plan.indexes)) statements.push(renderIndex(plan, name));
  statements.push(...renderSecurity(plan));
  if (plan.sync) statements.push(...renderSyncTriggers(plan));
  return statements;
}

export function renderColumn(column: ColumnPlan): string {
  return `${column.name} ${column.sqlType}${column.notNull ? ' NOT NULL' : ''}${column.default === undefined ? '' : ` DEFAULT ${column.default}`}`;
}

export function renderForeignKey(plan: TablePlan, name: string): string {
  const fk = plan.foreignKeys[name]!;
  return `ALTER TABLE ${plan.table} ADD CONSTRAINT ${name} FOREIGN KEY (${fk.columns.join(', ')}) REFERENCES ${fk.refTable} (${fk.refColumns.join(', ')})`;
}

export function renderIndex(plan: TablePlan, name: string): string {
  const index = plan.indexes[name]!;
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${plan.table} (${index.columns.join(', ')})${index.where ? ` WHERE ${index.where}` : ''}`;
}

export function renderSecurity(plan: TablePlan): string[] {
  if (plan.scope === 'global') return [`GRANT SELECT ON ${plan.table} TO ${runtimeRole}`];
  const t = plan.table;
  const match = `tenant_id = ${currentTenantSql}`;
  return [
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY ${constraintName(t, 'tenant_select')} ON ${t} FOR SELECT USING (${match})`,
    `CREATE POLICY ${constraintName(t, 'tenant_insert')} ON ${t} FOR INSERT WITH CHECK (${match})`,
    `CREATE POLICY ${constraintName(t, 'tenant_update')} ON ${t} FOR UPDATE USING (${match}) WITH CHECK (${match})`,
    `CREATE POLICY ${constraintName(t, 'tenant_delete')} ON ${t} FOR DELETE USING (${match})`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${runtimeRole}`,
  ];
}

/** PostgreSQL identifiers stop at 63 bytes; longer names keep a hash so they stay unique. */
export function constraintName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
}

function literal(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return `'${JSON.stringify(value).replaceAll("'", "''")}'::jsonb`;
}
