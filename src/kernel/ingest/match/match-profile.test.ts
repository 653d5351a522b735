import { describe, expect, it } from 'vitest';
import type { MappingSpec } from '../ingest.contract.ts';
import { keysOf, matchProfileOf, numbersSeparator } from './match-profile.ts';
import { scoreCandidate } from './score-candidate.ts';
import { withTenantThresholds } from './fuzzy-thresholds.ts';

const spec = { normalize: { name: 'name', street: 'address' }, matching: { fuzzy: { fields: ['name', 'street'], blockBy: ['postalCode'], high: 0.85, low: 0.6 } } } as unknown as MappingSpec;
const profile = matchProfileOf(spec)!;
const keys = (record: Record<string, unknown>) => keysOf(profile, record);

describe('match keys', () => {
  it('folds names and streets to one spelling: legal forms, umlauts spelled out, street suffixes with a typo', () => {
    expect(keys({ name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12a', postalCode: 'D-70173' })).toEqual({ block: '70173', name: 'muller getrankemarkt', others: [`haupt${numbersSeparator}12a`] });
    expect(keys({ name: 'MUELLER GETRAENKEMARKT', street: 'Hauptstr. 12 a', postalCode: '70173' })).toEqual(keys({ name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12a', postalCode: 'D-70173' }));
    expect(keys({ name: 'X', street: 'Feldtraße 9' })!.others).toEqual([`feld${numbersSeparator}9`]);
    expect(keys({ name: 'X', street: 'Berliner Straße 3' })!.others).toEqual([`berliner${numbersSeparator}3`]);
  });

  it('has no keys without a name, and no block without a block value', () => {
    expect(keys({ name: '  ', street: 'Weg 1' })).toBeNull();
    expect(keys({ name: 'Kiosk', postalCode: '' })).toMatchObject({ block: null, others: [''] });
  });

  it('names a profile by its configuration', () => {
    expect(matchProfileOf({ ...spec, matching: { fuzzy: { ...spec.matching!.fuzzy!, high: 0.95 } } })!.id).toBe(profile.id);
    expect(matchProfileOf({ ...spec, matching: { fuzzy: { ...spec.matching!.fuzzy!, blockBy: ['city'] } } })!.id).not.toBe(profile.id);
    expect(matchProfileOf({ ...spec, matching: { exact: ['taxId'] } })).toBeNull();
  });
});

describe('scores', () => {
  const candidate = (nameScore: number, street: string, otherScore: number, blockKey: string | null = '70173') => ({ nameScore, otherScores: [otherScore], otherKeys: [street], blockKey });
  it('averages the compared fields, leaves blank ones out and halves a street with another house number', () => {
    const row = { block: '70173', others: [`haupt${numbersSeparator}12`] };
    expect(scoreCandidate(row, candidate(0.8, `haupt${numbersSeparator}12`, 1))).toEqual({ score: 0.9, corroborated: true });
    expect(scoreCandidate(row, candidate(0.8, `haupt${numbersSeparator}14`, 1)).score).toBeCloseTo(0.65);
    expect(scoreCandidate(row, candidate(0.8, '', 0))).toEqual({ score: 0.8, corroborated: true });
    expect(scoreCandidate({ block: null, others: [''] }, candidate(1, '', 0, null))).toEqual({ score: 1, corroborated: false });
  });
});

describe('tenant thresholds', () => {
  it('overrides the spec thresholds with the tenant setting, and refuses an unusable one', () => {
    expect(withTenantThresholds(spec, { ingest: { fuzzy: { high: 0.95 } } }).matching!.fuzzy).toMatchObject({ high: 0.95, low: 0.6 });
    expect(withTenantThresholds(spec, {})).toBe(spec);
    expect(() => withTenantThresholds(spec, { ingest: { fuzzy: { low: 0.9, high: 0.8 } } })).toThrow(expect.objectContaining({ code: 'ingest.invalid_thresholds' }));
    expect(() => withTenantThresholds(spec, { ingest: { fuzzy: 'high' } })).toThrow(expect.objectContaining({ code: 'ingest.invalid_thresholds' }));
  });
});
