import { describe, expect, it } from 'vitest';
import { transformOps } from './transforms.ts';
import type { SourceValues } from './transform-op.ts';

const run = (op: string, options: Record<string, unknown>, value: unknown, row: SourceValues = {}) => transformOps.get(op)!.compile(options)(value, row);
const german = { decimalSeparator: ',', thousandsSeparator: '.' };

describe('number', () => {
  it('reads decimal commas, thousands groups and SAP trailing minus into exact decimal text', () => {
    expect(run('number', german, '1.234,56')).toBe('1234.56');
    expect(run('number', german, '12,50-')).toBe('-12.50');
    expect(run('number', german, ' -0,5 ')).toBe('-0.5');
    expect(run('number', german, '0,00-')).toBe('0.00');
    expect(run('number', {}, '1234567890123456789.123456789')).toBe('1234567890123456789.123456789');
    expect(run('number', { thousandsSeparator: "'" }, "1'234.5")).toBe('1234.5');
    expect(run('number', {}, '007')).toBe('7');
    expect(run('number', {}, 0.1)).toBe('0.1');
    expect(run('number', {}, 1e21)).toBe('1000000000000000000000');
  });

  it('refuses text that is no number in the format, and misplaced groups', () => {
    for (const text of ['1.234,56', '12a', '1,2,3', '--1', '-1-', '', ',']) {
      const result = run('number', {}, text);
      if (text === '') expect(result).toBeNull();
      else expect(result).toMatchObject({ code: 'ingest.invalid_number' });
    }
    expect(run('number', german, '1.23,4')).toMatchObject({ code: 'ingest.invalid_number' });
    expect(run('number', { decimalSeparator: ',' }, '1.234,5')).toMatchObject({ code: 'ingest.invalid_number' });
  });

  it('makes integers, refusing fractions unless rounding is asked for', () => {
    expect(run('integer', {}, '30')).toBe(30);
    expect(run('integer', {}, '30.00')).toBe(30);
    expect(run('integer', {}, '30.5')).toMatchObject({ code: 'ingest.invalid_number' });
    expect(run('integer', { rounding: 'halfUp' }, '30.5')).toBe(31);
    expect(run('integer', {}, '99999999999999999999')).toMatchObject({ code: 'ingest.invalid_number' });
  });

  it('rescales decimals with the rounding the spec names', () => {
    expect(run('decimal', { scale: 2, rounding: 'halfUp' }, '2.345')).toBe('2.35');
    expect(run('decimal', { scale: 2, rounding: 'halfEven' }, '2.345')).toBe('2.34');
    expect(run('decimal', { scale: 2, rounding: 'halfEven' }, '2.355')).toBe('2.36');
    expect(run('decimal', { scale: 2, rounding: 'down' }, '-2.349')).toBe('-2.34');
    expect(run('decimal', { scale: 2, rounding: 'up' }, '-2.341')).toBe('-2.35');
    expect(run('decimal', { scale: 3, rounding: 'reject' }, '1,5', {})).toMatchObject({ code: 'ingest.invalid_number' });
    expect(run('decimal', { scale: 3, rounding: 'reject', decimalSeparator: ',' }, '1,5')).toBe('1.500');
    expect(run('decimal', { scale: 1, rounding: 'reject' }, '1.55')).toMatchObject({ code: 'ingest.invalid_number' });
    expect(run('decimal', { scale: 0, rounding: 'halfUp' }, '9.5')).toBe('10');
  });
});

describe('money', () => {
  it('turns an amount into integer minor units of its currency, exactly', () => {
    expect(run('money', { ...german, currency: 'EUR' }, '1.234,50')).toEqual({ amount: 123450, currency: 'EUR' });
    expect(run('money', { ...german, currency: 'EUR' }, '12,50-')).toEqual({ amount: -1250, currency: 'EUR' });
    expect(run('money', { currency: 'JPY' }, '1500')).toEqual({ amount: 1500, currency: 'JPY' });
    expect(run('money', { currency: 'TND' }, '1.5')).toEqual({ amount: 1500, currency: 'TND' });
    expect(run('money', { currency: 'EUR' }, '0.1')).toEqual({ amount: 10, currency: 'EUR' });
    expect(run('money', { currency: 'EUR' }, '90071992547409.91')).toEqual({ amount: 9007199254740991, currency: 'EUR' });
    expect(run('money', { currency: 'EUR' }, '90071992547409.92')).toMatchObject({ code: 'ingest.invalid_number' });
  });

  it('refuses digits the currency has not, unless rounding is given', () => {
    expect(run('money', { currency: 'EUR' }, '1.005')).toMatchObject({ code: 'ingest.invalid_number' });
    expect(run('money', { currency: 'EUR', rounding: 'halfEven' }, '1.005')).toEqual({ amount: 100, currency: 'EUR' });
    expect(run('money', { currency: 'JPY' }, '10.5')).toMatchObject({ code: 'ingest.invalid_number' });
  });

  it('takes the currency from a source field, the fixed one as fallback for a blank', () => {
    const options = { currencyFrom: 'WAERS', currency: 'EUR' };
    expect(run('money', options, '10', { WAERS: 'chf' })).toEqual({ amount: 1000, currency: 'CHF' });
    expect(run('money', options, '10', { WAERS: '' })).toEqual({ amount: 1000, currency: 'EUR' });
    expect(run('money', options, '10', { WAERS: 'EURO' })).toMatchObject({ code: 'ingest.invalid_value' });
    expect(run('money', { currencyFrom: 'WAERS' }, '10', { WAERS: ' ' })).toMatchObject({ code: 'ingest.invalid_value' });
  });
});

describe('unitConvert', () => {
  it('multiplies exactly by a factor or between units of one dimension', () => {
    expect(run('unitConvert', { factor: '0.001' }, '1234')).toBe('1.234');
    expect(run('unitConvert', { from: 'G', to: 'KG' }, '250')).toBe('0.25');
    expect(run('unitConvert', { from: 'ML', to: 'L' }, '330')).toBe('0.33');
    expect(run('unitConvert', { factor: '0.1', scale: 2, rounding: 'halfUp' }, '0.155')).toBe('0.02');
  });

  it('reads the unit from a source field (SAP GEWEI), refusing one that does not convert', () => {
    const options = { fromField: 'GEWEI', to: 'KG' };
    expect(run('unitConvert', options, '1500', { GEWEI: 'G' })).toBe('1.5');
    expect(run('unitConvert', options, '2.5', { GEWEI: 'KGM' })).toBe('2.5');
    expect(run('unitConvert', options, '0.000', { GEWEI: '' })).toBe('0.000');
    expect(run('unitConvert', options, '3', { GEWEI: 'L' })).toMatchObject({ code: 'ingest.unknown_code' });
    expect(run('unitConvert', options, '1,5', { GEWEI: 'G' })).toMatchObject({ code: 'ingest.invalid_number' });
  });
});
