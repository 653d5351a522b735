import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeName, normalizeText } from './text.ts';

// Any UTF-16 code unit, so lone surrogates, controls and combining marks all occur.
const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const anyText = fc.oneof(anyCodeUnits, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const latinWords = fc.array(fc.constantFrom('MÜLLER', 'GMBH', 'Straße', 'der', 'S.A.', 'KFZ-HANDEL', "O'BRIEN", 'DİYARBAKIR', 'ß', 'İ', 'e\u0301', '  ', '\u00a0', '12', 'Hauptstr.12', ',', ' - ', 'x'), { maxLength: 8 }).map((words) => words.join(' '));

describe('normalizeText', () => {
  it.each([
    ['  Bäckerei   Müller  ', 'Bäckerei Müller'],
    ['Line\none\r\ntwo\tthree', 'Line one two three'],
    ['non\u00a0breaking\u202fspaces\u3000too', 'non breaking spaces too'],
    ['Mu\u0308ller', 'Müller'], // decomposed (NFD, macOS) -> NFC
    ['zero\u200bwidth\ufeff and soft\u00adhyphen', 'zerowidth and softhyphen'],
    ['bell\u0007 and \u0085next', 'bell and next'],
    ['\u202eevil\u202c override', 'evil override'],
    ['keep CASE as Is', 'keep CASE as Is'],
    ['نص\u200cعربي', 'نص\u200cعربي'], // ZWNJ is meaningful in Persian
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
    ['', ''],
    ['   ', ''],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('never throws and returns trimmed, single-spaced, well-formed NFC for any string', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const output = normalizeText(input);
        expect(output).toBe(output.normalize('NFC'));
        expect(output).not.toMatch(/^\s|\s$|\s{2}|[\u0000-\u001f\u007f-\u009f]/);
        expect(output).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent for any string', () => {
    fc.assert(fc.property(anyText, (input) => {
        expect(normalizeText(normalizeText(input))).toBe(normalizeText(input));
      }), { numRuns: 2000 });
  });
});

describe('normalizeName', () => {
  it.each([
    ['BÄCKEREI MÜLLER GMBH & CO. KG', 'Bäckerei Müller GmbH & Co. KG'],
    ['HOTEL ZUR POST', 'Hotel zur Post'],
    ['GROßHANDEL MEIER E.K.', 'Großhandel Meier e.K.'],
    ['KFZ-HANDEL SCHMIDT OHG', 'KFZ-Handel Schmidt OHG'],
    ['DR. MÜLLER APOTHEKE', 'Dr. Müller Apotheke'],
    ['LUDWIG II APOTHEKE', 'Ludwig II Apotheke'],
    ['BOULANGERIE DE LA GARE S.A.R.L.', 'Boulangerie de la Gare S.A.R.L.'],
    ["L'OREAL FRANCE SA", "L'Oreal France SA"],
    ['PASTICCERIA ROSSI E BIANCHI S.R.L.', 'Pasticceria Rossi e Bianchi S.r.l.'],
    ['SUPERMERCADOS GARCÍA Y HIJOS S.L.', 'Supermercados García y Hijos S.L.'],
    ['BAKKERIJ VAN DEN BERG B.V.', 'Bakkerij van den Berg B.V.'],
    ["O'BRIEN'S PUB LTD", "O'Brien's Pub Ltd"],
    ['PIEKARNIA KOWALSKI SP. Z O.O.', 'Piekarnia Kowalski Sp. z o.o.'],
    ['DİYARBAKIR GIDA SANAYİ VE TİCARET A.Ş.', 'Diyarbakır Gıda Sanayi ve Ticaret A.Ş.'],
    ['MÜLLER (GMBH)', 'Müller (GmbH)'],
    ['24/7 SHOP', '24/7 Shop'],
    ['JOE\u2019S DINER LLC', 'Joe\u2019s Diner LLC'],
    // Left alone: no four-letter word (acronyms), mixed case, all lower case, caseless scripts.
    ['BMW AG', 'BMW AG'],
    ['IBM', 'IBM'],
    ['McDonald’s Deutschland LLC', 'McDonald’s Deutschland LLC'],
    ['adidas AG', 'adidas AG'],
    ['müller gmbh', 'müller gmbh'],
    ['ОАО ГАЗПРОМ', 'ОАО ГАЗПРОМ'],
    ['شركة المراعي', 'شركة المراعي'],
    ['  EDEKA   MARKT\u00a0WEBER ', 'Edeka Markt Weber'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('is idempotent for any string and for name-like text', () => {
    fc.assert(fc.property(fc.oneof(anyText, latinWords), (input) => {
        expect(normalizeName(normalizeName(input))).toBe(normalizeName(input));
      }), { numRuns: 3000 });
  });

  it('changes nothing but case and spacing', () => {
    // Turkish case rules map İ to i and I to ı; compare without the dot.
    const caseless = (text: string) => text.toLowerCase().normalize('NFD').replace(/\u0307/g, '').replace(/ı/g, 'i');
    fc.assert(fc.property(fc.oneof(anyText, latinWords), (input) => {
        expect(caseless(normalizeName(input))).toBe(caseless(normalizeText(input)));
      }), { numRuns: 1000 });
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['Hauptstr.12', 'Hauptstr. 12'],
    ['Hauptstrasse12a', 'Hauptstrasse 12a'],
    ['  Bahnhofstraße   7 ', 'Bahnhofstraße 7'],
    ['Bahnhofstr. 12 - 14', 'Bahnhofstr. 12-14'],
    ['Mariahilfer Str.45/3/12', 'Mariahilfer Str. 45/3/12'],
    ['Via Roma,12', 'Via Roma, 12'],
    ['12,rue de la Paix', '12, rue de la Paix'],
    ['Hauptstr. 12 , 3. OG', 'Hauptstr. 12, 3. OG'],
    ['Calle Mayor 5,2º', 'Calle Mayor 5,2º'],
    ['Kerkstraat 12 bis', 'Kerkstraat 12 bis'],
    ['An der B27 5', 'An der B27 5'], // a road number stays glued
    ['Str. d. 17. Juni 1', 'Str. d. 17. Juni 1'],
    ['221B Baker St', '221B Baker St'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it('is idempotent for any string and for street-like text', () => {
    fc.assert(fc.property(fc.oneof(anyText, latinWords), (input) => {
        expect(normalizeAddress(normalizeAddress(input))).toBe(normalizeAddress(input));
      }), { numRuns: 3000 });
  });
});
