/**
 * Rows whose source is unchanged (unchanged-source.ts): a re-run takes them from their
 * cross-reference entry instead of preparing them again, and prepares them again whenever the entry
 * cannot vouch for them (no raw hash, a new spec, another preparation).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import { defineEntity, field, type CustomField } from '../model/index.ts';
import type { MappingSpec } from './index.ts';
import { preparationFingerprint, preparationVersion, rawHashOf } from './unchanged-source.ts';

const spec: MappingSpec = {
  specVersion: 1,
  name: 'unchanged',
  entity: 'outlet',
  system: 'SAP-UNCHANGED',
  source: { format: 'csv', delimiter: ';', encoding: 'auto' },
  key: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
  fields: {
    code: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
    name: { from: 'NAME1' },
    channel: { constant: 'kiosk' },
    country: { from: 'LAND1', transforms: [{ op: 'upper' }] },
    phone: { from: 'TELF1' },
    active: { from: 'LOEVM', transforms: [{ op: 'codeList', list: 'sapBoolean' }, { op: 'not' }] },
  },
  normalize: { name: 'name', phone: { kind: 'phone', countryField: 'country' } },
  deletion: { field: 'LOEVM', equals: 'X' },
  missing: { action: 'deactivate' },
};

let t: TestPlatform;
let dir: string;
let fileCounter = 0;

const fileOf = (...lines: string[]) => {
  const path = join(dir, `unchanged-${++fileCounter}.csv`);
  writeFileSync(path, ['KUNNR;NAME1;LAND1;TELF1;LOEVM', ...lines].join('\r\n') + '\r\n');
  return path;
};
const lines = ['0001;Kiosk  Eins;de;030 1234567;', '0002;Kiosk Zwei;de;030 7654321;', '0003;Kiosk Drei;at;01 2345678;'];

async function tenantWithSpec(): Promise<TenantContext> {
  const context = { tenantId: (await t.createTenant()).id };
  await t.platform.ingest.saveSpec(context, spec.name, spec);
  return context;
}
const load = async (context: TenantContext, path: string, mode: 'full' | 'delta' = 'full') =>
  t.platform.ingest.executeRun(context, (await t.platform.ingest.createRun(context, { spec: spec.name, mode, file: { path, name: 'kna1.csv' } })).id);
const entries = async (context: TenantContext) =>
  (await withTenant(t.platform.database.db, context, (tx) => sql<{ source_key: string; content_hash: string; raw_hash: string | null; last_run_id: string }>`
    select source_key, content_hash, raw_hash, last_run_id from ingest_xref where system = ${spec.system} order by source_key`.execute(tx))).rows;
const setEntry = (context: TenantContext, key: string, set: { content_hash?: string; raw_hash?: null }) =>
  withTenant(t.platform.database.db, context, (tx) =>
    sql`update ingest_xref set ${sql.join(Object.entries(set).map(([column, value]) => sql`${sql.ref(column)} = ${value}`))} where system = ${spec.system} and source_key = ${key}`.execute(tx));

beforeAll(async () => {
  t = await startTestPlatform();
  dir = makeTempDir('ingest-unchanged-');
});
afterAll(() => t?.close());

describe('rows whose source is unchanged', () => {
  it('are taken from their entry on a re-run, not prepared again', async () => {
    const context = await tenantWithSpec();
    const path = fileOf(...lines);
    expect((await load(context, path)).counts).toMatchObject({ read: 3, created: 3 });
    const loaded = await entries(context);
    expect(loaded.every((entry) => entry.raw_hash !== null)).toBe(true);
    // An entry whose content hash no preparation gives: a row prepared again would not match it.
    await setEntry(context, '2', { content_hash: 'not-what-the-row-prepares-to' });
    expect((await load(context, path)).counts).toMatchObject({ read: 3, unchanged: 3, updated: 0 });
    expect((await entries(context)).find((entry) => entry.source_key === '2')!.content_hash).toBe('not-what-the-row-prepares-to');
    // Without its raw hash the entry vouches for nothing: the row is prepared, and the entry written again.
    await setEntry(context, '2', { raw_hash: null });
    expect((await load(context, path)).counts).toMatchObject({ read: 3, unchanged: 3, updated: 0 });
    expect(await entries(context)).toEqual(loaded.map((entry) => (entry.source_key === '2' ? { ...entry, last_run_id: expect.any(String) } : entry)));
  });

  it('are prepared when their entry has no raw hash (written before raw hashes), and the entry learns it without being written by the run', async () => {
    const context = await tenantWithSpec();
    const path = fileOf(...lines);
    await load(context, path);
    const loaded = await entries(context);
    await withTenant(t.platform.database.db, context, (tx) => sql`update ingest_xref set raw_hash = null`.execute(tx));
    expect((await load(context, path)).counts).toMatchObject({ read: 3, unchanged: 3 });
    expect(await entries(context)).toEqual(loaded);
  });

  it('are prepared again under a new version of the spec', async () => {
    const context = await tenantWithSpec();
    const path = fileOf(...lines);
    await load(context, path);
    await t.platform.ingest.saveSpec(context, spec.name, { ...spec, fields: { ...spec.fields, region: { constant: 'Nord' } } });
    expect((await load(context, path)).counts).toMatchObject({ read: 3, updated: 3, unchanged: 0 });
    const outlets = (await t.platform.records.list(context, t.platform.registry.find('outlet')!, { sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data;
    expect(outlets.map((outlet) => outlet.region)).toEqual(['Nord', 'Nord', 'Nord']);
  });

  it('are prepared again when the full load that left them out deactivated their record', async () => {
    const context = await tenantWithSpec();
    await load(context, fileOf(...lines));
    expect((await load(context, fileOf(lines[0]!, lines[1]!))).counts).toMatchObject({ unchanged: 2, deactivated: 1 });
    // The row comes back as it was: its record is active again.
    expect((await load(context, fileOf(...lines))).counts).toMatchObject({ unchanged: 2, updated: 1 });
    const outlets = (await t.platform.records.list(context, t.platform.registry.find('outlet')!, { sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data;
    expect(outlets.map((outlet) => [outlet.code, outlet.active])).toEqual([['1', true], ['2', true], ['3', true]]);
  });
});

describe('the preparation fingerprint', () => {
  const entity = defineEntity({ name: 'thing', plural: 'things', module: 'test', fields: { name: field.text({ maxLength: 10 }) } });
  const wider = defineEntity({ name: 'thing', plural: 'things', module: 'test', fields: { name: field.text({ maxLength: 20 }) } });
  const custom: CustomField = { entity: 'thing', key: 'tier', type: 'text', labels: { en: 'Tier' }, required: false, personalData: false, constraints: { maxLength: 3 } };

  it('changes with the spec, the entity schema, the custom fields and the preparation version; a row hashes by its values and their fields', () => {
    const base = preparationFingerprint(spec, entity.fields, []);
    expect(preparationFingerprint(structuredClone(spec), defineEntity({ name: 'thing', plural: 'things', module: 'test', fields: { name: field.text({ maxLength: 10 }) } }).fields, [])).toBe(base);
    const others = [
      preparationFingerprint({ ...spec, normalize: {} }, entity.fields, []),
      preparationFingerprint(spec, wider.fields, []),
      preparationFingerprint(spec, entity.fields, [custom]),
      preparationFingerprint(spec, entity.fields, [{ ...custom, constraints: { maxLength: 4 } }]),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
    expect(preparationVersion).toBeGreaterThan(0);
    expect(rawHashOf(base, { A: '1', B: '2' })).toBe(rawHashOf(base, { A: '1', B: '2' }));
    expect(new Set([rawHashOf(base, { A: '1', B: '2' }), rawHashOf(base, { A: '1', B: '3' }), rawHashOf(base, { A: '2', B: '1' }), rawHashOf(base, { B: '1', A: '2' }), rawHashOf(others[0]!, { A: '1', B: '2' })]).size).toBe(5);
  });
});
