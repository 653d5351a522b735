/** The whole pipeline on the real database: SAP-style CSV of outlets through a spec, re-runs, edits, resumption. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import type { ApiRecord } from '../records/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import type { IngestRun, MappingSpec } from './index.ts';

const spec: MappingSpec = {
  specVersion: 1,
  name: 'sap-kna1',
  entity: 'outlet',
  system: 'SAP-TEST',
  source: { format: 'csv', delimiter: ';', encoding: 'auto' },
  key: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
  fields: {
    code: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
    name: { from: ['NAME1', 'NAME2'], transforms: [{ op: 'join', separator: ' ' }] },
    channel: { from: 'KTOKD', transforms: [{ op: 'lookup', table: { Z001: 'supermarket', Z003: 'kiosk' }, otherwise: 'reject' }] },
    street: { from: 'STRAS' },
    postalCode: { from: 'PSTLZ' },
    city: { from: 'ORT01', transforms: [{ op: 'title' }] },
    country: { from: 'LAND1', transforms: [{ op: 'upper' }] },
    phone: { from: 'TELF1' },
    email: { from: 'SMTP_ADDR' },
    taxId: { from: 'STCEG' },
    creditLimit: { from: 'KLIMK', transforms: [{ op: 'money', decimalSeparator: ',', thousandsSeparator: '.', currency: 'EUR' }] },
    active: { from: 'LOEVM', transforms: [{ op: 'codeList', list: 'sapBoolean' }, { op: 'not' }] },
  },
  normalize: { name: 'name', street: 'address', email: 'email', phone: { kind: 'phone', countryField: 'country' }, taxId: { kind: 'taxId', countryField: 'country' } },
  deletion: { field: 'LOEVM', equals: 'X' },
  matching: { exact: ['taxId'] },
  sourceOwned: ['code', 'name', 'channel', 'street', 'postalCode', 'city', 'country', 'taxId', 'creditLimit', 'active', 'phone', 'email'],
  missing: { action: 'deactivate' },
};

const header = 'KUNNR;NAME1;NAME2;KTOKD;STRAS;PSTLZ;ORT01;LAND1;TELF1;SMTP_ADDR;STCEG;LOEVM;KLIMK';
const rows = {
  mueller: '0000100001;Müller  Markt;GmbH;Z001;Hauptstr.12;70173;STUTTGART;de;0711 / 123 45-67;Info@Mueller-Markt.DE;DE 136 695 976;;1.234,50',
  kiosk: '0000100002;Kiosk am Eck;;Z003;Bahnhofstr. 5;10115;berlin;DE;030 1234567;;;;',
  badChannel: '0000100003;Unknown Channel;;Z999;Weg 1;10115;Berlin;DE;;;;;',
  badPhone: '0000100004;Bad Phone;;Z001;Weg 2;10115;Berlin;DE;12;;;;',
  deletedNew: '0000100005;Never Loaded;;Z001;Weg 3;10115;Berlin;DE;;;;X;',
};

let t: TestPlatform;
let tenant: Tenant;
let other: Tenant;
let dir: string;
let context: TenantContext;
let fileCounter = 0;

const file = (...lines: string[]) => {
  const path = join(dir, `file-${++fileCounter}.csv`);
  writeFileSync(path, [header, ...lines].join('\r\n') + '\r\n');
  return path;
};
const load = async (path: string, mode: 'full' | 'delta' = 'delta', as: TenantContext = context): Promise<IngestRun> => {
  const run = await t.platform.ingest.createRun(as, { spec: 'sap-kna1', mode, file: { path, name: 'kna1.csv' } });
  return t.platform.ingest.executeRun(as, run.id);
};
/** The lineage of the tenant's outlet writes, oldest first: what each audit event's details say (kernel/ingest/lineage.ts). */
const lineage = async (): Promise<{ recordId: string; action: string; ingest: Record<string, unknown> }[]> =>
  (await withTenant(t.platform.database.db, context, (tx) => sql<{ record_id: string; action: string; ingest: Record<string, unknown> }>`
    select record_id, action, details->'ingest' as ingest from audit_entries where entity = 'outlet' and details->'ingest' is not null order by seq`.execute(tx))).rows.map((row) => ({ recordId: row.record_id, action: row.action, ingest: row.ingest }));
