/**
 * Deduplication quality on a labelled synthetic set (synthetic-outlets.fixture.ts, fixed seed): the
 * originals are there first (half created in the app, half loaded), then a file of duplicates written
 * differently, near misses and new outlets (some twice) runs through the real pipeline. A row's
 * prediction is the outlet it was linked to (auto-link) or held for review against; precision, recall
 * and F1 are printed for auto-links alone and for links plus reviews, with fuzzy matching alone and
 * with the exact keys (phone, e-mail) in front of it. Floors are a little under what was measured.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.ts';
import { makeTempDir } from '../../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../../db/index.ts';
import type { MappingSpec } from '../index.ts';
import { normalizePhone } from '../normalize/index.ts';
import { syntheticOutlets, type SyntheticOutlet } from './synthetic-outlets.fixture.ts';

const seed = Number(process.env.DEDUP_QUALITY_SEED ?? 20261122);
const set = syntheticOutlets(seed, { originals: 1000, duplicates: 400, nearMisses: 300, fresh: 300, freshAgain: 60 });
const thresholds = { high: 0.85, low: 0.6 };

const specWith = (exact: readonly string[]): MappingSpec => ({
  specVersion: 1,
  name: 'dedup-quality',
  entity: 'outlet',
  system: 'SYNTH',
  source: { format: 'csv', delimiter: ';' },
  key: { from: 'KEY' },
  fields: {
    code: { from: 'KEY' },
    name: { from: 'NAME' },
    channel: { constant: 'other' },
    street: { from: 'STREET' },
    postalCode: { from: 'PLZ' },
    city: { from: 'CITY' },
    country: { constant: 'DE' },
    phone: { from: 'PHONE' },
    email: { from: 'EMAIL' },
  },
  normalize: { name: 'name', street: 'address', city: 'name', phone: { kind: 'phone', countryField: 'country' }, email: 'email' },
  matching: { ...(exact.length > 0 ? { exact } : {}), fuzzy: { fields: ['name', 'street'], blockBy: ['postalCode'], ...thresholds } },
});

interface Scores {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

const scoresOf = (pairs: readonly { truth: number | null; predicted: number | null }[]): Scores => {
  const tp = pairs.filter((pair) => pair.predicted !== null && pair.predicted === pair.truth).length;
  const fp = pairs.filter((pair) => pair.predicted !== null && pair.predicted !== pair.truth).length;
  const fn = pairs.filter((pair) => pair.truth !== null && pair.predicted !== pair.truth).length;
  const precision = tp / Math.max(tp + fp, 1);
  const recall = tp / Math.max(tp + fn, 1);
  return { precision, recall, f1: (2 * precision * recall) / Math.max(precision + recall, 1e-9), tp, fp, fn };
};

let t: TestPlatform;
let dir: string;

const csv = (name: string, rows: readonly SyntheticOutlet[]) => {
  const path = join(dir, name);
  writeFileSync(path, ['KEY;NAME;STREET;PLZ;CITY;PHONE;EMAIL', ...rows.map((row) => [row.key, row.name, row.street, row.postalCode, row.city, row.phone, row.email].join(';'))].join('\n') + '\n');
  return path;
};

/** Loads the set into a tenant of its own and returns, per row of the file, the outlet it was truly and predictedly the same as. */
async function runSet(exact: readonly string[]) {
  const tenant = await t.createTenant();
  const context: TenantContext = { tenantId: tenant.id };
  await t.platform.ingest.saveSpec(context, 'dedup-quality', specWith(exact));
  const outlet = t.platform.registry.find('outlet')!;
  const half = Math.floor(set.originals.length / 2);
  const clusterOf = new Map<string, number>();
  // Half the originals were entered in the app (their keys come from the backfill), half loaded before.
  const made = await t.platform.records.createMany(context, outlet, set.originals.slice(0, half).map((row) => {
    const phone = normalizePhone(row.phone, 'DE');
    return { code: row.key, name: row.name, channel: 'other', street: row.street, postalCode: row.postalCode, city: row.city, country: 'DE', phone: phone.ok ? phone.value : null, email: row.email || null };
  }));
  made.forEach((record, index) => clusterOf.set(record.id, set.originals[index]!.cluster));
  const load = async (name: string, rows: readonly SyntheticOutlet[]) => {
    const run = await t.platform.ingest.createRun(context, { spec: 'dedup-quality', mode: 'delta', file: { path: csv(name, rows), name } });
    return t.platform.ingest.executeRun(context, run.id);
  };
  const first = await load('originals.csv', set.originals.slice(half));
  expect(first.counts.rejected).toBe(0);
  const started = Date.now();
  const second = await load('file.csv', set.rows);
  const elapsed = Date.now() - started;
  expect(second.counts.rejected).toBe(0);
  const byKey = new Map([...set.originals, ...set.rows].map((row) => [row.key, row]));
  const { lineage, reviews } = await withTenant(t.platform.database.db, context, async (tx) => ({
    lineage: (await sql<{ run_id: string; source_key: string; record_id: string; operation: string }>`
      select details->'ingest'->>'run' as run_id, details->'ingest'->>'sourceKey' as source_key, record_id, details->'ingest'->>'operation' as operation from audit_entries where details->'ingest' is not null`.execute(tx)).rows,
    reviews: (await sql<{ source_key: string; candidate_id: string }>`select source_key, candidate_id from ingest_cases where kind = 'review' and status = 'open'`.execute(tx)).rows,
  }));
  for (const entry of lineage) if (entry.operation === 'create') clusterOf.set(entry.record_id, byKey.get(entry.source_key)!.cluster);
  const linked = new Map(lineage.filter((entry) => entry.run_id === second.id && entry.operation === 'link').map((entry) => [entry.source_key, entry.record_id]));
  const queued = new Map(reviews.map((review) => [review.source_key, review.candidate_id]));
  const seen = new Set(set.originals.map((row) => row.cluster));
  const rows = set.rows.map((row) => {
    const truth = seen.has(row.cluster) ? row.cluster : null;
    seen.add(row.cluster);
    const link = linked.get(row.key);
    const review = queued.get(row.key);
    return { row, truth, link: link === undefined ? null : (clusterOf.get(link) ?? -1), review: review === undefined ? null : (clusterOf.get(review) ?? -1) };
  });
  return { rows, counts: second.counts, elapsed };
}

