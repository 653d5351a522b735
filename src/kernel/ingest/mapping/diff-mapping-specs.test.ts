import { describe, expect, it } from 'vitest';
import { diffMappingSpecs } from './diff-mapping-specs.ts';
import { kna1OutletSpec } from './sap-specs.fixture.ts';

describe('diffing mapping specs', () => {
  it('finds no change between equal specs, whatever their key order', () => {
    const reordered = Object.fromEntries(Object.entries(kna1OutletSpec).reverse());
    expect(diffMappingSpecs(kna1OutletSpec, structuredClone(reordered))).toEqual([]);
  });

  it('lists changed, added and removed leaves by JSON pointer, in a stable order', () => {
    const after = structuredClone(kna1OutletSpec) as unknown as Record<string, any>;
    after.fields.name.transforms[1].separator = ', ';
    after.fields.segment = { from: 'KLABC' };
    delete after.fields.region;
    after.fields['ext.a/b'] = { constant: 1 };
    after.matching.fuzzy.high = 0.95;
    expect(diffMappingSpecs(kna1OutletSpec, after)).toEqual([
      { pointer: '/fields/ext.a~1b', before: undefined, after: { constant: 1 } },
      { pointer: '/fields/name/transforms/1/separator', before: ' ', after: ', ' },
      { pointer: '/fields/region', before: { from: 'REGIO', transforms: [{ op: 'trim' }] }, after: undefined },
      { pointer: '/fields/segment', before: undefined, after: { from: 'KLABC' } },
      { pointer: '/matching/fuzzy/high', before: 0.9, after: 0.95 },
    ]);
  });

  it('compares transform lists index by index', () => {
    const before = { fields: { name: { transforms: [{ op: 'trim' }] } } };
    const after = { fields: { name: { transforms: [{ op: 'trim' }, { op: 'upper' }] } } };
    expect(diffMappingSpecs(before, after)).toEqual([{ pointer: '/fields/name/transforms/1', before: undefined, after: { op: 'upper' } }]);
    expect(diffMappingSpecs(after, before)).toEqual([{ pointer: '/fields/name/transforms/1', before: { op: 'upper' }, after: undefined }]);
    expect(diffMappingSpecs({ from: 'A' }, { from: ['A', 'B'] })).toEqual([{ pointer: '/from', before: 'A', after: ['A', 'B'] }]);
  });
});
