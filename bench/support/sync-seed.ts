/**
 * The retail tenant of the sync part: one rep (a user id, acting through the development headers)
 * assigned to territory NORTH by a repTerritory row, the outlets of NORTH (the rep's scope), a tenth
 * as many in SOUTH (outside it), a catalogue of products, one price list with two prices per product
 * (each unit EA, and CS from a later date). Written with set-based SQL as the owner inside one
 * transaction with the tenant context set: the sync capture triggers log every row as they would for
 * the app's own writes.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface SyncTenantSpec {
  slug: string;
  outlets: number;
  products: number;
}

export interface SyncTenant {
  id: string;
  slug: string;
  repUserId: string;
  /** Outlet ids of the rep's territory, in id order. */
  repOutletIds: string[];
  /** Outlet ids of the other territory: the rep must never receive one. */
  foreignOutletIds: Set<string>;
  /** Rows of the rep's scope per synced entity, counted in the database. */
  expected: Record<string, number>;
  seedMs: number;
}

/** A UUIDv7-shaped id (48-bit millisecond prefix) from a time in ms and an md5 hex string, as the app makes them. */
const uuidV7 = (ms: string, hash: string, n: string) =>
  `(lpad(to_hex(${ms}), 12, '0') || '7' || substr(${hash}, 1, 3) || substr('89ab', 1 + (${n} % 4), 1) || substr(${hash}, 4, 15))::uuid`;

