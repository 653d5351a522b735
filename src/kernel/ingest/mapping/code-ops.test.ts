import { describe, expect, it } from 'vitest';
import { codeLists } from './code-lists.ts';
import { countryCodesAlpha3 } from './countries.ts';
import { transformOps } from './transforms.ts';
import type { SourceValues } from './transform-op.ts';

const run = (op: string, options: Record<string, unknown>, value: unknown, row: SourceValues = {}) => transformOps.get(op)!.compile(options)(value, row);

describe('lookup', () => {
  const table = { Z001: 'supermarket', Z002: 'kiosk', '': 'other' };

  it('maps trimmed codes, and blanks through a "" entry', () => {
    expect(run('lookup', { table }, ' Z001 ')).toBe('supermarket');
    expect(run('lookup', { table }, '')).toBe('other');
    expect(run('lookup', { table: { Z001: 'x' } }, ' ')).toBeNull();
    expect(run('lookup', { table, caseInsensitive: true }, 'z002')).toBe('kiosk');
  });

  it('treats an unknown code per otherwise, listing the known ones when it refuses', () => {
    expect(run('lookup', { table }, 'Z009')).toMatchObject({ code: 'ingest.unknown_code', reason: expect.stringContaining('"Z001", "Z002"') });
    expect(run('lookup', { table, otherwise: 'keep' }, 'Z009')).toBe('Z009');
    expect(run('lookup', { table, otherwise: 'null' }, 'Z009')).toBeNull();
  });
});

describe('code lists', () => {
  it('maps SAP units to UN/ECE Rec 20 codes', () => {
    const unit = (code: string) => run('codeList', { list: 'sapUnit' }, code);
    expect([unit('ST'), unit('PC'), unit('KAR'), unit('PAK'), unit('KG'), unit('G'), unit('L'), unit('ML'), unit('M'), unit(' st ')]).toEqual(['H87', 'H87', 'CT', 'PK', 'KGM', 'GRM', 'LTR', 'MLT', 'MTR', 'H87']);
    expect(unit('KGM')).toBe('KGM');
    expect(unit('XYZ')).toMatchObject({ code: 'ingest.unknown_code' });
  });

  it('maps alpha-3 country codes and country names in three languages to alpha-2', () => {
    expect(run('codeList', { list: 'iso3166Alpha3' }, 'deu')).toBe('DE');
    for (const name of ['Germany', 'Deutschland', 'Allemagne', 'Österreich', 'Osterreich', 'Suisse', 'Schweiz', "Côte d'Ivoire", 'USA', 'United Kingdom', 'Vereinigtes Königreich', 'DE', 'FRA']) {
      expect(run('codeList', { list: 'countryName' }, name), name).toMatch(/^[A-Z]{2}$/);
    }
    expect(run('codeList', { list: 'countryName' }, 'Frankreich')).toBe('FR');
    expect(run('codeList', { list: 'countryName' }, 'Atlantis')).toMatchObject({ code: 'ingest.unknown_code' });
  });

  it('knows every officially assigned alpha-3 code once, and every alpha-2 code has a name that maps back to it', () => {
    const codes = countryCodesAlpha3();
    expect(new Set(codes).size).toBe(250);
    for (const code of codes) {
      const alpha2 = codeLists.iso3166Alpha3.lookup(code) as string;
      expect(codeLists.countryName.lookup(codeLists.countryName.reverse(alpha2)!), code).toBe(alpha2);
      expect(codeLists.iso3166Alpha3.reverse(alpha2)).toBe(code);
    }
  });

  it('reads SAP flags: X true, blank false', () => {
    expect(run('codeList', { list: 'sapBoolean' }, 'X')).toBe(true);
    expect(run('codeList', { list: 'sapBoolean' }, '')).toBe(false);
    expect(run('codeList', { list: 'sapBoolean' }, 'Y')).toMatchObject({ code: 'ingest.unknown_code' });
  });
});

describe('localized', () => {
  it('keys text by a fixed language, a SAP language key (fallback for blank) or zipped languages', () => {
    expect(run('localized', { language: 'fr' }, 'Lait')).toEqual({ fr: 'Lait' });
    expect(run('localized', { languageFrom: 'SPRAS' }, 'Milch', { SPRAS: 'D' })).toEqual({ de: 'Milch' });
    expect(run('localized', { languageFrom: 'SPRAS' }, 'Milk', { SPRAS: 'EN' })).toEqual({ en: 'Milk' });
    expect(run('localized', { languageFrom: 'SPRAS', language: 'de' }, 'Milch', { SPRAS: '' })).toEqual({ de: 'Milch' });
    expect(run('localized', { languageFrom: 'SPRAS' }, 'Milch', { SPRAS: '' })).toMatchObject({ code: 'ingest.unknown_code' });
    expect(run('localized', { languageFrom: 'SPRAS' }, 'Milch', { SPRAS: '#' })).toMatchObject({ code: 'ingest.unknown_code' });
    expect(run('localized', { languages: ['de', 'en', 'fr'] }, ['Milch', '', 'Lait'])).toEqual({ de: 'Milch', fr: 'Lait' });
    expect(run('localized', { language: 'de' }, ' ')).toBeNull();
  });
});

describe('reference', () => {
  it('emits a marker the pipeline resolves, by source key or by a field', () => {
    expect(run('reference', { entity: 'product' }, ' 12345 ')).toEqual({ $ref: { entity: 'product', by: 'sourceKey', value: '12345' } });
    expect(run('reference', { entity: 'product', by: 'sku' }, 'A-1')).toEqual({ $ref: { entity: 'product', by: 'sku', value: 'A-1' } });
    expect(run('reference', { entity: 'product' }, '')).toBeNull();
  });
});