beforeAll(async () => {
  t = await startTestPlatform();
  dir = makeTempDir('dedup-quality-');
});
afterAll(() => t?.close());

describe('deduplication quality on a labelled synthetic set', () => {
  it('links duplicates and holds near misses apart: precision, recall and F1 at the configured thresholds', { timeout: 180_000 }, async () => {
    const report: Record<string, Scores & { rows: number }> = {};
    const measured: Record<string, Awaited<ReturnType<typeof runSet>>> = {};
    for (const [label, exact] of [['fuzzy only', []], ['exact phone/e-mail + fuzzy', ['phone', 'email']]] as const) {
      const result = await runSet(exact);
      measured[label] = result;
      report[`${label}: auto-link`] = { ...scoresOf(result.rows.map(({ truth, link }) => ({ truth, predicted: link }))), rows: result.rows.length };
      report[`${label}: link or review`] = { ...scoresOf(result.rows.map(({ truth, link, review }) => ({ truth, predicted: link ?? review }))), rows: result.rows.length };
    }
    const positives = set.rows.length - set.rows.filter((row) => row.kind === 'nearMiss' || row.kind === 'fresh').length;
    console.log(`dedup quality, seed ${seed}, thresholds high ${thresholds.high} low ${thresholds.low}: ${set.originals.length} originals, ${set.rows.length} rows (${positives} duplicates, ${set.rows.length - positives} distinct)`);
    console.table(Object.fromEntries(Object.entries(report).map(([label, s]) => [label, { precision: s.precision.toFixed(3), recall: s.recall.toFixed(3), f1: s.f1.toFixed(3), tp: s.tp, fp: s.fp, fn: s.fn }])));
    for (const [label, result] of Object.entries(measured)) console.log(`${label}: counts ${JSON.stringify(result.counts)}, file loaded in ${result.elapsed} ms`);
    // DEDUP_QUALITY_DETAIL=1 prints the rows the fuzzy-only run did not auto-link right (DEDUP_QUALITY_SEED picks another set).
    if (process.env.DEDUP_QUALITY_DETAIL) {
      for (const { row, truth, link, review } of measured['fuzzy only']!.rows) if (link !== truth) console.log(JSON.stringify({ kind: row.kind, changes: row.changes, name: row.name, street: row.street, plz: row.postalCode, truth, link, review }));
    }

    // Measured (precision / recall) with seed 20261122: fuzzy only 1.000 / 0.915 (auto-link), 0.749 / 0.980
    // (link or review); with the exact keys 1.000 / 0.987 (auto-link). Seeds 7 and 4242: fuzzy-only
    // auto-links 0.998 / 0.946 and 1.000 / 0.926.
    const floors: [string, keyof Scores, number][] = [
      ['fuzzy only: auto-link', 'precision', 0.98],
      ['fuzzy only: auto-link', 'recall', 0.88],
      ['fuzzy only: link or review', 'precision', 0.7],
      ['fuzzy only: link or review', 'recall', 0.95],
      ['exact phone/e-mail + fuzzy: auto-link', 'precision', 0.98],
      ['exact phone/e-mail + fuzzy: auto-link', 'recall', 0.95],
    ];
    for (const [label, measure, floor] of floors) expect(report[label]![measure], `${label} ${measure}`).toBeGreaterThanOrEqual(floor);
  });
});
