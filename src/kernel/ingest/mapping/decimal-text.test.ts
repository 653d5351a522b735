import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMinorUnits, minorAmount, multiplyDecimal, rescaleDecimal, tenExponent, toMinorUnits } from './decimal-text.ts';
import { numberParser } from './parse-number.ts';
import { numberText } from './transform-op.ts';

describe('exact decimals', () => {
  it('parses every format to the same decimal text', () => {
    const german = numberParser({ decimalSeparator: ',', thousandsSeparator: '.', trailingMinus: true });
    const english = numberParser({ decimalSeparator: '.', thousandsSeparator: ',', trailingMinus: false });
    expect(german('1.234.567,891')).toBe('1234567.891');
    expect(english('1,234,567.891')).toBe('1234567.891');
    expect(english('12.50-')).toBeNull();
    expect(german('+5')).toBe('5');
    expect(german('-5-')).toBeNull();
    expect(german(' - 12.345.678,9 ')).toBe('-12345678.9');
    expect(german(',5')).toBe('0.5');
    expect(german('5,')).toBe('5');
    expect([german('1.2345,6'), german('1234.567'), german('.123'), german('12 ,5'), german('-'), german('1,2,3')]).toEqual([null, null, null, null, null, null]);
    expect(numberParser({ decimalSeparator: '.', thousandsSeparator: '\u00a0', trailingMinus: false })('1\u00a0234.5')).toBe('1234.5');
  });

  it('round-trips minor units of any size through BigInt, and the fast path agrees with it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 4 }), (units, digits) => {
        const text = fromMinorUnits(units, digits);
        expect(toMinorUnits(text, digits, 'reject')).toBe(units);
        const safe = units <= BigInt(Number.MAX_SAFE_INTEGER) && units >= -BigInt(Number.MAX_SAFE_INTEGER);
        expect(minorAmount(text, digits, 'reject')).toBe(safe ? Number(units) : 'overflow');
      }),
    );
  });

  it('rounds half up, half even, down and up as decimal arithmetic does, never through floats', () => {
    expect(rescaleDecimal('1.005', 2, 'halfUp')).toBe('1.01');
    expect(rescaleDecimal('1.015', 2, 'halfEven')).toBe('1.02');
    expect(rescaleDecimal('1.025', 2, 'halfEven')).toBe('1.02');
    expect(rescaleDecimal('1.0250001', 2, 'halfEven')).toBe('1.03');
    expect(rescaleDecimal('-0.001', 2, 'halfUp')).toBe('0.00');
    expect(rescaleDecimal('-0.005', 2, 'halfUp')).toBe('-0.01');
    expect(rescaleDecimal('99.999', 2, 'up')).toBe('100.00');
    expect(rescaleDecimal('1.2300', 2, 'reject')).toBe('1.23');
    expect(rescaleDecimal('1.2301', 2, 'reject')).toBeNull();
  });

  it('multiplies exactly and knows powers of ten', () => {
    expect(multiplyDecimal('0.1', '0.2')).toBe('0.02');
    expect(multiplyDecimal('-1234', '0.001')).toBe('-1.234');
    expect(multiplyDecimal('1.5', '1000')).toBe('1500');
    expect([tenExponent('1000'), tenExponent('0.001'), tenExponent('1'), tenExponent('2')]).toEqual([3, -3, 0, undefined]);
  });

  it('writes JavaScript numbers without exponents', () => {
    expect([numberText(1e21), numberText(1.5e-7), numberText(-2.5e22), numberText(123.45)]).toEqual(['1000000000000000000000', '0.00000015', '-25000000000000000000000', '123.45']);
  });
});
