/**
 * Property: unlinking a merge restores the survivor as it was before the merge, whatever the record,
 * the row and the survivorship rules, and gives the source key a record of its own with the row's values.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.ts';
import type { SurvivorshipRule } from '../ingest.contract.ts';
import { fuzzyLoads } from './fuzzy-loads.fixture.ts';

let t: TestPlatform;
let loads: ReturnType<typeof fuzzyLoads>;

beforeAll(async () => {
  t = await startTestPlatform();
  loads = fuzzyLoads(t);
});
afterAll(() => t?.close());

const fields = ['code', 'name', 'street', 'postalCode', 'city', 'phone', 'email'] as const;
const optional = <T>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { nil: null });
const side = fc.record({
  name: fc.constantFrom('Kiosk am Eck', 'Müller Getränke GmbH', 'Café Zentral', 'Bäckerei Schmidt'),
  street: optional(['Hauptstraße 12', 'Bahnhofstr. 5', 'Marktplatz 1']),
  postalCode: optional(['10115', '70173']),
  city: optional(['Berlin', 'Stuttgart', 'München']),
  phone: optional(['+49301234567', '+497111234567']),
  email: optional(['a@example.com', 'b@example.com']),
});
const rules = fc.dictionary(fc.constantFrom('name', 'street', 'postalCode', 'city', 'phone', 'email'), fc.constantFrom<SurvivorshipRule>('source', 'local', 'nonEmpty', 'fillEmpty'));

describe('unlinking a merge', () => {
  it('restores the survivor and gives the source key its own record with its values', { timeout: 120_000 }, async () => {
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(side, side, rules, async (local, incoming, survivorship) => {
        const context = await loads.tenant({ exact: ['taxId'], survivorship });
        const survivor = await loads.local(context, { ...local, code: `L-${++iteration}`, taxId: 'DE136695976' });
        const line = ['900001', incoming.name, incoming.street ?? '', incoming.postalCode ?? '', incoming.city ?? '', incoming.phone ?? '', incoming.email ?? '', 'DE136695976'].join(';');
        expect((await loads.load(context, line)).counts).toMatchObject({ merged: 1 });
        const [merge] = await t.platform.ingest.listMerges(context, { sourceKey: '900001' });
        const outcome = await t.platform.ingest.unlinkMerge(context, merge!.id);
        expect(outcome.kept).toEqual([]);
        const byId = new Map((await loads.outlets(context)).map((record) => [record.id, record]));
        const pick = (record: Record<string, unknown>) => Object.fromEntries(fields.map((field) => [field, record[field] ?? null]));
        expect(pick(byId.get(survivor.id)!)).toEqual(pick(survivor));
        expect(pick(byId.get(outcome.splitRecordId)!)).toEqual(pick({ ...merge!.sourceRecord }));
        expect(await loads.xrefOf(context, '900001')).toBe(outcome.splitRecordId);
      }),
      { numRuns: 25, seed: 20261122 },
    );
  });
});
