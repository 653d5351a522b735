import { describe, expect, it } from 'vitest';
import type { CustomField } from '../model/index.ts';
import { checkExt, normalizeDecimal } from './custom-field-values.ts';

const fieldOf = (key: string, type: CustomField['type'], more: Partial<CustomField> = {}): CustomField => ({ entity: 'ktWidget', key, type, labels: { en: key }, required: false, personalData: false, constraints: {}, ...more });
const fields: CustomField[] = [
  fieldOf('shelf', 'text', { constraints: { maxLength: 5, pattern: '[A-Z][0-9]+' } }),
  fieldOf('facings', 'integer', { required: true, constraints: { min: 1, max: 50 } }),
  fieldOf('share', 'decimal', { constraints: { scale: 2, min: 0, max: 100 } }),
  fieldOf('promo', 'boolean'),
  fieldOf('since', 'date'),
  fieldOf('seenAt', 'timestamp'),
  fieldOf('tier', 'enum', { constraints: { values: ['gold', 'silver'] } }),
];

const problems = (ext: unknown, creating = false) => {
  try {
    checkExt(fields, ext, creating);
    return [];
  } catch (error) {
    expect(error).toMatchObject({ code: 'records.invalid_custom_field', kind: 'invalid' });
    return (error as { errors: { pointer: string; detail: string }[] }).errors;
  }
};

describe('custom field values of a write', () => {
  it('accepts values of every type and stores them normalized', () => {
    const write = checkExt(fields, { shelf: 'A1', facings: 3, share: '012.5', promo: true, since: '2024-02-29', seenAt: '2024-01-01T10:00:00+02:00', tier: 'gold' }, true);
    expect(write).toEqual({ set: { shelf: 'A1', facings: 3, share: '12.50', promo: true, since: '2024-02-29', seenAt: '2024-01-01T08:00:00.000Z', tier: 'gold' }, clear: [] });
    expect(checkExt([fieldOf('note', 'text')], { note: 'Cafe\u0301' }, false).set.note).toBe('Café');
  });

  it('reports every problem at once, at /ext/<key>', () => {
    expect(problems({ shelf: 'a1', facings: 0, share: '100.01', promo: 'yes', since: '2024-02-30', seenAt: '2024-01-01', tier: 'bronze', bogus: 1 })).toEqual([
      { pointer: '/ext/shelf', detail: expect.stringContaining('pattern') },
      { pointer: '/ext/facings', detail: 'must be >= 1' },
      { pointer: '/ext/share', detail: 'must be <= 100' },
      { pointer: '/ext/promo', detail: 'must be boolean' },
      { pointer: '/ext/since', detail: expect.stringContaining('date') },
      { pointer: '/ext/seenAt', detail: expect.stringContaining('date-time') },
      { pointer: '/ext/tier', detail: expect.stringContaining('allowed values') },
      { pointer: '/ext/bogus', detail: 'is not a custom field of this entity' },
    ]);
  });

  it('checks lengths, decimals, integers and what PostgreSQL or UTC cannot keep', () => {
    expect(problems({ shelf: 'A12345' })[0]).toMatchObject({ pointer: '/ext/shelf', detail: expect.stringContaining('5 characters') });
    expect(problems({ share: '1.234' })[0]).toMatchObject({ pointer: '/ext/share' });
    expect(problems({ share: 5 })[0]).toMatchObject({ pointer: '/ext/share', detail: 'must be string' });
    expect(problems({ facings: 2.5 })[0]).toMatchObject({ pointer: '/ext/facings', detail: 'must be integer' });
    expect(problems({ since: '0000-01-01' })[0]).toMatchObject({ pointer: '/ext/since', detail: expect.stringContaining('year 0000') });
    expect(problems({ seenAt: '2016-12-31T23:59:60Z' })[0]).toMatchObject({ pointer: '/ext/seenAt', detail: expect.stringContaining('leap seconds') });
    expect(() => checkExt([fieldOf('note', 'text')], { note: 'a\u0000b' }, false)).toThrow(/U\+0000/);
  });

  it('requires required fields on create only, never lets them be cleared, and clears others with null', () => {
    expect(problems({}, true)).toEqual([{ pointer: '/ext/facings', detail: 'is required' }]);
    expect(problems(undefined, true)).toEqual([{ pointer: '/ext/facings', detail: 'is required' }]);
    expect(problems({ facings: null })).toEqual([{ pointer: '/ext/facings', detail: 'is required and cannot be cleared' }]);
    expect(checkExt(fields, { shelf: null, retired: null }, false)).toEqual({ set: {}, clear: ['shelf', 'retired'] });
    expect(checkExt(fields, {}, false)).toEqual({ set: {}, clear: [] });
  });

  it('refuses an ext that is not an object, and any key when the tenant has no custom field', () => {
    expect(problems('x')).toEqual([{ pointer: '/ext', detail: 'must be an object' }]);
    expect(problems([1])).toEqual([{ pointer: '/ext', detail: 'must be an object' }]);
    expect(() => checkExt([], { facings: 1 }, true)).toThrow(expect.objectContaining({ code: 'records.invalid_custom_field' }));
  });

  it('normalizes decimals as PostgreSQL prints a numeric of the scale', () => {
    expect(normalizeDecimal('007', 2)).toBe('7.00');
    expect(normalizeDecimal('-0.0', 2)).toBe('0.00');
    expect(normalizeDecimal('-1.5', 3)).toBe('-1.500');
    expect(normalizeDecimal('42', 0)).toBe('42');
  });
});
