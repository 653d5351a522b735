/**
 * Retail's own queries for its actions and rules: the only code of the app that touches its tables
 * directly. Every function takes the tenant transaction first and filters by tenant_id (RLS does too)
 * and skips soft-deleted rows.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../kernel/db/index.ts';
import type { Money } from '../../kernel/model/index.ts';
import type { PricingProduct, PricingProductUnit, PricingPrice, PricingPromotion, TaxClass } from './pricing.ts';

export interface OutletTerms {
  readonly id: string;
  readonly channel: string;
  readonly status: string;
  readonly active: boolean;
  readonly priceList: string | null;
  readonly creditLimit: Money | null;
  readonly balance: Money | null;
  readonly minimumOrder: Money | null;
  /** Decimal strings; null when unknown. */
  readonly latitude: string | null;
  readonly longitude: string | null;
}

export interface OrderLineRow {
  readonly id: string;
  readonly product: string;
  readonly unit: string;
  readonly quantity: string;
}

export interface Catalogue {
  readonly products: PricingProduct[];
  readonly units: PricingProductUnit[];
  readonly prices: PricingPrice[];
  readonly promotions: PricingPromotion[];
}

const money = (amount: unknown, currency: unknown): Money | null =>
  amount === null || amount === undefined ? null : { amount: Number(amount), currency: String(currency).trim() };

/** The outlet's commercial terms and position. */
export async function findOutletTerms(tx: TenantTx, tenantId: string, outletId: string): Promise<OutletTerms | undefined> {
  const { rows } = await sql<Record<string, any>>`
    select id, channel, status, active, price_list_id, credit_limit_amount, credit_limit_currency, balance_amount, balance_currency,
           minimum_order_amount, minimum_order_currency, latitude, longitude
    from outlets where tenant_id = ${tenantId} and id = ${outletId} and deleted_at is null`.execute(tx);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    channel: row.channel,
    status: row.status,
    active: row.active,
    priceList: row.price_list_id,
    creditLimit: money(row.credit_limit_amount, row.credit_limit_currency),
    balance: money(row.balance_amount, row.balance_currency),
    minimumOrder: money(row.minimum_order_amount, row.minimum_order_currency),
    latitude: row.latitude,
    longitude: row.longitude,
  };
}

export async function findPriceList(tx: TenantTx, tenantId: string, priceListId: string): Promise<{ id: string; currency: string; active: boolean } | undefined> {
  const { rows } = await sql<{ id: string; currency: string; active: boolean }>`
    select id, currency, active from price_lists where tenant_id = ${tenantId} and id = ${priceListId} and deleted_at is null`.execute(tx);
  return rows[0];
}

/** The live lines of an order, oldest first. */
export async function listOrderLines(tx: TenantTx, tenantId: string, orderId: string): Promise<OrderLineRow[]> {
  const { rows } = await sql<OrderLineRow>`
    select id, product_id as product, unit, quantity::text as quantity
    from order_lines where tenant_id = ${tenantId} and order_id = ${orderId} and deleted_at is null
    order by created_at, id`.execute(tx);
  return rows;
}

/** What pricing needs for these products: the products, their units, the list's prices and the promotions valid on the date. */
export async function loadCatalogue(tx: TenantTx, tenantId: string, options: { priceList: string; products: readonly string[]; date: string }): Promise<Catalogue> {
  const productIds = [...options.products];
  const validOn = sql`valid_from <= ${options.date}::date and (valid_to is null or valid_to >= ${options.date}::date)`;
  const products = await sql<{ id: string; baseUnit: string; taxClass: TaxClass; active: boolean }>`
    select id, base_unit as "baseUnit", tax_class as "taxClass", active
    from products where tenant_id = ${tenantId} and id = any(${productIds}::uuid[]) and deleted_at is null`.execute(tx);
  const units = await sql<PricingProductUnit>`
    select product_id as product, unit, factor::text as factor
    from product_units where tenant_id = ${tenantId} and product_id = any(${productIds}::uuid[]) and deleted_at is null`.execute(tx);
  const prices = await sql<Record<string, any>>`
    select id, price_list_id, product_id, unit, amount_amount, amount_currency, valid_from, valid_to, channel, outlet_id
    from prices where tenant_id = ${tenantId} and price_list_id = ${options.priceList} and product_id = any(${productIds}::uuid[])
      and ${validOn} and deleted_at is null`.execute(tx);
  const promotions = await sql<Record<string, any>>`
    select id, kind, percent::text as percent, amount_off_amount, amount_off_currency, buy_quantity, free_quantity, product_id, channel, valid_from, valid_to, active
    from promotions where tenant_id = ${tenantId} and active and ${validOn} and (product_id is null or product_id = any(${productIds}::uuid[]))
      and deleted_at is null`.execute(tx);
  return {
    products: products.rows,
    units: units.rows,
    prices: prices.rows.map((row) => ({
      id: row.id,
      priceList: row.price_list_id,
      product: row.product_id,
      unit: row.unit,
      amount: Number(row.amount_amount),
      currency: String(row.amount_currency).trim(),
      validFrom: row.valid_from,
      validTo: row.valid_to,
      channel: row.channel,
      outlet: row.outlet_id,
    })),
    promotions: promotions.rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      percent: row.percent,
      amountOff: money(row.amount_off_amount, row.amount_off_currency),
      buyQuantity: row.buy_quantity,
      freeQuantity: row.free_quantity,
      product: row.product_id,
      channel: row.channel,
      validFrom: row.valid_from,
      validTo: row.valid_to,
      active: row.active,
    })),
  };
}

/**
 * The order's state, share-locked until the transaction ends: a line write waits for a submit in
 * progress (which holds the order FOR UPDATE) and then sees the order's new state.
 */
export async function lockOrderState(tx: TenantTx, tenantId: string, orderId: string): Promise<{ status: string; deleted: boolean } | undefined> {
  const { rows } = await sql<{ status: string; deleted: boolean }>`
    select status, deleted_at is not null as deleted from orders where tenant_id = ${tenantId} and id = ${orderId} for share`.execute(tx);
  return rows[0];
}