const outlets = async (as: TenantContext = context): Promise<ApiRecord[]> => (await t.platform.records.list(as, t.platform.registry.find('outlet')!, { limit: '200' }, { defaultLimit: 50, maxLimit: 200 })).data;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant();
  other = await t.createTenant();
  context = { tenantId: tenant.id };
  dir = makeTempDir('ingest-');
  expect((await t.platform.ingest.saveSpec(context, 'sap-kna1', spec)).created).toBe(true);
  expect((await t.platform.ingest.saveSpec({ tenantId: other.id }, 'sap-kna1', spec)).created).toBe(true);
});
afterAll(() => t?.close());

describe('ingestion runs', () => {
  it('maps, normalizes and loads good rows, and rejects bad ones with row, key, field and reason', async () => {
    const run = await load(file(rows.mueller, rows.kiosk, rows.badChannel, rows.badPhone, rows.deletedNew, rows.mueller));
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 6, created: 2, rejected: 3, duplicates: 1, skipped: 1 });
    const byCode = Object.fromEntries((await outlets()).map((outlet) => [outlet.code, outlet]));
    expect(byCode['100001']).toMatchObject({ name: 'Müller Markt GmbH', channel: 'supermarket', street: 'Hauptstr. 12', city: 'Stuttgart', country: 'DE', phone: '+497111234567', email: 'info@mueller-markt.de', taxId: 'DE136695976', creditLimit: { amount: 123450, currency: 'EUR' }, active: true });
    expect(byCode['100002']).toMatchObject({ name: 'Kiosk am Eck', channel: 'kiosk', phone: '+49301234567', email: null });
    const rejects = await t.platform.ingest.listRejects(context, run.id);
    expect(rejects.map((reject) => [reject.rowNumber, reject.sourceKey, reject.code])).toEqual([
      [3, '100003', expect.stringMatching(/^ingest\./)],
      [4, '100004', 'ingest.invalid_phone'],
      [6, '100001', 'ingest.duplicate_key'],
    ]);
    expect(rejects[0]).toMatchObject({ field: 'channel', value: 'Z999' });
    expect(rejects[0]!.sourceRow).toMatchObject({ KUNNR: '0000100003', NAME1: 'Unknown Channel' });
    // Every write went through records: audited and in the sync change log.
    const audited = await withTenant(t.platform.database.db, context, (tx) => sql<{ count: string }>`select count(*) from audit_entries where entity = 'outlet'`.execute(tx));
    expect(Number(audited.rows[0]!.count)).toBe(2);
    const changes = await withTenant(t.platform.database.db, context, (tx) => sql<{ count: string }>`select count(*) from sync_changes where entity_table = ${t.platform.registry.find('outlet')!.table}`.execute(tx));
    expect(Number(changes.rows[0]!.count)).toBe(2);
    // Each write's audit event says where it came from: run, system, source key, row.
    expect(await lineage()).toEqual([
      { recordId: byCode['100001']!.id, action: 'create', ingest: { operation: 'create', row: 1, run: run.id, sourceKey: '100001', system: 'SAP-TEST' } },
      { recordId: byCode['100002']!.id, action: 'create', ingest: { operation: 'create', row: 2, run: run.id, sourceKey: '100002', system: 'SAP-TEST' } },
    ]);
    // The cross-reference keeps what the source set of each record (what the next load compares with), and only that.
    const xref = await withTenant(t.platform.database.db, context, (tx) => sql<{ source_key: string; source_values: Record<string, unknown> }>`select source_key, source_values from ingest_xref order by source_key`.execute(tx));
    const owned = (record: ApiRecord) => Object.fromEntries(spec.sourceOwned!.map((field) => [field, record[field]]));
    expect(xref.rows).toEqual([
      { source_key: '100001', source_values: owned(byCode['100001']!) },
      { source_key: '100002', source_values: owned(byCode['100002']!) },
    ]);
  });

  it('changes nothing when the same file runs again', async () => {
    const before = await outlets();
    const run = await load(file(rows.mueller, rows.kiosk));
    expect(run.counts).toMatchObject({ read: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect(await outlets()).toEqual(before);
  });

  it('updates what the source changed, keeps what a user edited, and opens a conflict when both changed', async () => {
    const outlet = (await outlets()).find((record) => record.code === '100002')!;
    await t.platform.records.update(context, t.platform.registry.find('outlet')!, outlet.id, undefined, { street: 'Local Street 9' });
    const moved = rows.kiosk.replace('berlin', 'potsdam').replace('Bahnhofstr. 5', 'Bahnhofstr. 7');
    const run = await load(file(moved));
    expect(run.counts).toMatchObject({ updated: 1, conflicts: 1 });
    const after = (await outlets()).find((record) => record.code === '100002')!;
    expect(after).toMatchObject({ city: 'Potsdam', street: 'Local Street 9' });
    const cases = await t.platform.ingest.listCases(context);
    expect(cases).toEqual([expect.objectContaining({ kind: 'conflict', field: 'street', recordId: outlet.id, sourceValue: 'Bahnhofstr. 7', localValue: 'Local Street 9' })]);
    expect((await lineage()).at(-1)).toEqual({ recordId: outlet.id, action: 'update', ingest: { operation: 'update', row: 1, run: run.id, sourceKey: '100002', system: 'SAP-TEST' } });
  });

  it('does not take a rejected row of a full load for a missing record', async () => {
    const kioskWithBadPhone = rows.kiosk.replace('030 1234567', '12');
    await load(file(rows.mueller, rows.kiosk.replace('030 1234567', '030 7654321')), 'full');
    expect((await outlets()).find((outlet) => outlet.code === '100002')).toMatchObject({ active: true });
    const run = await load(file(rows.mueller, kioskWithBadPhone), 'full');
    expect(run.counts).toMatchObject({ rejected: 1, deactivated: 0 });
    expect((await outlets()).find((outlet) => outlet.code === '100002')).toMatchObject({ active: true });
  });

  it('deactivates records a full load no longer has, and records flagged deleted', async () => {
    const run = await load(file(rows.mueller.replace(/;;1\.234,50$/, ';X;1.234,50')), 'full');
    expect(run.counts).toMatchObject({ deactivated: 2 });
    const all = await outlets();
    const byCode = Object.fromEntries(all.map((outlet) => [outlet.code, outlet]));
    expect(all.map((outlet) => [outlet.code, outlet.active]).sort()).toEqual([
      ['100001', false],
      ['100002', false],
    ]);
    // The flagged row names its row; the record the file left out has none.
    expect((await lineage()).slice(-2)).toEqual([
      { recordId: byCode['100001']!.id, action: 'update', ingest: { operation: 'deactivate', row: 1, run: run.id, sourceKey: '100001', system: 'SAP-TEST' } },
      { recordId: byCode['100002']!.id, action: 'update', ingest: { operation: 'deactivate', run: run.id, sourceKey: '100002', system: 'SAP-TEST' } },
    ]);
  });

  it('reactivates a record whose row comes back: its deletion flag cleared, or in the file again', async () => {
    // Deactivated for the source (above), not by a user: the row's `active` is a source change, not a local edit to keep.
    const run = await load(file(rows.mueller, rows.kiosk), 'full');
    expect(run.counts).toMatchObject({ updated: 2, conflicts: 0, deactivated: 0 });
    expect((await outlets()).map((outlet) => [outlet.code, outlet.active]).sort()).toEqual([
      ['100001', true],
      ['100002', true],
    ]);
    // A user's deactivation stays: the source did not change `active`.
    const kiosk = (await outlets()).find((outlet) => outlet.code === '100002')!;
    await t.platform.records.update(context, t.platform.registry.find('outlet')!, kiosk.id, undefined, { active: false });
    expect((await load(file(rows.mueller, rows.kiosk.replace('030 1234567', '030 1234568')), 'full')).counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await outlets()).find((outlet) => outlet.code === '100002')).toMatchObject({ active: false, phone: '+49301234568' });
  });

  it('links a new source key to the existing record with the same tax id instead of duplicating it', async () => {
    const again = rows.mueller.replace('0000100001', '0000900001').replace('Müller  Markt', 'Mueller Markt');
    const run = await load(file(again));
    expect(run.counts).toMatchObject({ merged: 1, created: 0 });
    const same = (await outlets()).filter((outlet) => outlet.taxId === 'DE136695976');
    expect(same).toHaveLength(1);
    expect((await lineage()).at(-1)).toEqual({ recordId: same[0]!.id, action: 'update', ingest: { operation: 'link', row: 1, run: run.id, sourceKey: '900001', system: 'SAP-TEST' } });
  });

  it('writes two rows of one chunk that link to the same record one after the other, each with its lineage', async () => {
    const second = rows.mueller.replace('0000100001', '0000900002').replace('Müller  Markt', 'Mueller Second');
    const third = rows.mueller.replace('0000100001', '0000900003').replace('Müller  Markt', 'Mueller Third');
    const run = await load(file(second, third));
    expect(run.counts).toMatchObject({ merged: 2, created: 0 });
    const same = (await outlets()).filter((outlet) => outlet.taxId === 'DE136695976');
    expect(same).toEqual([expect.objectContaining({ name: 'Mueller Third GmbH' })]);
    expect((await lineage()).slice(-2)).toEqual([
      { recordId: same[0]!.id, action: 'update', ingest: { operation: 'link', row: 1, run: run.id, sourceKey: '900002', system: 'SAP-TEST' } },
      { recordId: same[0]!.id, action: 'update', ingest: { operation: 'link', row: 2, run: run.id, sourceKey: '900003', system: 'SAP-TEST' } },
    ]);
  });

  it('fails a file for another entity or delimiter clearly, writing nothing', async () => {
    const path = join(dir, 'wrong.csv');
    writeFileSync(path, 'MATNR,MAKTX\n000000000000012345,Cola 0.5l\n');
    const run = await t.platform.ingest.createRun(context, { spec: 'sap-kna1', mode: 'delta', file: { path, name: 'mara.csv' } });
    await expect(t.platform.ingest.executeRun(context, run.id)).rejects.toMatchObject({ code: 'ingest.source_mismatch' });
    expect(await t.platform.ingest.getRun(context, run.id)).toMatchObject({ status: 'failed', error: { code: 'ingest.source_mismatch' }, counts: { created: 0 } });
  });

  it('resumes an interrupted run from its checkpoint: nothing lost, nothing twice', async () => {
    const lines = Array.from({ length: 25 }, (_, index) => `00002${String(index).padStart(5, '0')};Store ${index};;Z003;Weg ${index};10115;Berlin;DE;;;;;`);
    const path = file(...lines);
    const small = { tenantId: other.id };
    const run = await t.platform.ingest.createRun(small, { spec: 'sap-kna1', mode: 'delta', file: { path, name: 'big.csv' } });
    // A crash after the first committed chunk: progress is reported after each commit.
    const ingestWithSmallChunks = (await import('./ingest.service.ts')).createIngestService({ db: t.platform.database.db, registry: t.platform.registry, records: t.platform.records, customFields: { allFieldsOf: async () => [] }, chunkSize: 10 });
    await expect(ingestWithSmallChunks.executeRun(small, run.id, { onProgress: () => { throw new Error('killed'); } })).rejects.toThrow('killed');
    const interrupted = await t.platform.ingest.getRun(small, run.id);
    expect(interrupted).toMatchObject({ status: 'failed', checkpointRow: 10, counts: { created: 10 } });
    const resumed = await ingestWithSmallChunks.executeRun(small, run.id);
    expect(resumed).toMatchObject({ status: 'succeeded', checkpointRow: 25, counts: { read: 25, created: 25, duplicates: 0 } });
    const stored = await outlets(small);
    expect(stored).toHaveLength(25);
    expect(new Set(stored.map((outlet) => outlet.code)).size).toBe(25);
  });

  it('writes each row once when one run is executed twice at once (a job retried while its first attempt still runs)', async () => {
    const own = { tenantId: (await t.createTenant()).id };
    await t.platform.ingest.saveSpec(own, 'sap-kna1', spec);
    const lines = Array.from({ length: 60 }, (_, index) => `00004${String(index).padStart(5, '0')};Store ${index};;Z003;Weg ${index};10115;Berlin;DE;;;;;`);
    const path = file(...lines);
    const inChunks = (await import('./ingest.service.ts')).createIngestService({ db: t.platform.database.db, registry: t.platform.registry, records: t.platform.records, customFields: { allFieldsOf: async () => [] }, chunkSize: 10 });
    const run = await inChunks.createRun(own, { spec: 'sap-kna1', mode: 'full', file: { path, name: 'twice.csv' } });
    const attempts = await Promise.allSettled([inChunks.executeRun(own, run.id), inChunks.executeRun(own, run.id)]);
    // One attempt carries the run to its end; the other steps aside without failing it.
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(2);
    expect(await inChunks.getRun(own, run.id)).toMatchObject({ status: 'succeeded', checkpointRow: 60, counts: { read: 60, created: 60, duplicates: 0, deactivated: 0 } });
    const stored = await outlets(own);
    expect(stored).toHaveLength(60);
    expect(new Set(stored.map((outlet) => outlet.code)).size).toBe(60);
  });

  it('takes a key an earlier chunk had as a duplicate whatever that row became, and a full load deactivates only what the file left out', async () => {
    const own = { tenantId: (await t.createTenant()).id };
    await t.platform.ingest.saveSpec(own, 'sap-kna1', spec);
    // One row per chunk: every duplicate below is found across chunks, through what the run wrote.
    const oneByOne = (await import('./ingest.service.ts')).createIngestService({ db: t.platform.database.db, registry: t.platform.registry, records: t.platform.records, customFields: { allFieldsOf: async () => [] }, chunkSize: 1 });
    const line = (key: string, name: string, channel = 'Z003', deletion = '') => `${key};${name};;${channel};Weg 1;10115;Berlin;DE;;;;${deletion};`;
    const fullLoad = async (path: string) => {
      const run = await oneByOne.createRun(own, { spec: 'sap-kna1', mode: 'full', file: { path, name: 'kna1.csv' } });
      return oneByOne.executeRun(own, run.id);
    };
    expect((await fullLoad(file(line('0000300001', 'Kiosk A'), line('0000300002', 'Kiosk B')))).counts).toMatchObject({ created: 2 });
    const second = await fullLoad(
      file(
        line('0000300001', 'Kiosk A'), // unchanged: claims its key
        line('0000300001', 'Kiosk A renamed'), // duplicate of an unchanged row
        line('0000300003', 'Kiosk C'), // created: its cross-reference entry marks it
        line('0000300003', 'Kiosk C renamed'), // duplicate of a created row
        line('0000300004', 'Kiosk D', 'Z999'), // rejected
        line('0000300004', 'Kiosk D'), // duplicate of a rejected row
        line('0000300005', 'Kiosk E', 'Z003', 'X'), // deleted in the source, never loaded: skipped
        line('0000300005', 'Kiosk E'), // duplicate of a skipped row
      ),
    );
    expect(second.counts).toMatchObject({ read: 8, unchanged: 1, created: 1, updated: 0, duplicates: 4, rejected: 5, skipped: 1, deactivated: 1 });
    const rejects = await oneByOne.listRejects(own, second.id);
    expect(rejects.filter((reject) => reject.code === 'ingest.duplicate_key').map((reject) => reject.rowNumber)).toEqual([2, 4, 6, 8]);
    const byCode = Object.fromEntries((await outlets(own)).map((outlet) => [outlet.code, outlet]));
    expect(byCode).toMatchObject({ '300001': { name: 'Kiosk A', active: true }, '300002': { name: 'Kiosk B', active: false }, '300003': { name: 'Kiosk C', active: true } });
    expect(Object.keys(byCode).sort()).toEqual(['300001', '300002', '300003']);
  });

  it('writes a refused batch again row by row: the refused row gets neither record nor cross-reference, so a fixed file loads it', async () => {
    const own = { tenantId: other.id };
    const withTerritory: MappingSpec = { ...spec, name: 'kna1-territory', fields: { ...spec.fields, territory: { from: 'TERR' } }, sourceOwned: undefined };
    await t.platform.ingest.saveSpec(own, withTerritory.name, withTerritory);
    const csv = (territory: string) => {
      const path = join(dir, `territory-${++fileCounter}.csv`);
      const line = (key: string, name: string, terr: string) => `${key};${name};;Z003;Weg 1;10115;Berlin;DE;;;;;;${terr}`;
      writeFileSync(path, [`${header};TERR`, line('0000500001', 'First', ''), line('0000500002', 'Second', territory), line('0000500003', 'Third', '')].join('\n') + '\n');
      return path;
    };
    const run = async (path: string) => t.platform.ingest.executeRun(own, (await t.platform.ingest.createRun(own, { spec: withTerritory.name, mode: 'delta', file: { path, name: 't.csv' } })).id);
    // A territory id no record has: the batch insert fails on the foreign key, then only that row is refused.
    const bad = csv('0193d1f0-0000-7000-8000-000000000000');
    const first = await run(bad);
    expect(first.counts).toMatchObject({ created: 2, rejected: 1 });
    expect((await t.platform.ingest.listRejects(own, first.id)).map((reject) => [reject.rowNumber, reject.sourceKey, reject.code])).toEqual([[2, '500002', 'records.reference_not_found']]);
    // Not taken for unchanged the next time: tried (and refused) again.
    expect((await run(bad)).counts).toMatchObject({ created: 0, unchanged: 2, rejected: 1 });
    const second = await run(csv(''));
    expect(second.counts).toMatchObject({ created: 1, unchanged: 2, rejected: 0 });
    expect((await outlets(own)).filter((outlet) => String(outlet.code).startsWith('50000')).map((outlet) => outlet.code).sort()).toEqual(['500001', '500002', '500003']);
  });

  it('plans a chunk again without the row PostgreSQL refused: a later row that would have linked to its record creates its own', async () => {
    const own = { tenantId: other.id };
    const withTerritory: MappingSpec = { ...spec, name: 'kna1-territory', fields: { ...spec.fields, territory: { from: 'TERR' } }, sourceOwned: undefined };
    await t.platform.ingest.saveSpec(own, withTerritory.name, withTerritory);
    const path = join(dir, `refused-${++fileCounter}.csv`);
    const line = (key: string, name: string, terr: string) => `${key};${name};;Z003;Weg 1;10115;Berlin;DE;;;DE 246 810 128;;;${terr}`;
    // The same tax id (an exact key): the second row links to the record the first one creates, unless the first is refused.
    writeFileSync(path, [`${header};TERR`, line('0000510001', 'Refused', '0193d1f0-0000-7000-8000-000000000000'), line('0000510002', 'Same Tax', '')].join('\n') + '\n');
    const run = async () => t.platform.ingest.executeRun(own, (await t.platform.ingest.createRun(own, { spec: withTerritory.name, mode: 'delta', file: { path, name: 'refused.csv' } })).id);
    const first = await run();
    expect(first.counts).toMatchObject({ created: 1, merged: 0, rejected: 1 });
    expect((await t.platform.ingest.listRejects(own, first.id)).map((reject) => [reject.rowNumber, reject.sourceKey, reject.code])).toEqual([[1, '510001', 'records.reference_not_found']]);
    const created = (await outlets(own)).filter((outlet) => String(outlet.code).startsWith('51000'));
    expect(created.map((outlet) => [outlet.code, outlet.name, outlet.taxId])).toEqual([['510002', 'Same Tax', 'DE246810128']]);
    const xref = await withTenant(t.platform.database.db, own, async (tx) => (await sql<{ source_key: string; record_id: string }>`select source_key, record_id from ingest_xref where system = 'SAP-TEST' and source_key like '51000%' order by source_key`.execute(tx)).rows);
    expect(xref).toEqual([{ source_key: '510002', record_id: created[0]!.id }]);
    expect((await t.platform.ingest.listChanges(own, first.id)).map((change) => [change.operation, change.sourceKey, change.recordId])).toEqual([['create', '510002', created[0]!.id]]);
    expect((await run()).counts).toMatchObject({ created: 0, merged: 0, unchanged: 1, rejected: 1 });
  });

  it('cuts a chunk at INGEST_CHUNK_BYTES of source whatever its rows, so wide rows stay within memory', async () => {
    const lines = Array.from({ length: 25 }, (_, index) => `00007${String(index).padStart(5, '0')};Wide store ${index};;Z003;Weg ${index};10115;Berlin;DE;;;;;`);
    const path = file(...lines);
    const small = { tenantId: other.id };
    const run = await t.platform.ingest.createRun(small, { spec: 'sap-kna1', mode: 'delta', file: { path, name: 'wide.csv' } });
    const byBytes = (await import('./ingest.service.ts')).createIngestService({ db: t.platform.database.db, registry: t.platform.registry, records: t.platform.records, customFields: { allFieldsOf: async () => [] }, chunkSize: 1000, chunkBytes: 1024 });
    const committed: number[] = [];
    const done = await byBytes.executeRun(small, run.id, { onProgress: (progress) => void committed.push(progress.counts.read) });
    expect(done).toMatchObject({ status: 'succeeded', checkpointRow: 25, counts: { read: 25, created: 25 } });
    // The file is about 1,600 bytes: at least two commits although 1,000 rows would fit one chunk.
    expect(committed.length).toBeGreaterThanOrEqual(2);
    expect(committed[0]).toBeLessThan(25);
    expect(committed.at(-1)).toBe(25);
  });

  it('resolves references to records loaded from the same system, or by a field, and rejects rows whose reference finds nothing', async () => {
    const products: MappingSpec = {
      specVersion: 1,
      name: 'mara',
      entity: 'product',
      system: 'SAP-TEST',
      source: { format: 'csv', delimiter: ';' },
      key: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros' }] },
      fields: { sku: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros' }] }, name: { from: 'MAKTX' } },
    };
    const units = (by?: string): MappingSpec => ({
      specVersion: 1,
      name: by ? `marm-by-${by}` : 'marm',
      entity: 'productUnit',
      system: 'SAP-TEST',
      source: { format: 'csv', delimiter: ';' },
      key: { from: ['MATNR', 'MEINH'], transforms: [{ op: 'stripLeadingZeros' }, { op: 'join', separator: '/' }] },
      fields: {
        product: { from: 'MATNR', transforms: [{ op: 'stripLeadingZeros' }, { op: 'reference', entity: 'product', ...(by ? { by } : {}) }] },
        unit: { from: 'MEINH' },
        factor: { from: 'UMREZ', transforms: [{ op: 'decimal', scale: 3, rounding: 'reject' }] },
      },
    });
    for (const saved of [products, units(), units('sku')]) await t.platform.ingest.saveSpec(context, saved.name, saved);
    const csv = (name: string, ...lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n') + '\n');
      return path;
    };
    const run = async (specName: string, path: string) => t.platform.ingest.executeRun(context, (await t.platform.ingest.createRun(context, { spec: specName, mode: 'delta', file: { path, name: 'f.csv' } })).id);
    expect((await run('mara', csv('mara.csv', 'MATNR;MAKTX', '000000000000000042;Cola 0,33', '000000000000000043;Water')) ).counts).toMatchObject({ created: 2 });
    const marm = await run('marm', csv('marm.csv', 'MATNR;MEINH;UMREZ', '000000000000000042;PK;6', '000000000000000043;CS;12', '000000000000000099;PK;6'));
    expect(marm.counts).toMatchObject({ read: 3, created: 2, rejected: 1 });
    const [unknown] = await t.platform.ingest.listRejects(context, marm.id);
    expect(unknown).toMatchObject({ rowNumber: 3, sourceKey: '99/PK', field: 'product', value: '99', code: 'ingest.unknown_reference' });
    expect(unknown!.sourceRow).toMatchObject({ MATNR: '000000000000000099' });
    const productEntity = t.platform.registry.find('product')!;
    const [cola] = await t.platform.records.findBy(context, productEntity, 'sku', ['42']);
    const unitsOfCola = await t.platform.records.findBy(context, t.platform.registry.find('productUnit')!, 'product', [cola!.id]);
    expect(unitsOfCola.map((unit) => [unit.unit, unit.factor])).toEqual([['PK', '6.000']]);
    // By a field of the referenced entity (its SKU), and the same file again changes nothing.
    const bySku = await run('marm-by-sku', csv('marm-sku.csv', 'MATNR;MEINH;UMREZ', '43;PK;4'));
    expect(bySku.counts).toMatchObject({ created: 1, rejected: 0 });
    expect((await run('marm', csv('marm-again.csv', 'MATNR;MEINH;UMREZ', '000000000000000042;PK;6'))).counts).toMatchObject({ unchanged: 1, created: 0, updated: 0 });
  });

  it("keeps each tenant's load to itself, whatever tenant column the file carries", async () => {
    const path = join(dir, 'forged.csv');
    writeFileSync(path, `${header};tenant_id;tenantId\n0000300001;Forged;;Z001;Weg 1;10115;Berlin;DE;;;;;;${tenant.id};${tenant.id}\n`);
    const run = await t.platform.ingest.createRun({ tenantId: other.id }, { spec: 'sap-kna1', mode: 'delta', file: { path, name: 'forged.csv' } });
    expect((await t.platform.ingest.executeRun({ tenantId: other.id }, run.id)).counts.created).toBe(1);
    expect((await outlets()).some((outlet) => outlet.code === '300001')).toBe(false);
    expect((await outlets({ tenantId: other.id })).some((outlet) => outlet.code === '300001')).toBe(true);
    await expect(t.platform.ingest.getRun(context, run.id)).rejects.toMatchObject({ code: 'ingest.run_not_found' });
  });
});
