import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appModules } from '../../compose.ts';
import { kernelTestModule } from '../../../test/model/kernel-test.model.ts';
import { createRegistry, defineEntity, field, diffSnapshots, generateMigration, pendingModelChanges, snapshotOf } from './index.ts';

const base = defineEntity({ name: 'gadget', plural: 'gadgets', module: 'lab', fields: { code: field.text({ required: true, unique: true }) } });
const registryOf = (...entities: Parameters<typeof createRegistry>[0]) => createRegistry(entities);

describe('migration generator', () => {
  it('has no pending model changes for any module (every model change has its migration)', () => {
    const modules = [...appModules, kernelTestModule];
    const registry = createRegistry(modules.flatMap((module) => module.entities));
    for (const module of modules) {
      const diff = pendingModelChanges(registry, module.name, module.migrationsDir);
      expect({ module: module.name, statements: diff.statements, refused: diff.refused }).toEqual({ module: module.name, statements: [], refused: [] });
    }
  });

  it('creates a new table with RLS enabled, forced, one policy per command and DML grants only', () => {
    const diff = diffSnapshots({ tables: {} }, snapshotOf([base], registryOf(base)));
    const sql = diff.statements.join(';\n');
    expect(sql).toContain('CREATE TABLE gadgets');
    expect(sql).toContain('CONSTRAINT gadgets_pkey PRIMARY KEY (tenant_id, id)');
    expect(sql).toContain('ALTER TABLE gadgets ENABLE ROW LEVEL SECURITY');
    expect(sql).toContain('ALTER TABLE gadgets FORCE ROW LEVEL SECURITY');
    for (const command of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) expect(sql).toMatch(new RegExp(`CREATE POLICY gadgets_tenant_${command.toLowerCase()} ON gadgets FOR ${command}`));
    expect(sql).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON gadgets TO tenantry_app');
    expect(sql).toContain('CREATE UNIQUE INDEX gadgets_code_key ON gadgets (tenant_id, code) WHERE deleted_at IS NULL');
    expect(sql).not.toMatch(/TRUNCATE|OWNER TO tenantry_app/);
  });

  it('generates additive changes: a nullable column, an index, a relaxed NOT NULL', () => {
    const before = snapshotOf([base], registryOf(base));
    const next = defineEntity({ ...base, fields: { code: field.text({ required: false, unique: true }), note: field.text({ sortable: true }) } });
    const diff = diffSnapshots(before, snapshotOf([next], registryOf(next)));
    expect(diff.refused).toEqual([]);
    expect(diff.statements).toContain('ALTER TABLE gadgets ADD COLUMN note text');
    expect(diff.statements).toContain('ALTER TABLE gadgets ALTER COLUMN code DROP NOT NULL');
    expect(diff.statements).toContain('CREATE INDEX gadgets_note_sort_idx ON gadgets (tenant_id, note, id) WHERE deleted_at IS NULL');
  });

  it('gives a synced table its two statement triggers and drops both when it stops syncing', () => {
    const synced = defineEntity({ ...base, sync: { conflict: 'version' } });
    const created = diffSnapshots({ tables: {} }, snapshotOf([synced], registryOf(synced))).statements;
    expect(created).toContain('CREATE OR REPLACE TRIGGER gadgets_sync_inserts AFTER INSERT ON gadgets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_inserts()');
    expect(created).toContain('CREATE OR REPLACE TRIGGER gadgets_sync_updates AFTER UPDATE ON gadgets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_updates()');
    const stopped = diffSnapshots(snapshotOf([synced], registryOf(synced)), snapshotOf([base], registryOf(base))).statements;
    expect(stopped).toEqual(['DROP TRIGGER gadgets_sync_inserts ON gadgets', 'DROP TRIGGER gadgets_sync_updates ON gadgets']);
  });

  it('refuses destructive changes: dropped column, type change, new required column without default, dropped table', () => {
    const before = snapshotOf([base], registryOf(base));
    const next = defineEntity({ ...base, fields: { code: field.integer({ required: true }), size: field.integer({ required: true }) } });
    const diff = diffSnapshots(before, snapshotOf([next], registryOf(next)));
    expect(diff.refused.join('\n')).toMatch(/code: type changes from text to integer/);
    expect(diff.refused.join('\n')).toMatch(/size: a new required column needs a default/);
    const renamed = defineEntity({ ...base, fields: { reference: field.text({ required: true }) } });
    expect(diffSnapshots(before, snapshotOf([renamed], registryOf(renamed))).refused.join('\n')).toMatch(/gadgets.code: column removed or renamed/);
    expect(diffSnapshots(before, { tables: {} }).refused.join('\n')).toMatch(/table gadgets was removed/);
  });

  it('writes a reviewable SQL file and a snapshot, then reports no change on a second run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantry-gen-'));
    const registry = registryOf(base);
    const first = generateMigration({ registry, module: 'lab', dir, name: 'create gadgets', now: new Date('2026-01-02T03:04:05Z') });
    expect(first).toMatchObject({ status: 'written' });
    expect(readdirSync(dir).sort()).toEqual(['20260102T030405_lab_create_gadgets.sql', 'model.snapshot.json']);
    expect(readFileSync(join(dir, '20260102T030405_lab_create_gadgets.sql'), 'utf8')).toMatch(/^-- Generated by `tenantry db generate`/);
    expect(generateMigration({ registry, module: 'lab', dir, name: 'again' })).toEqual({ status: 'unchanged' });
  });
});
