/**
 * The bench's own throwaway PostgreSQL: an embedded cluster in a temp directory on a free port,
 * one database migrated with the platform's migrations, and two tenants of products written with
 * set-based SQL as the owner (the runtime role could not write them faster and RLS is not what
 * is measured while seeding).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { appModules, migrateDatabase, type DatabaseUrls } from '../../src/compose.ts';
import { loadConfig } from '../../src/kernel/config/index.ts';
import { openDatabase, runtimeRoleName, startEmbeddedServer, withUrlParts, type EmbeddedServer } from '../../src/kernel/db/index.ts';
import { freePort } from './processes.ts';

export interface BenchTenant {
  id: string;
  slug: string;
  products: number;
}

export interface BenchDatabase {
  readonly dataDir: string;
  readonly clusterDir: string;
  readonly ownerUrl: string;
  readonly appUrl: string;
  readonly tenants: BenchTenant[];
  readonly serverVersion: string;
  readonly seedMs: number;
  stop(): Promise<void>;
}

const appPassword = 'tenantry-app-bench';

export async function startBenchDatabase(products: number, otherProducts: number, onStarted: (dataDir: string) => void): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-bench-'));
  onStarted(dataDir);
  const embedded: EmbeddedServer = await startEmbeddedServer({ dataDir, port: await freePort(), persistent: false });
  try {
    const admin = openDatabase(embedded.adminUrl, { max: 1 });
    let serverVersion: string;
    try {
      await sql.raw('CREATE DATABASE tenantry_bench').execute(admin.db);
      serverVersion = (await sql<{ server_version: string }>`show server_version`.execute(admin.db)).rows[0]!.server_version;
    } finally {
      await admin.close();
    }
    const ownerUrl = withUrlParts(embedded.adminUrl, { database: 'tenantry_bench' });
    const urls: DatabaseUrls = { ownerUrl, appUrl: withUrlParts(ownerUrl, { user: runtimeRoleName, password: appPassword }), managedRole: true };
    const config = loadConfig({ env: {}, envFile: false, overrides: { DATABASE_URL: ownerUrl, DATABASE_APP_PASSWORD: appPassword } });
    await migrateDatabase(urls, config, appModules);
    const started = performance.now();
    const tenants = await seedTenants(ownerUrl, [
      { slug: 'bench', products },
      { slug: 'neighbour', products: otherProducts },
    ]);
    return {
      dataDir,
      clusterDir: join(dataDir, 'pg'),
      ownerUrl,
      appUrl: urls.appUrl,
      tenants,
      serverVersion,
      seedMs: performance.now() - started,
      stop: () => embedded.stop(),
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/**
 * Products valid per the retail model: unique sku and gtin, name, localized name, brand, category,
 * base unit, price, active. Ids are UUIDv7-shaped (48-bit millisecond prefix) like the app makes
 * them, and both tenants' rows are interleaved in time. One row in a hundred extra is a tombstone
 * (deleted_at set) so `deleted_at is null` has something to skip.
 */
async function seedTenants(ownerUrl: string, specs: { slug: string; products: number }[]): Promise<BenchTenant[]> {
  const owner = openDatabase(ownerUrl, { max: 1, statementTimeoutMs: 600_000 });
  try {
    const tenants: BenchTenant[] = [];
    for (const [index, spec] of specs.entries()) {
      const created = await sql<{ id: string }>`
        insert into tenants (id, slug, name) values (gen_random_uuid(), ${spec.slug}, ${`Bench ${spec.slug}`}) returning id`.execute(owner.db);
      const tenantId = created.rows[0]!.id;
      const tombstones = Math.floor(spec.products / 100);
      await sql`
        insert into products (tenant_id, id, created_at, updated_at, deleted_at, sku, gtin, name, localized_name, brand, category,
                              base_unit, list_price_amount, list_price_currency, active)
        select ${tenantId}::uuid,
               (lpad(to_hex(t.ms), 12, '0') || '7' || substr(t.h, 1, 3) || substr('89ab', 1 + (t.g % 4), 1) || substr(t.h, 4, 15))::uuid,
               to_timestamp(t.ms / 1000.0), to_timestamp(t.ms / 1000.0),
               case when t.g > ${spec.products} then to_timestamp(t.ms / 1000.0) + interval '1 day' end,
               ${spec.slug.toUpperCase()} || '-' || lpad(t.g::text, 7, '0'),
               lpad((4000000000000 + t.g)::text, 13, '0'),
               'Product ' || t.g || ' ' || (array['Cola 330ml', 'Orange juice 1L', 'Mineral water 1.5L', 'Crisps salted 150g', 'Chocolate bar 100g'])[1 + t.g % 5],
               jsonb_build_object('en', 'Product ' || t.g, 'fr', 'Produit ' || t.g, 'de', 'Produkt ' || t.g),
               (array['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark'])[1 + t.g % 5],
               (array['beverages', 'snacks', 'dairy', 'household', 'personal care', 'frozen'])[1 + t.g % 6],
               (array['EA', 'PK', 'CS', 'KG', 'L'])[1 + t.g % 5],
               100 + (t.g * 37) % 10000, 'EUR', t.g % 50 <> 0
        from (
          select g, md5(${tenantId} || g::text) as h,
                 1735689600000 + (case when g > ${spec.products} then (g - ${spec.products}) * 100 - 50 else g end) * 3 + ${index} as ms
          from generate_series(1, ${spec.products + tombstones}) as g
        ) as t`.execute(owner.db);
      tenants.push({ id: tenantId, slug: spec.slug, products: spec.products });
    }
    await sql.raw('VACUUM ANALYZE products').execute(owner.db);
    await sql.raw('VACUUM ANALYZE tenants').execute(owner.db);
    return tenants;
  } finally {
    await owner.close();
  }
}
