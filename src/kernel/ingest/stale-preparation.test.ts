/**
 * A row taken for unchanged when its chunk was cut (its entry had its raw hash: unchanged-source.ts)
 * whose entry another run writes before the chunk's transaction reads it: the chunk is prepared whole
 * and written again (`StalePreparation`), so the row is reconciled against what the other run wrote.
 * The other run is made to land in that gap: the first look-up of the row's entry (the pipeline's,
 * before the chunk's transaction reads it again) returns, then the other run loads its file, then the
 * look-up's (now stale) entries go back to the pipeline.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import type { MappingSpec } from './index.ts';
import { createIngestService } from './ingest.service.ts';

const between = vi.hoisted(() => ({ key: '', next: undefined as undefined | (() => Promise<unknown>) }));
vi.mock('./ingest.repository.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./ingest.repository.ts')>();
  return {
    ...actual,
    xrefHeadsByKeys: async (...args: Parameters<typeof actual.xrefHeadsByKeys>) => {
      const heads = await actual.xrefHeadsByKeys(...args);
      const then = args[4].includes(between.key) ? between.next : undefined;
      if (then) between.next = undefined;
      await then?.();
      return heads;
    },
  };
});

const spec: MappingSpec = {
  specVersion: 1,
  name: 'stale',
  entity: 'outlet',
  system: 'SAP-STALE',
  source: { format: 'csv', delimiter: ';', encoding: 'auto' },
  key: { from: 'KUNNR' },
  fields: { code: { from: 'KUNNR' }, name: { from: 'NAME1' }, channel: { constant: 'kiosk' } },
};

let t: TestPlatform;
let dir: string;
let fileCounter = 0;
const fileOf = (...lines: string[]) => {
  const path = join(dir, `stale-${++fileCounter}.csv`);
  writeFileSync(path, ['KUNNR;NAME1', ...lines].join('\n') + '\n');
  return path;
};

beforeAll(async () => {
  t = await startTestPlatform();
  dir = makeTempDir('ingest-stale-');
});
afterAll(() => t?.close());

describe('a row taken for unchanged whose entry another run writes before its chunk is written', () => {
  it.each([
    [2000, 2],
    [1, 2],
    [1, 1],
  ] as const)('is prepared and reconciled against what that run wrote (chunks of %i row(s), %i in flight)', async (chunkSize, chunksInFlight) => {
    const context: TenantContext = { tenantId: (await t.createTenant()).id };
    const service = createIngestService({ db: t.platform.database.db, registry: t.platform.registry, records: t.platform.records, customFields: { allFieldsOf: async () => [] }, chunkSize, chunksInFlight });
    await service.saveSpec(context, spec.name, spec);
    const load = async (path: string) => service.executeRun(context, (await service.createRun(context, { spec: spec.name, mode: 'delta', file: { path, name: 'kna1.csv' } })).id);
    const file = fileOf('A1;Kiosk Eins', 'A2;Kiosk Zwei', 'A3;Kiosk Drei');
    await load(file);
    const entryOf = async (key: string) =>
      (await withTenant(t.platform.database.db, context, (tx) => sql<{ raw_hash: string; source_values: Record<string, unknown> }>`select raw_hash, source_values from ingest_xref where source_key = ${key}`.execute(tx))).rows[0]!;
    const loaded = await entryOf('A2');

    // The re-run's first look-up of A2 (A1, the first row, is always prepared) lets the other run in.
    between.key = 'A2';
    between.next = () => load(fileOf('A2;Kiosk Anders'));
    const rerun = await load(file);
    expect(between.next).toBeUndefined();
    expect(rerun.counts).toMatchObject({ read: 3, unchanged: 2, updated: 1, rejected: 0 });
    const names = (await t.platform.records.list(context, t.platform.registry.find('outlet')!, { sort: 'code' }, { defaultLimit: 50, maxLimit: 200 })).data.map((outlet) => outlet.name);
    expect(names).toEqual(['Kiosk Eins', 'Kiosk Zwei', 'Kiosk Drei']);
    expect(await entryOf('A2')).toEqual(loaded);
    // And the next re-run takes every row for unchanged again.
    expect((await load(file)).counts).toMatchObject({ read: 3, unchanged: 3 });
  });
});
