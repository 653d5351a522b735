/**
 * Scale of fuzzy matching (opt-in: MATCH_SCALE=1, MATCH_SCALE_RECORDS=200000): a tenant with that many
 * outlets (written by set-based SQL as the owner, like the bench seeds, spread over 8,000 postal codes
 * as German outlets are), then loads of 2,000-row files (one chunk): the first one backfills the keys of
 * every record, the next ones only match. Prints the times of the loads and of the candidate statement
 * alone (blocked rows and rows without a postal code) with its plan.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.ts';
import { makeTempDir } from '../../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../../db/index.ts';
import { newId } from '../../shared/index.ts';
import { fuzzySpec } from './fuzzy-loads.fixture.ts';
import { keysOf, matchProfileOf } from './match-profile.ts';
import { findCandidates, hasUnblockedKeys } from './match.repository.ts';
import { nameFloor } from './score-candidate.ts';

const records = Number(process.env.MATCH_SCALE_RECORDS ?? 200_000);
const trades = ['Getränkemarkt', 'Kiosk', 'Bäckerei', 'Apotheke', 'Tankstelle', 'Café', 'Supermarkt', 'Metzgerei', 'Blumenladen', 'Imbiss', 'Drogerie', 'Feinkost'];
const owners = 'Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Köhler Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel'.split(' ');
const streets = 'Haupt Bahnhof Garten Schul Dorf Berg Linden Kirch Wald Ring Goethe Schiller Friedrich Mozart Rosen Feld Wiesen Post'.split(' ');

function outletAt(index: number) {
  const pick = <T>(list: readonly T[], salt: number) => list[Math.abs(Math.imul(index + 1, 2654435761) ^ salt) % list.length]!;
  return {
    code: `S${index}`,
    name: `${pick(trades, 17)} ${pick(owners, 91)} ${index % 7 === 0 ? 'GmbH' : ''}`.trim(),
    street: `${pick(streets, 5)}straße ${1 + (index % 150)}`,
    postalCode: String(10000 + (Math.imul(index + 7, 40503) >>> 0) % 8000 * 11).padStart(5, '0'),
    city: 'Stadt',
  };
}

let t: TestPlatform;
let context: TenantContext;
let dir: string;

beforeAll(async () => {
  if (!process.env.MATCH_SCALE) return;
  t = await startTestPlatform();
  const tenant = await t.createTenant();
  context = { tenantId: tenant.id };
  dir = makeTempDir('fuzzy-scale-');
  await t.platform.ingest.saveSpec(context, 'kna1-fuzzy', fuzzySpec());
  await t.platform.ingest.saveSpec(context, 'kna1-plain', { ...fuzzySpec({ fuzzy: undefined }), name: 'kna1-plain', system: 'SAP-PLAIN' });
  const table = t.platform.registry.find('outlet')!.table;
  for (let start = 0; start < records; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, records - start) }, (_, offset) => {
      const outlet = outletAt(start + offset);
      return { tenant_id: tenant.id, id: newId(), code: outlet.code, name: outlet.name, channel: 'kiosk', street: outlet.street, postal_code: outlet.postalCode, city: outlet.city, country: 'DE' };
    });
    await sql`insert into ${sql.table(table)} (tenant_id, id, code, name, channel, street, postal_code, city, country)
      select tenant_id, id, code, name, channel, street, postal_code, city, country from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(batch)}::jsonb)`.execute(t.database.owner.db);
  }
  // Entered long ago: a load's refresh reads back a few minutes only.
  await sql`update ${sql.table(table)} set created_at = now() - interval '30 days', updated_at = now() - interval '30 days'`.execute(t.database.owner.db);
  await sql`analyze`.execute(t.database.owner.db);
}, 600_000);
afterAll(() => t?.close());

const rowsOf = (first: number, count: number, variant: (index: number) => Partial<ReturnType<typeof outletAt> & { key: string }>) =>
  Array.from({ length: count }, (_, offset) => {
    const index = first + offset;
    // Every other row a duplicate of a seeded outlet written differently, the rest new.
    const base = index % 2 === 0 ? outletAt((index * 97) % records) : { ...outletAt(records + index), name: `Neu ${outletAt(records + index).name} ${index}` };
    return { ...base, key: `F${index}`, ...variant(index) };
  });

const load = async (name: string, rows: readonly { key: string; name: string; street: string; postalCode: string; city: string }[], spec = 'kna1-fuzzy') => {
  const path = join(dir, name);
  writeFileSync(path, ['KUNNR;NAME1;STRAS;PSTLZ;ORT01;TELF1;SMTP_ADDR;STCEG', ...rows.map((row) => [row.key, row.name.toUpperCase(), row.street.replace('straße', 'str.'), row.postalCode, row.city, '', '', ''].join(';'))].join('\n') + '\n');
  const started = performance.now();
  const run = await t.platform.ingest.executeRun(context, (await t.platform.ingest.createRun(context, { spec, mode: 'delta', file: { path, name } })).id);
  return { run, ms: Math.round(performance.now() - started) };
};

describe.skipIf(!process.env.MATCH_SCALE)(`fuzzy matching against ${records} records`, () => {
  it('matches a 2,000-row chunk with one indexed statement', { timeout: 600_000 }, async () => {
    const first = await load('first.csv', rowsOf(0, 2000, () => ({})));
    const second = await load('second.csv', rowsOf(2000, 2000, () => ({})));
    expect(second.run.counts.read).toBe(2000);
    console.log(`first load (backfill of ${records} records' keys + one chunk): ${first.ms} ms, counts ${JSON.stringify(first.run.counts)}`);
    console.log(`second load (one chunk of 2,000 rows): ${second.ms} ms, counts ${JSON.stringify(second.run.counts)}`);
    const plain = await load('plain.csv', rowsOf(8000, 2000, (index) => ({ key: `P${index}` })), 'kna1-plain');
    console.log(`the same without fuzzy matching (a spec without matching.fuzzy): ${plain.ms} ms, counts ${JSON.stringify(plain.run.counts)}`);

    const profile = matchProfileOf(fuzzySpec())!;
    const ref = { tenantId: context.tenantId, entity: 'outlet', profile: profile.id };
    for (const [label, rows] of [['blocked by postal code', rowsOf(4000, 2000, () => ({}))], ['no postal code (trigram index)', rowsOf(6000, 2000, () => ({ postalCode: '' }))]] as const) {
      const keyed = rows.map((row, index) => ({ index, id: newId(), keys: keysOf(profile, { ...row, name: row.name.toUpperCase() })! }));
      const times: number[] = [];
      let found = 0;
      for (let round = 0; round < 3; round++) {
        await withTenant(t.platform.database.db, context, async (tx) => {
          const started = performance.now();
          found = (await findCandidates(tx, ref, keyed, { floor: nameFloor(profile, 0.6), limit: 5, searchUnblocked: await hasUnblockedKeys(tx, ref) })).length;
          times.push(Math.round(performance.now() - started));
        });
      }
      console.log(`candidate statement, 2,000 rows ${label}: ${times.join(' / ')} ms (3 rounds), ${found} candidates`);
    }
  });
});
