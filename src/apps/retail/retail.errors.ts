/**
 * Error codes of the retail app. Public contract: add, never rename (catalogue in docs/api.md, "Retail").
 * Kinds: a rule the order's data breaks (fix the data, then retry) is `unprocessable` (422); a write
 * the record's state forbids is `conflict` (409, like records.illegal_transition); a malformed action
 * input is `invalid` (400, with a pointer).
 */
import { AppError, type FieldError } from '../../kernel/shared/index.ts';
import type { Money } from '../../kernel/model/index.ts';

/** Codes a line can fail pricing with; each problem points at the line (`/lines/<orderLine id>`). */
export type PricingProblemCode = 'retail.product_inactive' | 'retail.no_price' | 'retail.unit_not_sold' | 'retail.currency_mismatch';

export interface PricingProblem extends FieldError {
  readonly code: PricingProblemCode;
  readonly pointer: string;
}

const pricingTitles: Record<PricingProblemCode, string> = {
  'retail.product_inactive': 'Product not sold',
  'retail.no_price': 'No price',
  'retail.unit_not_sold': 'Unit not sold',
  'retail.currency_mismatch': 'Currency mismatch',
};

/** "12.50 EUR": minor units shown with the currency's own number of decimals (0 for JPY, 3 for TND). */
function formatMoney(money: Money): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(money.amount / 10 ** digits).toFixed(digits)} ${money.currency}`;
}

export const retailErrors = {
  /** Every line that cannot be priced; the code is the first problem's, `errors[]` lists them all. */
  pricing: (problems: readonly PricingProblem[]) => {
    const first = problems[0]!;
    return new AppError('unprocessable', first.code, pricingTitles[first.code], {
      detail: problems.map((problem) => `${problem.pointer}: ${problem.detail}`).join('; '),
      errors: problems.map(({ pointer, detail }) => ({ pointer, detail })),
      extensions: { problems: problems.map(({ code, pointer }) => ({ code, pointer })) },
    });
  },
  noPriceList: () =>
    new AppError('unprocessable', 'retail.no_price_list', 'No price list', {
      detail: 'The outlet has no active price list; ask a manager to assign one.',
      errors: [{ pointer: '/outlet', detail: 'no active price list' }],
    }),
  amountOutOfRange: (pointer: string) =>
    new AppError('unprocessable', 'retail.amount_out_of_range', 'Amount out of range', { detail: `${pointer}: the amount is too large to be priced.`, errors: [{ pointer, detail: 'amount too large' }] }),
  orderEmpty: () => new AppError('unprocessable', 'retail.order_empty', 'Order has no lines', { detail: 'Add at least one line before submitting the order.' }),
  outletInactive: () =>
    new AppError('unprocessable', 'retail.outlet_inactive', 'Outlet not active', {
      detail: 'The outlet is inactive, blocked or closed: it cannot take orders.',
      errors: [{ pointer: '/outlet', detail: 'not active' }],
    }),
  minimumOrder: (minimumOrder: Money, total: Money) => {
    const shortBy = { amount: minimumOrder.amount - total.amount, currency: total.currency };
    return new AppError('unprocessable', 'retail.minimum_order', 'Below the minimum order', {
      detail: `The order total ${formatMoney(total)} is below the outlet's minimum order ${formatMoney(minimumOrder)} by ${formatMoney(shortBy)}.`,
      extensions: { minimumOrder, total, shortBy },
    });
  },
  creditLimit: (creditLimit: Money, balance: Money, total: Money) => {
    const exceededBy = { amount: balance.amount + total.amount - creditLimit.amount, currency: total.currency };
    return new AppError('unprocessable', 'retail.credit_limit', 'Credit limit exceeded', {
      detail: `The outlet's open balance ${formatMoney(balance)} plus this order ${formatMoney(total)} exceeds its credit limit ${formatMoney(creditLimit)} by ${formatMoney(exceededBy)}.`,
      extensions: { creditLimit, balance, total, exceededBy },
    });
  },
  /** An outlet amount (credit limit, balance, minimum order) in another currency than the order's. */
  outletCurrencyMismatch: (property: string, currency: string, orderCurrency: string) =>
    new AppError('unprocessable', 'retail.currency_mismatch', 'Currency mismatch', {
      detail: `The outlet's ${property} is in ${currency}, the order in ${orderCurrency}: they cannot be compared.`,
      errors: [{ pointer: '/outlet', detail: `${property} in ${currency}` }],
    }),
  orderNotEditable: (status: string) =>
    new AppError('conflict', 'retail.order_not_editable', 'Order not editable', {
      detail: `The lines of an order in state "${status}" cannot change; only a draft order's lines can.`,
      errors: [{ pointer: '/order', detail: `order is ${status}` }],
      extensions: { state: status },
    }),
  invalidPosition: (pointer: string, detail: string) =>
    new AppError('invalid', 'retail.invalid_position', 'Invalid position', { detail: `${pointer}: ${detail}`, errors: [{ pointer, detail }] }),
  invalidTime: (pointer: string, detail: string) => new AppError('invalid', 'retail.invalid_time', 'Invalid time', { detail: `${pointer}: ${detail}`, errors: [{ pointer, detail }] }),
};
