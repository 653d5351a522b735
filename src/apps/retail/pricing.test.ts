import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/shared/index.ts';
import { divideRounded, priceOrder, toScaled, type PricingInput, type PricingLine, type PricingPrice, type PricingPromotion } from './pricing.ts';

const outlet = { id: 'outlet-1', channel: 'supermarket', priceList: 'list-1' };
const products = [
  { id: 'p-standard', baseUnit: 'EA', taxClass: 'standard', active: true },
  { id: 'p-reduced', baseUnit: 'EA', taxClass: 'reduced', active: true },
  { id: 'p-zero', baseUnit: 'EA', taxClass: 'zero', active: true },
  { id: 'p-inactive', baseUnit: 'EA', taxClass: 'standard', active: false },
] as const;
const units = [
  { product: 'p-standard', unit: 'CS', factor: '12.000' },
  { product: 'p-standard', unit: 'PK', factor: '2.5' },
];

let priceCounter = 0;
const price = (values: Partial<PricingPrice> & { amount: number }): PricingPrice => ({
  id: `price-${String(++priceCounter).padStart(3, '0')}`,
  priceList: 'list-1',
  product: 'p-standard',
  unit: 'EA',
  currency: 'EUR',
  validFrom: '2026-01-01',
  validTo: null,
  channel: null,
  outlet: null,
  ...values,
});
const promotion = (values: Partial<PricingPromotion> & Pick<PricingPromotion, 'id' | 'kind'>): PricingPromotion => ({
  percent: null,
  amountOff: null,
  buyQuantity: null,
  freeQuantity: null,
  product: null,
  channel: null,
  validFrom: '2026-01-01',
  validTo: null,
  active: true,
  ...values,
});
const line = (values: Partial<PricingLine> = {}): PricingLine => ({ product: 'p-standard', unit: 'EA', quantity: '1', ...values });

function order(overrides: Partial<PricingInput>): PricingInput {
  return { outlet, currency: 'EUR', orderDate: '2026-06-15', lines: [line()], products: [...products], units, prices: [], promotions: [], ...overrides };
}
const firstLine = (input: PricingInput) => priceOrder(input).lines[0]!;

