/** Fuzzy matching and its decisions through the whole pipeline on the real database. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.ts';
import { withTenant } from '../../db/index.ts';
import { fuzzyLoads, fuzzySpec } from './fuzzy-loads.fixture.ts';
import { matchProfileOf } from './match-profile.ts';
import { refreshMatchKeys } from './refresh-match-keys.ts';

let t: TestPlatform;
let loads: ReturnType<typeof fuzzyLoads>;

beforeAll(async () => {
  t = await startTestPlatform();
  loads = fuzzyLoads(t);
});
afterAll(() => t?.close());

describe('fuzzy matching in a load', () => {
  it('links a new source key to a record created outside ingestion whose name and street are close (score >= high)', async () => {
    const context = await loads.tenant();
    const existing = await loads.local(context, { code: 'L-1', name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12', postalCode: '70173', city: 'Stuttgart', email: 'kept@example.com' });
    const run = await loads.load(context, '100001;Mueller Getraenkemarkt;Hauptstr. 12;70173;Stuttgart;0711 1234567;;');
    expect(run.counts).toMatchObject({ read: 1, created: 0, merged: 1, queued: 0 });
    const after = await loads.outlets(context);
    expect(after).toHaveLength(1);
    // Source-owned fields follow the source; e-mail is local and stays.
    expect(after[0]).toMatchObject({ id: existing.id, code: '100001', name: 'Mueller Getraenkemarkt', street: 'Hauptstr. 12', phone: '+497111234567', email: 'kept@example.com' });
    expect(await loads.xrefOf(context, '100001')).toBe(existing.id);
    const merges = await t.platform.ingest.listMerges(context, { recordId: existing.id });
    expect(merges).toEqual([expect.objectContaining({ sourceKey: '100001', match: 'fuzzy', status: 'active', previous: expect.objectContaining({ code: 'L-1', name: 'Müller Getränkemarkt GmbH' }) })]);
    expect(merges[0]!.score).toBeGreaterThanOrEqual(0.85);
  });

  it('holds a likely duplicate between the thresholds in a review case and writes nothing for it', async () => {
    const context = await loads.tenant();
    const existing = await loads.local(context, { code: 'L-2', name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', postalCode: '10115', city: 'Berlin' });
    // The same name at another house number: maybe a second kiosk, maybe a typo.
    const run = await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;');
    expect(run.counts).toMatchObject({ read: 1, created: 0, merged: 0, queued: 1 });
    expect(await loads.outlets(context)).toHaveLength(1);
    expect(await loads.xrefOf(context, '200001')).toBeUndefined();
    const [review] = await t.platform.ingest.listCases(context);
    expect(review).toMatchObject({ kind: 'review', sourceKey: '200001', recordId: existing.id, candidateId: existing.id, localValue: { name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', postalCode: '10115' } });
    expect(review!.score).toBeGreaterThanOrEqual(0.6);
    expect(review!.score).toBeLessThan(0.85);
    expect(review!.sourceValue).toMatchObject({ record: { code: '200001', name: 'Kiosk am Eck' } });
    // Loading the key again refreshes its one open review instead of opening another.
    expect((await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;')).counts).toMatchObject({ queued: 1 });
    expect(await t.platform.ingest.listCases(context)).toHaveLength(1);
  });

  it('creates a row whose best candidate scores below low, and one in another block', async () => {
    const context = await loads.tenant();
    await loads.local(context, { code: 'L-3', name: 'Bäckerei Schmidt', street: 'Marktplatz 1', postalCode: '80331', city: 'München' });
    const run = await loads.load(context, '300001;Apotheke am Markt;Marktplatz 3;80331;München;;;', '300002;Bäckerei Schmidt;Marktplatz 1;80333;München;;;');
    expect(run.counts).toMatchObject({ created: 2, merged: 0, queued: 0 });
  });

  it('finds duplicates within one file: the first row creates the record, a close later row links to it', async () => {
    const context = await loads.tenant();
    const run = await loads.load(context, '400001;Getränke Huber OHG;Lindenstraße 3;90402;Nürnberg;;;', '400002;Getraenke Huber;Lindenstr. 3;90402;Nürnberg;;;');
    expect(run.counts).toMatchObject({ created: 1, merged: 1 });
    const [only] = await loads.outlets(context);
    expect(await loads.xrefOf(context, '400001')).toBe(only!.id);
    expect(await loads.xrefOf(context, '400002')).toBe(only!.id);
  });

  it('gives a row the exact keys linked to a create of the same file that create\'s fuzzy decision', async () => {
    const context = await loads.tenant({ exact: ['taxId'] });
    const held = await loads.local(context, { code: 'L-4', name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', postalCode: '10115' });
    const linked = await loads.local(context, { code: 'L-5', name: 'Müller Getränkemarkt', street: 'Hauptstraße 12', postalCode: '70173' });
    const run = await loads.load(
      context,
      '410001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;DE136695976',
      '410002;Eck-Kiosk Nord;Nordweg 1;10117;Berlin;;;DE136695976',
      '410003;Müller Getränkemarkt;Hauptstr. 12;70173;Stuttgart;;;ATU13585627',
      '410004;Getränke Müller Süd;Südweg 9;70176;Stuttgart;;;ATU13585627',
    );
    expect(run.counts).toMatchObject({ created: 0, merged: 2, queued: 2 });
    expect((await t.platform.ingest.listCases(context)).map((found) => [found.sourceKey, found.candidateId])).toEqual([
      ['410001', held.id],
      ['410002', held.id],
    ]);
    expect(await loads.xrefOf(context, '410003')).toBe(linked.id);
    expect(await loads.xrefOf(context, '410004')).toBe(linked.id);
  });

  it('searches by trigram when a row or a record has no block value', async () => {
    const context = await loads.tenant();
    const existing = await loads.local(context, { code: 'L-5', name: 'Tankstelle Berger', street: 'Ringstraße 9', city: 'Ulm' });
    const run = await loads.load(context, '500001;Tankstelle Berger;Ringstr. 9;89073;Ulm;;;');
    expect(run.counts).toMatchObject({ merged: 1 });
    expect(await loads.xrefOf(context, '500001')).toBe(existing.id);
    const second = await loads.load(context, '500002;Tankstelle Bergér;Ringstraße 9;;Ulm;;;');
    expect(second.counts).toMatchObject({ merged: 1 });
  });

  it("uses the tenant's thresholds over the spec's", async () => {
    const typo = '600001;Müller Getränkmarkt;Hauptstr. 12;70173;Stuttgart;;;';
    for (const [settings, counts] of [[undefined, { created: 0, merged: 1 }], [{ ingest: { fuzzy: { high: 0.99, low: 0.95 } } }, { created: 1, merged: 0, queued: 0 }]] as const) {
      const context = await loads.tenant(undefined, settings);
      await loads.local(context, { code: 'L-6', name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12', postalCode: '70173' });
      expect((await loads.load(context, typo)).counts).toMatchObject(counts);
    }
    const broken = await loads.tenant(undefined, { ingest: { fuzzy: { high: 0.5, low: 0.7 } } });
    const refused = await t.platform.ingest.createRun(broken, { spec: 'kna1-fuzzy', mode: 'delta', file: { path: loads.file(['600002;X;Y;1;Z;;;']), name: 'x.csv' } });
    await expect(t.platform.ingest.executeRun(broken, refused.id)).rejects.toMatchObject({ code: 'ingest.invalid_thresholds' });
    expect(await t.platform.ingest.getRun(broken, refused.id)).toMatchObject({ status: 'failed', error: { code: 'ingest.invalid_thresholds' } });
  });

  it('merges per the survivorship rules: local keeps, fillEmpty fills a gap, nonEmpty keeps a value the source lacks', async () => {
    const context = await loads.tenant({ survivorship: { name: 'local', phone: 'nonEmpty', email: 'fillEmpty' } });
    const existing = await loads.local(context, { code: 'L-7', name: 'Café Zentral', street: 'Domplatz 2', postalCode: '48143', phone: '+492511234567' });
    const run = await loads.load(context, '700001;Cafe Zentral;Domplatz 2;48143;Münster;;info@zentral.example;');
    expect(run.counts).toMatchObject({ merged: 1 });
    const [merged] = await loads.outlets(context);
    expect(merged).toMatchObject({ id: existing.id, code: '700001', name: 'Café Zentral', phone: '+492511234567', email: 'info@zentral.example', city: 'Münster' });
  });
});

describe('the refresh of match keys before a run’s first fuzzy search', () => {
  it('reads again only records changed since they were keyed: not what the previous load wrote, but what an app changed', async () => {
    const context = await loads.tenant();
    const local = await loads.local(context, { code: 'L-9', name: 'Backhaus Wagner', street: 'Ringstraße 9', postalCode: '50667', city: 'Köln' });
    await loads.load(context, '900001;Kiosk Nord;Nordweg 1;50667;Köln;;;', '900002;Kiosk Süd;Südweg 2;50667;Köln;;;', '900003;Kiosk Ost;Ostweg 3;50667;Köln;;;');
    const profile = matchProfileOf(fuzzySpec())!;
    const refresh = () => withTenant(t.platform.database.db, context, (tx) => refreshMatchKeys(tx, { context, entity: loads.outlet, records: t.platform.records }, profile));
    // The load keyed what it created and the record entered before it (its refresh): nothing to read.
    expect(await refresh()).toBe(0);
    const [created] = await loads.outlets(context);
    await t.platform.records.update(context, loads.outlet, created!.id, undefined, { name: 'Kiosk Nord am Park' });
    await t.platform.records.update(context, loads.outlet, local.id, undefined, { phone: '+49221123456' });
    // Both changed since they were keyed (a key field or not): read, and keyed again.
    expect(await refresh()).toBe(2);
    expect(await refresh()).toBe(0);
    const keys = await withTenant(t.platform.database.db, context, (tx) => sql<{ name_key: string }>`select name_key from ingest_match_keys where record_id = ${created!.id}`.execute(tx));
    expect(keys.rows[0]!.name_key).toContain('park');
  });
});
