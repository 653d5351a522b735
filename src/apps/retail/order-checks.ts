/**
 * The outlet's commercial rules on an order's total, pure: the outlet takes orders, the total reaches
 * its minimum order, and its open balance plus the total stays within its credit limit. Amounts are
 * integer minor units in the order's currency; an outlet amount in another currency cannot be compared.
 */
import type { Money } from '../../kernel/model/index.ts';
import { retailErrors } from './retail.errors.ts';

export interface OutletStanding {
  readonly status: string;
  readonly active: boolean;
  readonly creditLimit: Money | null;
  readonly balance: Money | null;
  readonly minimumOrder: Money | null;
}

/** Only an active outlet (flag on, status "active") takes or gets approved orders. */
export function assertOutletActive(outlet: OutletStanding): void {
  if (!outlet.active || outlet.status !== 'active') throw retailErrors.outletInactive();
}

/** The total must reach the outlet's minimum order (none set: no minimum). */
export function assertMinimumOrder(outlet: OutletStanding, total: Money): void {
  const minimum = inCurrency(outlet.minimumOrder, 'minimumOrder', total.currency);
  if (minimum && total.amount < minimum.amount) throw retailErrors.minimumOrder(minimum, total);
}

/** Open balance (none: 0) + this total must not exceed the credit limit (none set: no limit). */
export function assertCreditLimit(outlet: OutletStanding, total: Money): void {
  const limit = inCurrency(outlet.creditLimit, 'creditLimit', total.currency);
  if (!limit) return;
  const balance = inCurrency(outlet.balance, 'balance', total.currency) ?? { amount: 0, currency: total.currency };
  if (balance.amount + total.amount > limit.amount) throw retailErrors.creditLimit(limit, balance, total);
}

function inCurrency(value: Money | null, property: string, currency: string): Money | null {
  if (value && value.currency !== currency) throw retailErrors.outletCurrencyMismatch(property, value.currency, currency);
  return value;
}
