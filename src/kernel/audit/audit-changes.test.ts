import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ktCategory, ktWidget } from '../../../test/model/kernel-test.model.ts';
import type { CustomField } from '../model/index.ts';
import type { ApiRecord } from '../records/index.ts';
import { canonicalJson } from './audit-chain.ts';
import { changedFields, maskedValue } from './audit-changes.ts';

const custom = (key: string, personalData: boolean): CustomField => ({ entity: 'ktCategory', key, type: 'text', labels: { en: key }, required: false, personalData, constraints: {} });
const before = { id: 'c1', code: 'C', title: 'T', ext: { shelf: 'A1', phone: '+33 1', gone: 'x' } };
const after = { id: 'c1', code: 'C', title: 'T', ext: { shelf: 'B2', phone: '+33 2' } };

describe('custom fields in audit rows', () => {
  it('shows the values of custom fields not marked personal data, and masks the others', () => {
    const changes = changedFields({ entity: ktCategory, action: 'update', before, after, customFields: [custom('shelf', false), custom('phone', true)] });
    expect(changes).toEqual({
      'ext.shelf': { before: 'A1', after: 'B2' },
      'ext.phone': { before: maskedValue, after: maskedValue },
      // No definition any more: nothing says it was not personal data.
      'ext.gone': { before: maskedValue, after: null },
    });
  });

  it('masks every custom value when the write carried no definitions', () => {
    expect(changedFields({ entity: ktCategory, action: 'update', before, after })['ext.shelf']).toEqual({ before: maskedValue, after: maskedValue });
  });
});

describe('changes as hashed', () => {
  // A value of a widget field: anything JSON, objects with their keys in any order included.
  const json = fc.jsonValue({ maxDepth: 2 });
  const widget = fc.record(
    {
      id: fc.constant('w1'),
      code: fc.string({ maxLength: 5 }),
      quantity: fc.oneof(fc.integer(), fc.constant(null)),
      price: fc.oneof(fc.constant(null), fc.record({ amount: fc.integer(), currency: fc.constantFrom('EUR', 'USD') }), fc.record({ currency: fc.constant('EUR'), amount: fc.integer() })),
      attributes: json,
      title: fc.dictionary(fc.constantFrom('en', 'fr', 'de'), fc.string({ maxLength: 5 })),
      ownerEmail: fc.oneof(fc.emailAddress(), fc.constant(null)),
      ext: fc.dictionary(fc.constantFrom('a', 'shelf', 'zone'), fc.oneof(fc.string({ maxLength: 3 }), fc.integer())),
    },
    { requiredKeys: ['id'] },
  );
  it('serialize as a copy of them does, which is checked key by key (a create, an update, a delete)', () => {
    fc.assert(
      fc.property(widget, widget, fc.constantFrom('create', 'update', 'delete') as fc.Arbitrary<'create' | 'update' | 'delete'>, (before, after, action) => {
        const changes = changedFields({ entity: ktWidget, action, before: before as ApiRecord, after: after as ApiRecord, customFields: [custom('shelf', false)] });
        expect(canonicalJson(changes)).toBe(canonicalJson(structuredClone(changes)));
      }),
      { numRuns: 500 },
    );
  });
});
