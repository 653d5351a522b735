/**
 * Keyset pagination over the HTTP API: for random data (duplicate sort values, NULLs, soft-deleted
 * rows), random sorts, filters and page sizes, walking nextCursor yields exactly the rows of one big
 * ordered query, in its order, none skipped or repeated; and that order is the one an independent
 * SQL query (written here, not by the code under test) gives.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ktWidget } from '../../../test/model/kernel-test.model.ts';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { withTenant } from '../db/index.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

/** Sortable property -> column, for the oracle query. */
const sortable = {
  id: 'id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  code: 'code',
  name: 'name',
  quantity: 'quantity',
  weight: 'weight',
  availableOn: 'available_on',
  inspectedAt: 'inspected_at',
  status: 'status',
} as const;
type Sortable = keyof typeof sortable;

/** Filters the walk may carry, with the same condition written by hand for the oracle. */
const filters = {
  none: { query: '', where: 'true' },
  status: { query: 'status=active', where: "status = 'active'" },
  quantity: { query: 'quantity[gte]=1', where: 'quantity >= 1' },
  namePrefix: { query: 'name[prefix]=a', where: "name like 'a%'" },
  enabled: { query: 'enabled=true', where: 'enabled' },
  weightIn: { query: 'weight[in]=0.5,1.000', where: 'weight in (0.5, 1)' },
} as const;

const row: fc.Arbitrary<Row> = fc.record({
  name: fc.constantFrom('', 'a', 'ab', 'b', 'ba', 'a_', 'a%'),
  quantity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 3 }),
  weight: fc.option(fc.constantFrom('-2.250', '0.500', '1.000', '1.500'), { nil: null, freq: 3 }),
  availableOn: fc.option(fc.constantFrom('2024-01-01', '2024-02-29', '2025-12-31'), { nil: null, freq: 3 }),
  inspectedAt: fc.option(fc.constantFrom('2023-06-30T23:59:59.999Z', '2024-01-01T10:00:00.000Z', '2024-01-01T10:00:00.001Z'), { nil: null, freq: 3 }),
  status: fc.constantFrom('draft', 'active', 'retired'),
  enabled: fc.boolean(),
  fate: fc.constantFrom('kept', 'kept', 'kept', 'touched', 'deleted'),
});

interface Row {
  name: string;
  quantity: number | null;
  weight: string | null;
  availableOn: string | null;
  inspectedAt: string | null;
  status: string;
  enabled: boolean;
  fate: 'kept' | 'touched' | 'deleted';
}

const sortSpec = fc
  .uniqueArray(fc.constantFrom(...(Object.keys(sortable) as Sortable[])), { minLength: 0, maxLength: 3 })
  .chain((keys) => fc.tuple(fc.constant(keys), fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length })))
  .map(([keys, descending]) => keys.map((key, index) => ({ key, descending: descending[index]! })));

const scenario = fc.record({
  rows: fc.array(row, { maxLength: 40 }),
  sort: sortSpec,
  limit: fc.integer({ min: 1, max: 7 }),
  filter: fc.constantFrom(...(Object.keys(filters) as (keyof typeof filters)[])),
});

/** Creates the rows for a fresh tenant: one transaction (equal createdAt), then some updated, some deleted. */
async function seed(rows: Row[]): Promise<string> {
  const tenant = await t.createTenant();
  const context = { tenantId: tenant.id };
  const created = await withTenant(t.platform.database.db, context, async (tx) => {
    const records = [];
    for (const [index, { fate: _fate, ...fields }] of rows.entries()) records.push(await t.platform.records.create(context, ktWidget, { code: `C${index}`, ...fields }, tx));
    return records;
  });
  for (const [index, { fate }] of rows.entries()) {
    if (fate === 'touched') await t.platform.records.update(context, ktWidget, created[index]!.id, 1, { enabled: !rows[index]!.enabled });
    if (fate === 'deleted') await t.platform.records.remove(context, ktWidget, created[index]!.id);
  }
  return tenant.slug;
}

async function list(tenant: string, query: string) {
  const response = await t.platform.http.inject({ method: 'GET', url: `/v1/kt-widgets?${query}`, headers: { 'x-tenant': tenant } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { data: { id: string }[]; nextCursor: string | null; total?: number };
}

/** The expected order, by hand: the keys, then id in the direction of the last key, NULLs as PostgreSQL orders them. */
async function oracle(tenantSlug: string, sort: { key: Sortable; descending: boolean }[], where: string): Promise<string[]> {
  const tenant = await t.platform.tenants.getTenant(tenantSlug);
  const keys = sort.map(({ key, descending }) => `${sortable[key]} ${descending ? 'desc' : 'asc'}`);
  const idDirection = sort.length > 0 && sort[sort.length - 1]!.descending ? 'desc' : 'asc';
  const result = await sql<{ id: string }>`
    select id from kt_widgets where tenant_id = ${tenant.id} and deleted_at is null and ${sql.raw(where)}
    order by ${sql.raw([...keys, `id ${idDirection}`].join(', '))}`.execute(t.database.owner.db);
  return result.rows.map((entry) => entry.id);
}

describe('keyset pagination', () => {
  it('walks every row exactly once, in the order of one big ordered query (property)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ rows, sort, limit, filter }) => {
        const tenant = await seed(rows);
        const spec = sort.map(({ key, descending }) => `${descending ? '-' : ''}${key}`).join(',');
        const base = [spec ? `sort=${spec}` : '', filters[filter].query].filter(Boolean).join('&');
        const everything = await list(tenant, `${base}&limit=200&includeTotal=true`);
        expect(everything.nextCursor).toBeNull();

        const walked: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await list(tenant, `${base}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
          if (page.nextCursor !== null) expect(page.data).toHaveLength(limit);
          else expect(page.data.length).toBeLessThanOrEqual(limit);
          if (pages > 0) expect(page.data.length).toBeGreaterThan(0);
          walked.push(...page.data.map((record) => record.id));
          cursor = page.nextCursor;
          pages++;
          expect(pages).toBeLessThanOrEqual(rows.length + 1);
        } while (cursor !== null);

        const expected = await oracle(tenant, sort, filters[filter].where);
        expect(new Set(walked).size).toBe(walked.length);
        expect(walked).toEqual(everything.data.map((record) => record.id));
        expect(walked).toEqual(expected);
        expect(everything.total).toBe(expected.length);
      }),
      { seed: 1729, numRuns: 60 },
    );
  });

  it('keeps its place when rows are inserted before the cursor during the walk', async () => {
    const tenant = await seed(Array.from({ length: 6 }, (_, index) => ({ name: `n${index}`, quantity: index, weight: null, availableOn: null, inspectedAt: null, status: 'draft', enabled: true, fate: 'kept' })));
    const first = await list(tenant, 'sort=quantity&limit=3');
    await t.platform.http.inject({ method: 'POST', url: '/v1/kt-widgets', headers: { 'x-tenant': tenant }, payload: { code: 'EARLY', name: 'early', quantity: 0 } });
    const second = await list(tenant, `sort=quantity&limit=3&cursor=${first.nextCursor}`);
    expect([...first.data, ...second.data].map((record) => (record as { quantity?: number }).quantity)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(second.nextCursor).toBeNull();
  });
});
