/**
 * Server work of the order lifecycle: `submit` prices the lines (writing each line's server-owned
 * amounts) and checks the outlet's terms; `approve` re-checks them at approval time; `reject` records
 * its reason. `cancel` and `fulfil` are plain transitions of the model and need no handler.
 */
import Type from 'typebox';
import type { ActionCall, ActionHandler, Money } from '../../kernel/model/index.ts';
import { assertCreditLimit, assertMinimumOrder, assertOutletActive } from './order-checks.ts';
import { priceOrder, type PricedOrder, type TaxRates } from './pricing.ts';
import { order, orderLine } from './retail.model.ts';
import { retailErrors } from './retail.errors.ts';
import { findOutletTerms, findPriceList, listOrderLines, loadCatalogue, type OrderLineRow, type OutletTerms } from './retail.repository.ts';

export interface OrderActionOptions {
  /** Tax rates per class; default: `defaultTaxRates` of pricing.ts. */
  readonly taxRates?: TaxRates;
}

const money = (amount: number, currency: string): Money => ({ amount, currency });

/** The order's outlet, which must be live and active. */
async function activeOutletOf(call: ActionCall): Promise<OutletTerms> {
  const outlet = await findOutletTerms(call.tx, call.context.tenantId, String(call.record.outlet));
  if (!outlet) throw retailErrors.outletInactive();
  assertOutletActive(outlet);
  return outlet;
}

/** Prices the order's lines at its order date, in its outlet's price list, from the catalogue in the database. */
async function priceLines(call: ActionCall, outlet: OutletTerms, lines: readonly OrderLineRow[], taxRates: TaxRates | undefined): Promise<PricedOrder> {
  const { tx, context, record } = call;
  const priceList = outlet.priceList ? await findPriceList(tx, context.tenantId, outlet.priceList) : undefined;
  if (!priceList?.active) throw retailErrors.noPriceList();
  const orderDate = String(record.orderDate);
  const catalogue = await loadCatalogue(tx, context.tenantId, { priceList: priceList.id, products: [...new Set(lines.map((line) => line.product))], date: orderDate });
  return priceOrder({
    outlet: { id: outlet.id, channel: outlet.channel, priceList: priceList.id },
    currency: priceList.currency,
    orderDate,
    lines,
    ...catalogue,
    ...(taxRates ? { taxRates } : {}),
  });
}

export function createOrderActions(options: OrderActionOptions = {}): ActionHandler[] {
  return [
    {
      entity: order,
      action: 'submit',
      summary: 'Submit a draft order: the server prices its lines and checks the outlet’s minimum order and credit limit',
      async run(call) {
        // An empty order is the rep's to fix first, whatever the outlet.
        const lines = await listOrderLines(call.tx, call.context.tenantId, call.record.id);
        if (lines.length === 0) throw retailErrors.orderEmpty();
        const outlet = await activeOutletOf(call);
        const priced = await priceLines(call, outlet, lines, options.taxRates);
        const total = money(priced.total, priced.currency);
        assertMinimumOrder(outlet, total);
        assertCreditLimit(outlet, total);
        for (const line of priced.lines) {
          await call.updateRecord(orderLine, line.id!, {
            unitPrice: money(line.unitPrice, priced.currency),
            discount: money(line.discount, priced.currency),
            tax: money(line.tax, priced.currency),
            lineTotal: money(line.lineTotal, priced.currency),
            promotion: line.promotion,
          });
        }
        return {
          set: {
            currency: priced.currency,
            subtotal: money(priced.subtotal, priced.currency),
            discountTotal: money(priced.discountTotal, priced.currency),
            taxTotal: money(priced.taxTotal, priced.currency),
            total,
          },
        };
      },
    },
    {
      entity: order,
      action: 'approve',
      summary: 'Approve a submitted order (managers); the outlet must still be active and within its credit limit',
      async run(call) {
        const outlet = await activeOutletOf(call);
        // The balance may have grown since submission: the credit limit is checked again now.
        const total = call.record.total as Money | null;
        if (total) assertCreditLimit(outlet, total);
      },
    },
    {
      entity: order,
      action: 'reject',
      summary: 'Reject a submitted order with a reason (managers)',
      input: Type.Object(
        { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Why the order is rejected; shown to the rep' }) },
        { additionalProperties: false, examples: [{ reason: 'Outlet has unpaid invoices' }] },
      ),
      run: async ({ input }) => ({ set: { rejectionReason: String(input.reason).trim() } }),
    },
  ];
}

export const orderActions: readonly ActionHandler[] = createOrderActions();