function pricingError(input: PricingInput): AppError {
  try {
    priceOrder(input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('priced without error');
}

describe('the unit price', () => {
  const general = price({ amount: 1000 });
  const forChannel = price({ amount: 900, channel: 'supermarket' });
  const forOutlet = price({ amount: 800, outlet: 'outlet-1' });

  it('takes the most specific valid price: the outlet’s, then the channel’s, then the general one', () => {
    expect(firstLine(order({ prices: [general, forChannel, forOutlet] })).unitPrice).toBe(800);
    expect(firstLine(order({ prices: [general, forChannel] })).unitPrice).toBe(900);
    expect(firstLine(order({ prices: [general] })).unitPrice).toBe(1000);
  });

  it('ignores prices of another outlet, another channel or another price list', () => {
    const prices = [general, price({ amount: 1, outlet: 'outlet-2' }), price({ amount: 2, channel: 'kiosk' }), price({ amount: 3, priceList: 'list-2', outlet: 'outlet-1' })];
    expect(firstLine(order({ prices })).unitPrice).toBe(1000);
  });

  it('prefers, among equally specific prices, the one valid from the latest date', () => {
    const prices = [price({ amount: 1000, validFrom: '2026-01-01' }), price({ amount: 1100, validFrom: '2026-03-01' })];
    expect(firstLine(order({ prices, orderDate: '2026-03-15' })).unitPrice).toBe(1100);
    expect(firstLine(order({ prices, orderDate: '2026-02-28' })).unitPrice).toBe(1000);
  });

  it('treats both ends of the validity as inclusive', () => {
    const bounded = [price({ amount: 700, validFrom: '2026-06-15', validTo: '2026-06-30' })];
    expect(firstLine(order({ prices: bounded, orderDate: '2026-06-15' })).unitPrice).toBe(700);
    expect(firstLine(order({ prices: bounded, orderDate: '2026-06-30' })).unitPrice).toBe(700);
    expect(pricingError(order({ prices: bounded, orderDate: '2026-06-14' })).code).toBe('retail.no_price');
    expect(pricingError(order({ prices: bounded, orderDate: '2026-07-01' })).code).toBe('retail.no_price');
  });

  it('prices another unit by its own price, or else by the base unit’s price times the factor', () => {
    const base = price({ amount: 1000 });
    expect(firstLine(order({ prices: [base], lines: [line({ unit: 'CS' })] })).unitPrice).toBe(12_000);
    expect(firstLine(order({ prices: [base, price({ amount: 11_000, unit: 'CS' })], lines: [line({ unit: 'CS' })] })).unitPrice).toBe(11_000);
    // 333 x 2.5 = 832.5: rounded half away from zero.
    expect(firstLine(order({ prices: [price({ amount: 333 })], lines: [line({ unit: 'PK' })] })).unitPrice).toBe(833);
  });

  it('refuses a unit the product is not sold in', () => {
    const error = pricingError(order({ prices: [price({ amount: 1000 })], lines: [line({ id: 'line-a', unit: 'KG' })] }));
    expect([error.kind, error.code, error.errors]).toEqual(['unprocessable', 'retail.unit_not_sold', [{ pointer: '/lines/line-a', detail: expect.any(String) }]]);
  });
});

describe('promotions', () => {
  const base = [price({ amount: 1000 }), price({ amount: 100, product: 'p-reduced' })];
  const priced = (promotions: PricingPromotion[], lines = [line({ quantity: '3' })]) => firstLine(order({ prices: base, promotions, lines }));

  it('takes a percentage off the gross', () => {
    expect(priced([promotion({ id: 'pct', kind: 'percentage', percent: '10.00' })])).toMatchObject({ gross: 3000, discount: 300, promotion: 'pct' });
  });

  it('takes a fixed amount off per base unit, never more than the gross, only in the order’s currency', () => {
    expect(priced([promotion({ id: 'fix', kind: 'fixed', amountOff: { amount: 50, currency: 'EUR' } })], [line({ unit: 'CS', quantity: '2' })])).toMatchObject({ gross: 24_000, discount: 1200 });
    expect(priced([promotion({ id: 'fix', kind: 'fixed', amountOff: { amount: 5000, currency: 'EUR' } })])).toMatchObject({ gross: 3000, discount: 3000, tax: 0, lineTotal: 0 });
    expect(priced([promotion({ id: 'fix', kind: 'fixed', amountOff: { amount: 50, currency: 'USD' } })])).toMatchObject({ discount: 0, promotion: null });
  });

  it('gives, in buy X get Y free, Y of every X + Y whole base units', () => {
    const buyTwoGetOne = promotion({ id: 'b2g1', kind: 'buyXGetY', buyQuantity: 2, freeQuantity: 1 });
    expect(priced([buyTwoGetOne], [line({ quantity: '7' })])).toMatchObject({ gross: 7000, discount: 2000 });
    expect(priced([buyTwoGetOne], [line({ quantity: '2.9' })])).toMatchObject({ discount: 0, promotion: null });
    // 2 cases of 12: 24 units, 8 free at 1000 each (a case costs 12,000).
    expect(priced([buyTwoGetOne], [line({ unit: 'CS', quantity: '2' })])).toMatchObject({ gross: 24_000, discount: 8000 });
  });

  it('applies at most one promotion per line: the one with the largest discount', () => {
    const promotions = [
      promotion({ id: 'pct', kind: 'percentage', percent: '10' }),
      promotion({ id: 'fix', kind: 'fixed', amountOff: { amount: 50, currency: 'EUR' } }),
      promotion({ id: 'b2g1', kind: 'buyXGetY', buyQuantity: 2, freeQuantity: 1 }),
    ];
    expect(priced(promotions)).toMatchObject({ gross: 3000, discount: 1000, promotion: 'b2g1' });
    expect(priced(promotions, [line({ quantity: '2' })])).toMatchObject({ gross: 2000, discount: 200, promotion: 'pct' });
  });

  it('applies a channel’s promotion only to outlets of that channel', () => {
    expect(priced([promotion({ id: 'kiosk', kind: 'percentage', percent: '50', channel: 'kiosk' })]).promotion).toBeNull();
    expect(priced([promotion({ id: 'super', kind: 'percentage', percent: '50', channel: 'supermarket' })]).promotion).toBe('super');
  });

  it('ignores inactive, expired, future promotions and those of another product; applies those of every product', () => {
    const ignored = [
      promotion({ id: 'inactive', kind: 'percentage', percent: '10', active: false }),
      promotion({ id: 'expired', kind: 'percentage', percent: '10', validTo: '2026-06-14' }),
      promotion({ id: 'future', kind: 'percentage', percent: '10', validFrom: '2026-06-16' }),
      promotion({ id: 'other', kind: 'percentage', percent: '10', product: 'p-reduced' }),
    ];
    expect(priced(ignored).promotion).toBeNull();
    expect(priced([...ignored, promotion({ id: 'all', kind: 'percentage', percent: '1', validTo: '2026-06-15' })]).promotion).toBe('all');
    expect(priced([promotion({ id: 'mine', kind: 'percentage', percent: '1', product: 'p-standard' })]).promotion).toBe('mine');
  });
});

describe('taxes, rounding and totals', () => {
  const prices = [price({ amount: 1000 }), price({ amount: 1000, product: 'p-reduced' }), price({ amount: 1000, product: 'p-zero' })];

  it('taxes the discounted line amount at its tax class’s rate (default: 20, 5.5, 0 percent)', () => {
    const result = priceOrder(order({ prices, lines: [line(), line({ product: 'p-reduced' }), line({ product: 'p-zero' })], promotions: [promotion({ id: 'pct', kind: 'percentage', percent: '10' })] }));
    expect(result.lines.map((entry) => entry.tax)).toEqual([180, 50, 0]);
    expect(priceOrder(order({ prices, taxRates: { standard: '19', reduced: '7', zero: '0' } })).lines[0]!.tax).toBe(190);
  });

  it('rounds each line amount half away from zero', () => {
    // 5 x 10 % = 0.5 -> 1; tax 5.5 % of 10 = 0.55 -> 1, of 9 = 0.495 -> 0.
    const cheap = [price({ amount: 5 }), price({ amount: 10, product: 'p-reduced' })];
    expect(firstLine(order({ prices: cheap, promotions: [promotion({ id: 'pct', kind: 'percentage', percent: '10' })] })).discount).toBe(1);
    expect(firstLine(order({ prices: cheap, lines: [line({ product: 'p-reduced' })] })).tax).toBe(1);
    expect(firstLine(order({ prices: [price({ amount: 9, product: 'p-reduced' })], lines: [line({ product: 'p-reduced' })] })).tax).toBe(0);
    // 333 x 1.5 = 499.5 -> 500; 0.001 x 1000 = 1.
    expect(firstLine(order({ prices: [price({ amount: 333 })], lines: [line({ quantity: '1.5' })] })).gross).toBe(500);
    expect(firstLine(order({ prices: [price({ amount: 1000 })], lines: [line({ quantity: '0.001' })] })).gross).toBe(1);
    expect([divideRounded(5n, 2n), divideRounded(-5n, 2n), divideRounded(7n, 3n), divideRounded(-7n, 3n)]).toEqual([3n, -3n, 2n, -2n]);
    expect([toScaled('12.5', 3), toScaled('0.0005', 3), toScaled('0.0004', 3), toScaled('-1.2345', 3)]).toEqual([12_500n, 1n, 0n, -1235n]);
  });

  it('sums the lines: total = subtotal - discounts + taxes', () => {
    const result = priceOrder(
      order({ prices, lines: [line({ quantity: '2' }), line({ product: 'p-reduced', quantity: '3' })], promotions: [promotion({ id: 'pct', kind: 'percentage', percent: '10', product: 'p-standard' })] }),
    );
    expect(result).toMatchObject({ currency: 'EUR', subtotal: 5000, discountTotal: 200, taxTotal: 360 + 165, total: 5000 - 200 + 525 });
    expect(result.lines.map((entry) => entry.lineTotal)).toEqual([2160, 3165]);
  });
});

describe('pricing errors', () => {
  it('lists every line that cannot be priced, pointing at it, under the first problem’s code', () => {
    const error = pricingError(
      order({
        prices: [price({ amount: 1000 })],
        lines: [line({ id: 'a' }), line({ id: 'b', product: 'p-inactive' }), line({ id: 'c', product: 'p-reduced' }), line({ id: 'd', product: 'p-gone' })],
      }),
    );
    expect([error.kind, error.code]).toEqual(['unprocessable', 'retail.product_inactive']);
    expect(error.errors?.map((entry) => entry.pointer)).toEqual(['/lines/b', '/lines/c', '/lines/d']);
    expect(error.extensions?.problems).toEqual([
      { code: 'retail.product_inactive', pointer: '/lines/b' },
      { code: 'retail.no_price', pointer: '/lines/c' },
      { code: 'retail.product_inactive', pointer: '/lines/d' },
    ]);
  });

  it('points at the line index when a line has no id', () => {
    expect(pricingError(order({ lines: [line(), line({ product: 'p-reduced' })], prices: [price({ amount: 1 })] })).errors?.[0]?.pointer).toBe('/lines/1');
  });

  it('refuses a price in another currency than the price list’s', () => {
    const error = pricingError(order({ prices: [price({ amount: 1000, currency: 'USD' })], lines: [line({ id: 'x' })] }));
    expect([error.code, error.errors?.[0]?.pointer]).toEqual(['retail.currency_mismatch', '/lines/x']);
  });

  it('refuses amounts beyond what a JSON number carries exactly', () => {
    const error = pricingError(order({ prices: [price({ amount: Number.MAX_SAFE_INTEGER })], lines: [line({ quantity: '2' })] }));
    expect(error.code).toBe('retail.amount_out_of_range');
  });
});
