import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/shared/index.ts';
import { assertCreditLimit, assertMinimumOrder, assertOutletActive, type OutletStanding } from './order-checks.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });
const outlet = (values: Partial<OutletStanding> = {}): OutletStanding => ({ status: 'active', active: true, creditLimit: null, balance: null, minimumOrder: null, ...values });

function refusal(check: () => void): AppError {
  try {
    check();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('no refusal');
}

describe('outlet terms on an order', () => {
  it('takes orders only from an active outlet whose status is active', () => {
    expect(() => assertOutletActive(outlet())).not.toThrow();
    for (const values of [{ active: false }, { status: 'blocked' }, { status: 'closed' }]) {
      expect(refusal(() => assertOutletActive(outlet(values))).code).toBe('retail.outlet_inactive');
    }
  });

  it('refuses a total below the minimum order, saying by how much; equal is enough', () => {
    expect(() => assertMinimumOrder(outlet({ minimumOrder: eur(5000) }), eur(5000))).not.toThrow();
    expect(() => assertMinimumOrder(outlet(), eur(1))).not.toThrow();
    const error = refusal(() => assertMinimumOrder(outlet({ minimumOrder: eur(5000) }), eur(4999)));
    expect([error.kind, error.code, error.extensions?.shortBy]).toEqual(['unprocessable', 'retail.minimum_order', eur(1)]);
  });

  it('refuses when the open balance plus the total exceeds the credit limit, saying by how much', () => {
    expect(() => assertCreditLimit(outlet({ creditLimit: eur(10_000), balance: eur(4000) }), eur(6000))).not.toThrow();
    expect(() => assertCreditLimit(outlet({ creditLimit: eur(10_000) }), eur(10_000))).not.toThrow();
    expect(() => assertCreditLimit(outlet({ balance: eur(1_000_000) }), eur(1))).not.toThrow();
    const error = refusal(() => assertCreditLimit(outlet({ creditLimit: eur(10_000), balance: eur(4000) }), eur(6250)));
    expect([error.kind, error.code]).toEqual(['unprocessable', 'retail.credit_limit']);
    expect(error.extensions).toEqual({ creditLimit: eur(10_000), balance: eur(4000), total: eur(6250), exceededBy: eur(250) });
    expect(error.message).toContain('by 2.50 EUR');
  });

  it('refuses to compare amounts in different currencies', () => {
    const error = refusal(() => assertCreditLimit(outlet({ creditLimit: { amount: 100, currency: 'USD' } }), eur(1)));
    expect([error.code, error.errors?.[0]?.pointer]).toEqual(['retail.currency_mismatch', '/outlet']);
  });
});
