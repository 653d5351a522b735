/**
 * Retail's part of GET /v1/config: the active survey forms (latest version of each code, with their
 * questions) and the default list layouts of the screens a rep's app shows.
 */
import { sql } from 'kysely';
import type { TenantContext, TenantTx } from '../../kernel/db/index.ts';

/** Columns and order of each list screen; a tenant's own layouts can replace these later. */
export const listLayouts = {
  outlets: { columns: ['code', 'name', 'channel', 'city', 'status'], sort: 'name', filters: ['channel', 'segment', 'city', 'territory'] },
  products: { columns: ['sku', 'name', 'brand', 'baseUnit', 'active'], sort: 'name', filters: ['brand', 'category', 'active'] },
  visits: { columns: ['plannedFor', 'outlet', 'status', 'farFromOutlet'], sort: '-plannedFor', filters: ['status', 'plannedFor'] },
  orders: { columns: ['number', 'orderDate', 'outlet', 'status', 'total'], sort: '-orderDate', filters: ['status', 'orderDate', 'outlet'] },
} as const;

export async function retailClientConfig(tx: TenantTx, context: TenantContext): Promise<Record<string, unknown>> {
  const { rows } = await sql<{ id: string; code: string; formVersion: number; title: unknown; definition: unknown }>`
    select distinct on (code) id, code, form_version as "formVersion", title, definition from survey_forms
    where tenant_id = ${context.tenantId} and active and deleted_at is null
    order by code, form_version desc`.execute(tx);
  return { forms: rows, listLayouts };
}
