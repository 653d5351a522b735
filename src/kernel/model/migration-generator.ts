/**
 * The migration generator: compares the model with the snapshot written by the last generated
 * migration of a module and writes the SQL that brings the database along. Additive changes (new
 * tables, new nullable or defaulted columns, new indexes, checks and keys, relaxed NOT NULL) are
 * generated; destructive or ambiguous ones (drops, renames, type changes, a new required column
 * without default) are refused with the reason, to be written by hand.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityDef } from './entity.ts';
import type { ModelRegistry } from './registry.ts';
import { planTable, renderColumn, renderCreateTable, renderForeignKey, renderIndex, renderSyncTriggers, syncTriggerNames, type TablePlan } from './table-plan.ts';

export interface ModelSnapshot {
  tables: Record<string, TablePlan>;
}

export interface MigrationDiff {
  statements: string[];
  refused: string[];
  snapshot: ModelSnapshot;
}

export function snapshotOf(entities: readonly EntityDef[], registry: ModelRegistry): ModelSnapshot {
  return { tables: Object.fromEntries(entities.map((entity) => [entity.table, planTable(entity, registry)])) };
}

export function diffSnapshots(previous: ModelSnapshot, next: ModelSnapshot): MigrationDiff {
  const statements: string[] = [];
  const refused: string[] = [];
  for (const table of Object.keys(previous.tables)) {
    if (!next.tables[table]) refused.push(`table ${table} was removed from the model (drop it in a hand-written migration)`);
  }
  for (const [table, plan] of Object.entries(next.tables)) {
    const before = previous.tables[table];
    if (!before) {
      statements.push(...renderCreateTable(plan));
      continue;
    }
    if (before.scope !== plan.scope) refused.push(`${table}: scope changed from ${before.scope} to ${plan.scope}`);
    const oldColumns = new Map(before.columns.map((column) => [column.name, column]));
    const newColumns = new Map(plan.columns.map((column) => [column.name, column]));
    for (const name of oldColumns.keys()) if (!newColumns.has(name)) refused.push(`${table}.${name}: column removed or renamed`);
    for (const column of plan.columns) {
      const old = oldColumns.get(column.name);
      if (!old) {
        if (column.notNull && column.default === undefined) refused.push(`${table}.${column.name}: a new required column needs a default or a hand-written backfill`);
        else statements.push(`ALTER TABLE ${table} ADD COLUMN ${renderColumn(column)}`);
        continue;
      }
      if (old.sqlType !== column.sqlType) refused.push(`${table}.${column.name}: type changes from ${old.sqlType} to ${column.sqlType}`);
      if (old.notNull && !column.notNull) statements.push(`ALTER TABLE ${table} ALTER COLUMN ${column.name} DROP NOT NULL`);
      if (!old.notNull && column.notNull) refused.push(`${table}.${column.name}: becomes required (existing NULLs need a hand-written backfill)`);
      if (old.default !== column.default) {
        statements.push(column.default === undefined
          ? `ALTER TABLE ${table} ALTER COLUMN ${column.name} DROP DEFAULT`
          : `ALTER TABLE ${table} ALTER COLUMN ${column.name} SET DEFAULT ${column.default}`);
      }
    }
    for (const [name, expression] of Object.entries(plan.checks)) {
      const old = before.checks[name];
      if (old === expression) continue;
      if (old !== undefined) statements.push(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
      statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${expression})`);
    }
    for (const name of Object.keys(before.checks)) if (!(name in plan.checks)) statements.push(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
    for (const name of Object.keys(plan.foreignKeys)) if (!before.foreignKeys[name]) statements.push(renderForeignKey(plan, name));
    for (const name of Object.keys(before.foreignKeys)) if (!plan.foreignKeys[name]) statements.push(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
    for (const [name, index] of Object.entries(plan.indexes)) {
      const old = before.indexes[name];
      if (old && JSON.stringify(old) === JSON.stringify(index)) continue;
      if (old) statements.push(`DROP INDEX ${name}`);
      statements.push(renderIndex(plan, name));
    }
    for (const name of Object.keys(before.indexes)) if (!plan.indexes[name]) statements.push(`DROP INDEX ${name}`);
    if (JSON.stringify(before.sync) !== JSON.stringify(plan.sync)) {
      statements.push(...(plan.sync ? renderSyncTriggers(plan) : syncTriggerNames(table).map((name) => `DROP TRIGGER ${name} ON ${table}`)));
    }
  }
  return { statements, refused, snapshot: next };
}

export interface GenerateOptions {
  registry: ModelRegistry;
  module: string;
  /** The module's migrations folder; holds model.snapshot.json. */
  dir: string;
  /** Short snake_case description for the file name. */
  name: string;
  now?: Date;
}

export type GenerateResult = { status: 'unchanged' } | { status: 'written'; file: string; statements: number } | { status: 'refused'; reasons: string[] };

export function readSnapshot(dir: string): ModelSnapshot {
  const file = join(dir, 'model.snapshot.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ModelSnapshot) : { tables: {} };
}

/** The pending diff of one module, without writing anything. */
export function pendingModelChanges(registry: ModelRegistry, module: string, dir: string): MigrationDiff {
  const entities = registry.inDependencyOrder().filter((entity) => entity.module === module);
  return diffSnapshots(readSnapshot(dir), snapshotOf(entities, registry));
}

export function generateMigration(options: GenerateOptions): GenerateResult {
  const diff = pendingModelChanges(options.registry, options.module, options.dir);
  if (diff.refused.length > 0) return { status: 'refused', reasons: diff.refused };
  if (diff.statements.length === 0) return { status: 'unchanged' };
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const slug = `${options.module}_${options.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const file = join(options.dir, `${stamp}_${slug}.sql`);
  const header = `-- Generated by \`tenantry db generate\` from the ${options.module} model. Review before committing.\n`;
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(file, `${header}\n${diff.statements.map((statement) => `${statement};`).join('\n\n')}\n`);
  writeFileSync(join(options.dir, 'model.snapshot.json'), `${JSON.stringify(diff.snapshot, null, 2)}\n`);
  return { status: 'written', file, statements: diff.statements.length };
}
