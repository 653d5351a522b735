/**
 * Order pricing, pure (no I/O): the unit price of each line from the outlet's price list, at most
 * one promotion per line, taxes per tax class, all in integer minor units.
 * Terms: gross = unit price x quantity; discount = the promotion's amount off the gross;
 * net = gross - discount; tax = net x rate; line total = net + tax.
 * Rounding: every line amount (unit price converted from the base unit, gross, discount, tax) is
 * rounded once, half away from zero, from exact integer arithmetic (BigInt); order totals are exact
 * sums of the rounded line amounts, so total = subtotal - discountTotal + taxTotal = sum of line totals.
 */
import { retailErrors, type PricingProblem } from './retail.errors.ts';

export type TaxClass = 'standard' | 'reduced' | 'zero';
/** Tax rates in percent (decimal strings), per tax class. */
export type TaxRates = Readonly<Record<TaxClass, string>>;

/** The default tax table (percent): standard 20, reduced 5.5, zero 0. A parameter of `priceOrder`. */
export const defaultTaxRates: TaxRates = { standard: '20', reduced: '5.5', zero: '0' };

export interface PricingOutlet {
  readonly id: string;
  readonly channel: string;
  readonly priceList: string;
}
export interface PricingProduct {
  readonly id: string;
  readonly baseUnit: string;
  readonly taxClass: TaxClass;
  readonly active: boolean;
}
/** `factor` base units make one `unit` (decimal string, up to 3 decimals). */
export interface PricingProductUnit {
  readonly product: string;
  readonly unit: string;
  readonly factor: string;
}
/** Dates are `YYYY-MM-DD`, both ends inclusive; `validTo` null: open-ended. */
export interface PricingPrice {
  readonly id: string;
  readonly priceList: string;
  readonly product: string;
  readonly unit: string;
  readonly amount: number;
  readonly currency: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly channel: string | null;
  readonly outlet: string | null;
}
export interface PricingPromotion {
  readonly id: string;
  readonly kind: 'percentage' | 'fixed' | 'buyXGetY';
  /** Percent off the gross (percentage), decimal string. */
  readonly percent: string | null;
  /** Amount off per base unit (fixed). */
  readonly amountOff: { readonly amount: number; readonly currency: string } | null;
  /** For every buyQuantity + freeQuantity whole base units, freeQuantity are free (buyXGetY). */
  readonly buyQuantity: number | null;
  readonly freeQuantity: number | null;
  /** null: every product. */
  readonly product: string | null;
  readonly channel: string | null;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly active: boolean;
}
export interface PricingLine {
  /** The order line's id; problems point at `/lines/<id>` (or `/lines/<index>` without one). */
  readonly id?: string;
  readonly product: string;
  readonly unit: string;
  /** Decimal string, up to 3 decimals, positive. */
  readonly quantity: string;
}

export interface PricingInput {
  readonly outlet: PricingOutlet;
  /** The price list's currency: every price must be in it. */
  readonly currency: string;
  readonly orderDate: string;
  readonly lines: readonly PricingLine[];
  readonly products: readonly PricingProduct[];
  readonly units: readonly PricingProductUnit[];
  readonly prices: readonly PricingPrice[];
  readonly promotions: readonly PricingPromotion[];
  readonly taxRates?: TaxRates;
}

export interface PricedLine {
  readonly id: string | undefined;
  readonly unitPrice: number;
  readonly gross: number;
  readonly discount: number;
  readonly tax: number;
  readonly lineTotal: number;
  /** The promotion applied, null when none gives a discount. */
  readonly promotion: string | null;
}

export interface PricedOrder {
  readonly currency: string;
  readonly lines: readonly PricedLine[];
  readonly subtotal: number;
  readonly discountTotal: number;
  readonly taxTotal: number;
  readonly total: number;
}

const thousand = 1000n;

/** Prices every line; throws one `retail.*` AppError listing every line that cannot be priced. */
export function priceOrder(input: PricingInput): PricedOrder {
  const products = new Map(input.products.map((product) => [product.id, product]));
  const problems: PricingProblem[] = [];
  const lines: PricedLine[] = [];
  input.lines.forEach((line, index) => {
    const pointer = `/lines/${line.id ?? index}`;
    const outcome = priceLine(input, line, products.get(line.product));
    if ('code' in outcome) problems.push({ ...outcome, pointer });
    else lines.push(toAmounts(outcome, line.id, pointer));
  });
  if (problems.length > 0) throw retailErrors.pricing(problems);
  const sum = (pick: (line: PricedLine) => number) => safeAmount(lines.reduce((total, line) => total + BigInt(pick(line)), 0n), '/total');
  const subtotal = sum((line) => line.gross);
  const discountTotal = sum((line) => line.discount);
  const taxTotal = sum((line) => line.tax);
  return { currency: input.currency, lines, subtotal, discountTotal, taxTotal, total: sum((line) => line.lineTotal) };
}

interface LineAmounts {
  unitPrice: bigint;
  gross: bigint;
  discount: bigint;
  tax: bigint;
  promotion: string | null;
}