export async function seedSyncTenant(ownerUrl: string, spec: SyncTenantSpec): Promise<SyncTenant> {
  const started = performance.now();
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const repUserId = randomUUID();
    const tenantId = (await owner.query<{ id: string }>(`insert into tenants (id, slug, name) values (gen_random_uuid(), $1, 'Bench retail sync') returning id`, [spec.slug])).rows[0]!.id;
    await owner.query('begin');
    await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    const territories = await owner.query<{ id: string; code: string }>(
      `insert into territories (tenant_id, id, code, name) values ($1, gen_random_uuid(), 'NORTH', 'North'), ($1, gen_random_uuid(), 'SOUTH', 'South') returning id, code`,
      [tenantId],
    );
    const north = territories.rows.find((row) => row.code === 'NORTH')!.id;
    const south = territories.rows.find((row) => row.code === 'SOUTH')!.id;
    await owner.query(`insert into rep_territories (tenant_id, id, rep, territory_id) values ($1, gen_random_uuid(), $2, $3)`, [tenantId, repUserId, north]);
    const priceList = (await owner.query<{ id: string }>(`insert into price_lists (tenant_id, id, code, name, currency) values ($1, gen_random_uuid(), 'STD', 'Standard', 'EUR') returning id`, [tenantId])).rows[0]!.id;
    await owner.query(
      `insert into products (tenant_id, id, sku, gtin, name, localized_name, brand, category, base_unit, tax_class, list_price_amount, list_price_currency, active)
       select $1::uuid, ${uuidV7('t.ms', 't.h', 't.g')}, 'SKU-' || lpad(t.g::text, 5, '0'), lpad((5000000000000 + t.g * 7)::text, 13, '0'),
              (array['Alpina', 'Borealis', 'Cascade', 'Dunmore', 'Everfresh'])[1 + t.g % 5] || ' ' || (array['Cola 330ml', 'Orange juice 1L', 'Mineral water 1.5L', 'Crisps salted 150g', 'Chocolate bar 100g'])[1 + t.g % 5] || ' ' || t.g,
              jsonb_build_object('en', 'Product ' || t.g, 'fr', 'Produit ' || t.g),
              (array['Alpina', 'Borealis', 'Cascade', 'Dunmore', 'Everfresh'])[1 + t.g % 5],
              (array['beverages', 'snacks', 'dairy', 'household', 'personal care'])[1 + t.g % 5],
              (array['EA', 'PK', 'CS'])[1 + t.g % 3], (array['standard', 'reduced'])[1 + t.g % 2], 99 + (t.g * 37) % 2000, 'EUR', t.g % 17 <> 0
       from (select g, md5('product' || $1 || g) as h, 1767225600000 + g as ms from generate_series(1, $2::int) as g) as t`,
      [tenantId, spec.products],
    );
    await owner.query(
      `insert into prices (tenant_id, id, price_list_id, product_id, unit, amount_amount, amount_currency, valid_from)
       select $1::uuid, gen_random_uuid(), $2::uuid, p.id, u.unit, p.list_price_amount * u.factor, 'EUR', u.valid_from
       from products p cross join (values ('EA', 1, date '2026-01-01'), ('CS', 12, date '2026-03-01')) as u(unit, factor, valid_from)
       where p.tenant_id = $1`,
      [tenantId, priceList],
    );
    const foreign = Math.max(1, Math.round(spec.outlets / 10));
    await owner.query(
      `insert into outlets (tenant_id, id, code, name, legal_name, channel, segment, status, street, postal_code, city, region, country, latitude, longitude,
                            phone, email, tax_id, credit_limit_amount, credit_limit_currency, balance_amount, balance_currency, payment_terms_days,
                            minimum_order_amount, minimum_order_currency, price_list_id, territory_id, active)
       select $1::uuid, ${uuidV7('t.ms', 't.h', 't.g')}, 'OUT-' || lpad(t.g::text, 6, '0'),
              (array['Épicerie', 'Market', 'Kiosk', 'Pharmacie', 'Café'])[1 + t.g % 5] || ' ' || t.city || ' ' || t.g,
              'Société ' || t.g || ' SARL', (array['supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'])[1 + t.g % 7],
              (array['A', 'B', 'C'])[1 + t.g % 3], 'active', t.g || ' rue de la République', lpad((10000 + t.g * 13 % 89999)::text, 5, '0'),
              t.city, 'Region ' || (t.g % 12), 'FR', 45 + (t.g % 1000) / 1000.0, 4 + (t.g % 997) / 1000.0,
              '+33 1 ' || lpad((t.g * 7919 % 100000000)::text, 8, '0'), 'outlet' || t.g || '@example.com', 'FR' || lpad(t.g::text, 11, '0'),
              500000 + (t.g % 10) * 100000, 'EUR', (t.g * 31) % 250000, 'EUR', 30, 5000, 'EUR', $2::uuid,
              case when t.g <= $4 then $3::uuid else $5::uuid end, true
       from (select g, md5('outlet' || $1 || g) as h, 1767225600000 + g as ms,
                    (array['Lyon', 'Paris', 'Marseille', 'Lille', 'Nantes', 'Bordeaux', 'Toulouse'])[1 + g % 7] as city
             from generate_series(1, $4::int + $6::int) as g) as t`,
      [tenantId, priceList, north, spec.outlets, south, foreign],
    );
    await owner.query('commit');
    for (const table of ['territories', 'rep_territories', 'price_lists', 'products', 'prices', 'outlets', 'sync_changes']) await owner.query(`vacuum analyze ${table}`);
    const outlets = await owner.query<{ id: string; mine: boolean }>(`select id, territory_id = $2 as mine from outlets where tenant_id = $1 order by id`, [tenantId, north]);
    return {
      id: tenantId,
      slug: spec.slug,
      repUserId,
      repOutletIds: outlets.rows.filter((row) => row.mine).map((row) => row.id),
      foreignOutletIds: new Set(outlets.rows.filter((row) => !row.mine).map((row) => row.id)),
      expected: await expectedScope(owner, tenantId, repUserId),
      seedMs: performance.now() - started,
    };
  } catch (error) {
    await owner.query('rollback').catch(() => {});
    throw error;
  } finally {
    await owner.end();
  }
}

/** The outlets of the rep's territories (as the repTerritory attribute source reads them). */
const repOutletsSql = `select * from outlets where tenant_id = $1 and deleted_at is null
  and territory_id in (select territory_id from rep_territories where tenant_id = $1 and rep = $2 and deleted_at is null)`;

/** The floor's queries: every row of the rep's scope, one plain query per table (no RLS: the owner). */
export const scopeQueries: Record<string, string> = {
  territory: 'select * from territories where tenant_id = $1 and deleted_at is null',
  product: 'select * from products where tenant_id = $1 and deleted_at is null',
  priceList: 'select * from price_lists where tenant_id = $1 and deleted_at is null',
  price: 'select * from prices where tenant_id = $1 and deleted_at is null',
  outlet: repOutletsSql,
};

/** Rows per entity a member with the rep's territories may read (entities with no rows are left out). */
async function expectedScope(owner: pg.Client, tenantId: string, repUserId: string): Promise<Record<string, number>> {
  const expected: Record<string, number> = {};
  for (const [entity, query] of Object.entries(scopeQueries)) {
    const result = await owner.query<{ count: string }>(`select count(*) from (${query}) as scope`, query.includes('$2') ? [tenantId, repUserId] : [tenantId]);
    expected[entity] = Number(result.rows[0]!.count);
  }
  return expected;
}
