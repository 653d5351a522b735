/**
 * Before any load: both servers answer the list request with the same rows, all of the asked
 * tenant, and the neighbour tenant sees only its own rows (RLS and the tenant filter both work).
 */
import type { BenchTenant } from './bench-database.ts';

interface Page {
  data: { id: string; sku: string }[];
  nextCursor: string | null;
}

async function getPage(base: string, path: string, tenant: string): Promise<Page> {
  const response = await fetch(`${base}${path}`, { headers: { 'x-tenant': tenant } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${base}${path} as ${tenant}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Page;
}

export async function verifyServers(options: { platform: string; floor: string; path: string; tenants: BenchTenant[] }): Promise<void> {
  const [main, neighbour] = options.tenants;
  if (!main || !neighbour) throw new Error('the bench needs two tenants');
  const platformPage = await getPage(options.platform, options.path, main.slug);
  const floorPage = await getPage(options.floor, options.path, main.slug);
  const ids = (page: Page) => page.data.map((row) => row.id).join(',');
  const limit = Number(new URL(options.path, 'http://x').searchParams.get('limit'));
  if (platformPage.data.length !== limit || !platformPage.nextCursor) throw new Error(`platform returned ${platformPage.data.length} rows (want ${limit}) or no cursor`);
  if (ids(platformPage) !== ids(floorPage)) throw new Error(`platform and floor return different rows:\n${ids(platformPage)}\n${ids(floorPage)}`);
  const prefix = `${main.slug.toUpperCase()}-`;
  if (!platformPage.data.every((row) => row.sku.startsWith(prefix))) throw new Error('platform returned rows of another tenant');
  const other = await getPage(options.platform, options.path, neighbour.slug);
  if (!other.data.every((row) => row.sku.startsWith(`${neighbour.slug.toUpperCase()}-`))) throw new Error('neighbour tenant sees foreign rows');
  const missing = await fetch(`${options.platform}${options.path}`);
  await missing.body?.cancel();
  if (missing.status !== 401) throw new Error(`platform answered ${missing.status} without a tenant (want 401)`);
}
