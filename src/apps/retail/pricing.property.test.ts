/**
 * Pricing against an independent, deliberately plain re-implementation (one loop per line, sorts
 * instead of running maxima, BigInt on integers the generators produce directly), for random
 * catalogues, prices, promotions and lines; and the invariants of every priced order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/shared/index.ts';
import { priceOrder, type PricingInput, type TaxClass } from './pricing.ts';

const orderDate = '2026-06-15';
const dates = ['2026-05-01', '2026-06-14', '2026-06-15', '2026-06-16', '2026-07-01'];
const channels = ['supermarket', 'kiosk'];
const outlet = { id: 'o1', channel: 'supermarket', priceList: 'L1' };
const ratesInHundredths: Record<TaxClass, bigint> = { standard: 2000n, reduced: 550n, zero: 0n };

/** Thousandths as a decimal string: 12500 -> "12.500". */
const milli = (value: number) => `${Math.floor(value / 1000)}.${String(value % 1000).padStart(3, '0')}`;
const hundredths = (value: number) => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;

const validity = fc.record({ validFrom: fc.constantFrom(...dates), validTo: fc.option(fc.constantFrom(...dates), { nil: null }) });

const catalogue = fc
  .record({
    products: fc.array(
      fc.record({ baseUnit: fc.constantFrom('EA', 'KG'), taxClass: fc.constantFrom<TaxClass>('standard', 'reduced', 'zero'), active: fc.integer({ min: 0, max: 19 }).map((draw) => draw > 0) }),
      { minLength: 4, maxLength: 4 },
    ),
    // Every product has a general price in the base unit most of the time, so most orders can be priced.
    basePrices: fc.array(fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null, freq: 10 }), { minLength: 4, maxLength: 4 }),
    caseFactors: fc.array(fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }), { minLength: 4, maxLength: 4 }),
    prices: fc.array(
      fc.record({
        product: fc.nat(4),
        inCases: fc.boolean(),
        amount: fc.integer({ min: 0, max: 100_000 }),
        currency: fc.integer({ min: 0, max: 29 }).map((draw) => (draw === 0 ? 'USD' : 'EUR')),
        validity,
        priceList: fc.constantFrom('L1', 'L1', 'L2'),
        channel: fc.option(fc.constantFrom(...channels), { nil: null }),
        outlet: fc.option(fc.constantFrom('o1', 'o2'), { nil: null }),
      }),
      { maxLength: 14 },
    ),
    promotions: fc.array(
      fc.record({
        kind: fc.constantFrom('percentage', 'fixed', 'buyXGetY') as fc.Arbitrary<'percentage' | 'fixed' | 'buyXGetY'>,
        percentHundredths: fc.integer({ min: 0, max: 10_000 }),
        amountOff: fc.integer({ min: 0, max: 5_000 }),
        amountOffCurrency: fc.constantFrom('EUR', 'EUR', 'USD'),
        buy: fc.integer({ min: 1, max: 5 }),
        free: fc.integer({ min: 1, max: 3 }),
        product: fc.option(fc.nat(4), { nil: null, freq: 2 }),
        channel: fc.option(fc.constantFrom(...channels), { nil: null }),
        validity,
        active: fc.integer({ min: 0, max: 4 }).map((draw) => draw > 0),
      }),
      { maxLength: 6 },
    ),
    lines: fc.array(
      fc.record({
        // Product 4 does not exist; PK is nobody's unit.
        product: fc.integer({ min: 0, max: 39 }).map((draw) => (draw === 39 ? 4 : draw % 4)),
        unit: fc.oneof({ arbitrary: fc.constant('base'), weight: 12 }, { arbitrary: fc.constant('CS'), weight: 6 }, { arbitrary: fc.constant('PK'), weight: 1 }),
        quantityMilli: fc.integer({ min: 1, max: 20_000 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((generated) => ({
    generated,
    input: {
      outlet,
      currency: 'EUR',
      orderDate,
      products: generated.products.map((product, index) => ({ id: `p${index}`, ...product })),
      units: generated.caseFactors.flatMap((factor, index) => (factor === null ? [] : [{ product: `p${index}`, unit: 'CS', factor: milli(factor) }])),
      prices: [
        ...generated.basePrices.flatMap((amount, product) =>
          amount === null
            ? []
            : [{ id: `base-${product}`, priceList: 'L1', product: `p${product}`, unit: generated.products[product]!.baseUnit, amount, currency: 'EUR', validFrom: '2026-01-01', validTo: null, channel: null, outlet: null }],
        ),
        ...generated.prices.map((entry, index) => ({
        id: `price-${String(index).padStart(2, '0')}`,
        priceList: entry.priceList,
        product: `p${entry.product}`,
        unit: entry.inCases ? 'CS' : (generated.products[entry.product]?.baseUnit ?? 'EA'),
        amount: entry.amount,
        currency: entry.currency,
        ...entry.validity,
        channel: entry.channel,
        outlet: entry.outlet,
      })),
      ],
      promotions: generated.promotions.map((entry, index) => ({
        id: `promo-${index}`,
        kind: entry.kind,
        percent: entry.kind === 'percentage' ? hundredths(entry.percentHundredths) : null,
        amountOff: entry.kind === 'fixed' ? { amount: entry.amountOff, currency: entry.amountOffCurrency } : null,
        buyQuantity: entry.kind === 'buyXGetY' ? entry.buy : null,
        freeQuantity: entry.kind === 'buyXGetY' ? entry.free : null,
        product: entry.product === null ? null : `p${entry.product}`,
        channel: entry.channel,
        ...entry.validity,
        active: entry.active,
      })),
      lines: generated.lines.map((entry, index) => ({
        id: `line-${index}`,
        product: `p${entry.product}`,
        unit: entry.unit === 'base' ? (generated.products[entry.product]?.baseUnit ?? 'EA') : entry.unit,
        quantity: milli(entry.quantityMilli),
      })),
    } satisfies PricingInput,
  }));

type Generated = typeof catalogue extends fc.Arbitrary<infer T> ? T : never;
type Expected = { error: string; pointers: string[] } | { lines: { unitPrice: bigint; gross: bigint; discount: bigint; tax: bigint; promotion: string | null }[] };

/** Non-negative a / b, half up (= half away from zero for non-negatives). */
const roundDiv = (a: bigint, b: bigint) => (2n * a + b) / (2n * b);
const validOn = (entry: { validFrom: string; validTo: string | null }) => entry.validFrom <= orderDate && (entry.validTo === null || entry.validTo >= orderDate);

function reference({ generated, input }: Generated): Expected {
  const problems: { code: string; pointer: string }[] = [];
  const lines: Exclude<Expected, { error: string }>['lines'] = [];
  for (let index = 0; index < generated.lines.length; index++) {
    const line = generated.lines[index]!;
    const pointer = `/lines/line-${index}`;
    const product = generated.products[line.product];
    if (!product || !product.active) {
      problems.push({ code: 'retail.product_inactive', pointer });
      continue;
    }
    const unit = line.unit === 'base' ? product.baseUnit : line.unit;
    let factorMilli: bigint;
    if (unit === product.baseUnit) factorMilli = 1000n;
    else if (unit === 'CS' && generated.caseFactors[line.product] != null) factorMilli = BigInt(generated.caseFactors[line.product]!);
    else {
      problems.push({ code: 'retail.unit_not_sold', pointer });
      continue;
    }
    const candidates = (wanted: string) =>
      input.prices
        .filter((entry) => entry.priceList === 'L1' && entry.product === `p${line.product}` && entry.unit === wanted && validOn(entry))
        .filter((entry) => (entry.outlet === null || entry.outlet === 'o1') && (entry.channel === null || entry.channel === 'supermarket'))
        .sort((a, b) => (b.outlet ? 2 : b.channel ? 1 : 0) - (a.outlet ? 2 : a.channel ? 1 : 0) || b.validFrom.localeCompare(a.validFrom) || (a.id < b.id ? -1 : 1));
    const own = candidates(unit)[0];
    const fallback = own || unit === product.baseUnit ? undefined : candidates(product.baseUnit)[0];
    const chosen = own ?? fallback;
    if (!chosen) {
      problems.push({ code: 'retail.no_price', pointer });
      continue;
    }
    if (chosen.currency !== 'EUR') {
      problems.push({ code: 'retail.currency_mismatch', pointer });
      continue;
    }
    const unitPrice = own ? BigInt(chosen.amount) : roundDiv(BigInt(chosen.amount) * factorMilli, 1000n);
    const gross = roundDiv(unitPrice * BigInt(line.quantityMilli), 1000n);
    const offers = input.promotions
      .filter((promotion) => promotion.active && validOn(promotion) && (promotion.product === null || promotion.product === `p${line.product}`))
      .filter((promotion) => promotion.channel === null || promotion.channel === 'supermarket')
      .map((promotion) => {
        let amount = 0n;
        if (promotion.kind === 'percentage') amount = roundDiv(gross * BigInt(Math.round(Number(promotion.percent) * 100)), 10_000n);
        if (promotion.kind === 'fixed' && promotion.amountOff!.currency === 'EUR') amount = roundDiv(BigInt(promotion.amountOff!.amount) * BigInt(line.quantityMilli) * factorMilli, 1_000_000n);
        if (promotion.kind === 'buyXGetY') {
          const wholeUnits = (BigInt(line.quantityMilli) * factorMilli) / 1_000_000n;
          const freeUnits = (wholeUnits / BigInt(promotion.buyQuantity! + promotion.freeQuantity!)) * BigInt(promotion.freeQuantity!);
          amount = roundDiv(freeUnits * unitPrice * 1000n, factorMilli);
        }
        return { id: promotion.id, amount: amount < gross ? amount : gross };
      })
      .filter((offer) => offer.amount > 0n)
      .sort((a, b) => (a.amount === b.amount ? (a.id < b.id ? -1 : 1) : a.amount > b.amount ? -1 : 1));
    const discount = offers[0]?.amount ?? 0n;
    const tax = roundDiv((gross - discount) * ratesInHundredths[product.taxClass], 10_000n);
    lines.push({ unitPrice, gross, discount, tax, promotion: offers[0]?.id ?? null });
  }
  if (problems.length > 0) return { error: problems[0]!.code, pointers: problems.map((problem) => problem.pointer) };
  return { lines };
}

function actual(input: PricingInput): Expected {
  try {
    const priced = priceOrder(input);
    return { lines: priced.lines.map((line) => ({ unitPrice: BigInt(line.unitPrice), gross: BigInt(line.gross), discount: BigInt(line.discount), tax: BigInt(line.tax), promotion: line.promotion })) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error: error.code, pointers: (error.errors ?? []).map((entry) => entry.pointer!) };
  }
}

describe('pricing, property-based', () => {
  it('equals a plain re-implementation for random catalogues, prices, promotions and lines', () => {
    const outcomes = { priced: 0, refused: 0, discounted: 0 };
    fc.assert(
      fc.property(catalogue, (sample) => {
        const expected = reference(sample);
        expect(actual(sample.input)).toEqual(expected);
        if ('error' in expected) outcomes.refused += 1;
        else {
          outcomes.priced += 1;
          if (expected.lines.some((line) => line.discount > 0n)) outcomes.discounted += 1;
        }
      }),
      { seed: 20261121, numRuns: 1000 },
    );
    // Not vacuous: both priced orders (with promotions) and refusals are compared.
    expect(outcomes.priced).toBeGreaterThan(300);
    expect(outcomes.discounted).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });

  it('keeps the invariants: total = subtotal - discounts + taxes, no negative amount, discount <= gross per line', () => {
    let priced = 0;
    fc.assert(
      fc.property(catalogue, ({ input }) => {
        let order;
        try {
          order = priceOrder(input);
        } catch (error) {
          if (error instanceof AppError) return;
          throw error;
        }
        priced += 1;
        expect(order.total).toBe(order.subtotal - order.discountTotal + order.taxTotal);
        expect(order.subtotal).toBe(order.lines.reduce((sum, line) => sum + line.gross, 0));
        expect(order.discountTotal).toBe(order.lines.reduce((sum, line) => sum + line.discount, 0));
        expect(order.taxTotal).toBe(order.lines.reduce((sum, line) => sum + line.tax, 0));
        expect(order.total).toBe(order.lines.reduce((sum, line) => sum + line.lineTotal, 0));
        for (const line of order.lines) {
          for (const amount of [line.unitPrice, line.gross, line.discount, line.tax, line.lineTotal]) expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true);
          expect(line.discount).toBeLessThanOrEqual(line.gross);
          expect(line.lineTotal).toBe(line.gross - line.discount + line.tax);
          expect(line.promotion === null).toBe(line.discount === 0);
        }
      }),
      { seed: 4242, numRuns: 1000 },
    );
    // Not vacuous: a good share of the random orders could be priced.
    expect(priced).toBeGreaterThan(300);
  });
});