function priceLine(input: PricingInput, line: PricingLine, product: PricingProduct | undefined): LineAmounts | Omit<PricingProblem, 'pointer'> {
  if (!product || !product.active) return { code: 'retail.product_inactive', detail: `product ${line.product} is not (or no longer) sold` };
  const factor = line.unit === product.baseUnit ? thousand : unitFactor(input.units, product.id, line.unit);
  if (factor === undefined) return { code: 'retail.unit_not_sold', detail: `product ${product.id} is not sold by ${line.unit}` };
  const inLineUnit = bestPrice(input, product.id, line.unit);
  const price = inLineUnit ?? (line.unit === product.baseUnit ? undefined : bestPrice(input, product.id, product.baseUnit));
  if (!price) return { code: 'retail.no_price', detail: `no valid price for product ${product.id} (${line.unit}) in the outlet's price list on ${input.orderDate}` };
  if (price.currency !== input.currency) return { code: 'retail.currency_mismatch', detail: `price ${price.id} is in ${price.currency}, the price list in ${input.currency}` };
  // No price for the line's unit: the base unit's price times the unit's factor.
  const unitPrice = inLineUnit ? BigInt(price.amount) : divideRounded(BigInt(price.amount) * factor, thousand);
  const quantity = toScaled(line.quantity, 3);
  const gross = divideRounded(unitPrice * quantity, thousand);
  const best = bestPromotion(input, product.id, { unitPrice, gross, quantity, factor });
  const net = gross - best.discount;
  // Rates are percent with up to 2 decimals: hundredths of a percent over 10,000.
  const tax = divideRounded(net * toScaled((input.taxRates ?? defaultTaxRates)[product.taxClass], 2), 10_000n);
  return { unitPrice, gross, discount: best.discount, tax, promotion: best.promotion };
}

function unitFactor(units: readonly PricingProductUnit[], product: string, unit: string): bigint | undefined {
  const found = units.find((candidate) => candidate.product === product && candidate.unit === unit);
  const factor = found ? toScaled(found.factor, 3) : 0n;
  // A factor rounding to zero would sell the unit for nothing: treat it as not sold.
  return factor > 0n ? factor : undefined;
}

const isValidOn = (date: string, validity: { validFrom: string; validTo: string | null }) => validity.validFrom <= date && (validity.validTo === null || date <= validity.validTo);

/** The most specific valid price (outlet > channel > general); among equals the latest validFrom, then the lowest id. */
function bestPrice(input: PricingInput, product: string, unit: string): PricingPrice | undefined {
  const { outlet, orderDate } = input;
  const specificity = (price: PricingPrice) => (price.outlet !== null ? 2 : price.channel !== null ? 1 : 0);
  let best: PricingPrice | undefined;
  for (const price of input.prices) {
    if (price.priceList !== outlet.priceList || price.product !== product || price.unit !== unit || !isValidOn(orderDate, price)) continue;
    if ((price.outlet !== null && price.outlet !== outlet.id) || (price.channel !== null && price.channel !== outlet.channel)) continue;
    if (!best) best = price;
    else {
      const order = specificity(price) - specificity(best) || compare(price.validFrom, best.validFrom) || compare(best.id, price.id);
      if (order > 0) best = price;
    }
  }
  return best;
}

interface LineBasis {
  unitPrice: bigint;
  gross: bigint;
  /** Thousandths of the line's unit. */
  quantity: bigint;
  /** Thousandths of a base unit per line unit. */
  factor: bigint;
}

/** The applicable promotion with the largest discount (ties: the lowest id); none when no discount. */
function bestPromotion(input: PricingInput, product: string, basis: LineBasis): { discount: bigint; promotion: string | null } {
  let best = { discount: 0n, promotion: null as string | null };
  for (const promotion of input.promotions) {
    if (!promotion.active || !isValidOn(input.orderDate, promotion)) continue;
    if ((promotion.product !== null && promotion.product !== product) || (promotion.channel !== null && promotion.channel !== input.outlet.channel)) continue;
    const raw = discountOf(promotion, basis, input.currency);
    const discount = raw > basis.gross ? basis.gross : raw;
    if (discount > 0n && (discount > best.discount || (discount === best.discount && promotion.id < best.promotion!))) best = { discount, promotion: promotion.id };
  }
  return best;
}

function discountOf(promotion: PricingPromotion, { unitPrice, gross, quantity, factor }: LineBasis, currency: string): bigint {
  switch (promotion.kind) {
    case 'percentage':
      return promotion.percent === null ? 0n : divideRounded(gross * toScaled(promotion.percent, 2), 10_000n);
    case 'fixed':
      // Per base unit; an amount in another currency does not apply.
      if (!promotion.amountOff || promotion.amountOff.currency !== currency) return 0n;
      return divideRounded(BigInt(promotion.amountOff.amount) * quantity * factor, thousand * thousand);
    case 'buyXGetY': {
      if (!promotion.buyQuantity || !promotion.freeQuantity) return 0n;
      const wholeBaseUnits = (quantity * factor) / (thousand * thousand);
      const free = (wholeBaseUnits / BigInt(promotion.buyQuantity + promotion.freeQuantity)) * BigInt(promotion.freeQuantity);
      // The free base units at the line's price per base unit (unit price / factor).
      return divideRounded(free * unitPrice * thousand, factor);
    }
  }
}

function toAmounts(amounts: LineAmounts, id: string | undefined, pointer: string): PricedLine {
  const gross = safeAmount(amounts.gross, pointer);
  const discount = safeAmount(amounts.discount, pointer);
  const tax = safeAmount(amounts.tax, pointer);
  return { id, unitPrice: safeAmount(amounts.unitPrice, pointer), gross, discount, tax, lineTotal: safeAmount(amounts.gross - amounts.discount + amounts.tax, pointer), promotion: amounts.promotion };
}

/** Money travels as a JSON number: refuse what would lose precision. */
function safeAmount(value: bigint, pointer: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw retailErrors.amountOutOfRange(pointer);
  return Number(value);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** numerator / denominator (> 0) rounded half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < denominator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/** A decimal string as an integer of `scale` decimals ("12.5", 3 -> 12500n); extra decimals round half away from zero. */
export function toScaled(text: string, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`Not a decimal: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, scale).padEnd(scale, '0');
  let magnitude = BigInt(whole! + kept);
  if (fraction.length > scale && fraction[scale]! >= '5') magnitude += 1n;
  return sign === '-' ? -magnitude : magnitude;
}
