/**
 * Built-in code lists of the `codeList` op and the tables the unit and language ops share. SAP units
 * map to UN/ECE Recommendation 20 codes; pieces go to H87 ("piece", the code Rec 20 keeps; SAP's T006
 * still says PCE, which Rec 20 dropped), and the package units to the codes Rec 20 lists for them
 * (CT carton, CS case, PK pack, PF pallet, BX box). A code already in Rec 20 maps to itself.
 */
import { countryByAlpha3, countryByName, countryCodesAlpha3, countryNameOf } from './countries.ts';

export interface CodeList {
  readonly description: string;
  /** The input as the list keys it (trimmed, upper-cased...). */
  normalize(code: string): string;
  lookup(key: string): unknown;
  /** The preferred source code for a value, for export. */
  reverse(value: unknown): string | undefined;
  /** Some keys, for reasons and docs. */
  readonly sample: readonly string[];
}

/** SAP unit (internal or commercial code) -> Rec 20, in preference order for export. */
const sapUnitPairs: readonly (readonly [string, string])[] = [
  ['ST', 'H87'], ['PC', 'H87'], ['PCE', 'H87'], ['STK', 'H87'], ['EA', 'EA'], ['C62', 'C62'],
  ['KAR', 'CT'], ['CT', 'CT'], ['CAR', 'CT'], ['CS', 'CS'], ['PAK', 'PK'], ['PK', 'PK'], ['PAC', 'PK'],
  ['PAL', 'PF'], ['BOX', 'BX'], ['BX', 'BX'], ['DZ', 'DZN'], ['PAA', 'PR'], ['PR', 'PR'],
  ['KG', 'KGM'], ['G', 'GRM'], ['MG', 'MGM'], ['TO', 'TNE'], ['T', 'TNE'],
  ['L', 'LTR'], ['ML', 'MLT'], ['CL', 'CLT'], ['HL', 'HLT'], ['M3', 'MTQ'],
  ['M', 'MTR'], ['CM', 'CMT'], ['MM', 'MMT'], ['KM', 'KMT'], ['M2', 'MTK'],
  ['H', 'HUR'], ['MIN', 'MIN'], ['TAG', 'DAY'], ['D', 'DAY'],
];
const rec20Codes = new Set(sapUnitPairs.map(([, iso]) => iso));
const sapUnits = new Map<string, string>([...[...rec20Codes].map((code) => [code, code] as const), ...sapUnitPairs]);
const sapUnitReverse = new Map<string, string>();
for (const [sap, iso] of sapUnitPairs) if (!sapUnitReverse.has(iso)) sapUnitReverse.set(iso, sap);

/** Power-of-ten size of a Rec 20 unit in its dimension's base (KGM, LTR, MTR), for unitConvert. */
export const unitExponents: Readonly<Record<string, { readonly dimension: 'mass' | 'volume' | 'length'; readonly exponent: number }>> = {
  KGM: { dimension: 'mass', exponent: 0 },
  GRM: { dimension: 'mass', exponent: -3 },
  MGM: { dimension: 'mass', exponent: -6 },
  TNE: { dimension: 'mass', exponent: 3 },
  LTR: { dimension: 'volume', exponent: 0 },
  MLT: { dimension: 'volume', exponent: -3 },
  CLT: { dimension: 'volume', exponent: -2 },
  HLT: { dimension: 'volume', exponent: 2 },
  MTQ: { dimension: 'volume', exponent: 3 },
  MTR: { dimension: 'length', exponent: 0 },
  CMT: { dimension: 'length', exponent: -2 },
  MMT: { dimension: 'length', exponent: -3 },
  KMT: { dimension: 'length', exponent: 3 },
};

/** A SAP or Rec 20 unit code -> its Rec 20 code. */
export function rec20Unit(code: string): string | undefined {
  return sapUnits.get(code.trim().toUpperCase());
}

/** SAP language keys (SPRAS, one character) -> ISO 639-1; two-letter ISO codes are accepted as they are. */
const sapLanguagePairs: readonly (readonly [string, string])[] = [
  ['D', 'de'], ['E', 'en'], ['F', 'fr'], ['I', 'it'], ['S', 'es'], ['N', 'nl'], ['P', 'pt'], ['K', 'da'], ['V', 'sv'], ['U', 'fi'],
  ['O', 'no'], ['L', 'pl'], ['C', 'cs'], ['H', 'hu'], ['T', 'tr'], ['R', 'ru'], ['G', 'el'], ['J', 'ja'], ['1', 'zh'], ['3', 'ko'],
  ['Q', 'sk'], ['5', 'sl'], ['6', 'hr'], ['4', 'ro'], ['A', 'ar'], ['B', 'he'],
];
const sapLanguages = new Map(sapLanguagePairs);
const sapLanguageReverse = new Map(sapLanguagePairs.map(([sap, iso]) => [iso, sap]));

/** A SAP language key or ISO 639-1 code -> the ISO code (a locale tag), or undefined. */
export function languageTag(code: string): string | undefined {
  const trimmed = code.trim();
  if (trimmed.length === 1) return sapLanguages.get(trimmed.toUpperCase());
  return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/i.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

export function sapLanguageKey(tag: string): string {
  return sapLanguageReverse.get(tag) ?? tag;
}

const upperTrim = (code: string) => code.trim().toUpperCase();

export const codeLists: Readonly<Record<'sapUnit' | 'iso3166Alpha3' | 'countryName' | 'sapBoolean', CodeList>> = {
  sapUnit: {
    description: 'SAP unit (ST, PC, KAR, PAK, KG, L, ...) or a Rec 20 code -> UN/ECE Rec 20 (H87, CT, PK, KGM, LTR, ...)',
    normalize: upperTrim,
    lookup: (key) => sapUnits.get(key),
    reverse: (value) => (typeof value === 'string' ? sapUnitReverse.get(value) : undefined),
    sample: sapUnitPairs.map(([sap]) => sap),
  },
  iso3166Alpha3: {
    description: 'ISO 3166-1 alpha-3 (DEU) -> alpha-2 (DE); XKX -> XK (Kosovo)',
    normalize: upperTrim,
    lookup: countryByAlpha3,
    reverse: (value) => (typeof value === 'string' ? alpha3Of(value) : undefined),
    sample: ['DEU', 'FRA', 'AUT', 'CHE', 'USA'],
  },
  countryName: {
    description: 'country name in English, German or French (Germany, Deutschland, Allemagne), or an alpha-2/alpha-3 code -> alpha-2',
    normalize: (code) => code,
    lookup: countryByName,
    reverse: (value) => (typeof value === 'string' ? countryNameOf(value) : undefined),
    sample: ['Germany', 'Deutschland', 'Allemagne', 'Österreich', 'Suisse'],
  },
  sapBoolean: {
    description: "SAP flag: 'X' -> true, blank -> false",
    normalize: upperTrim,
    lookup: (key) => (key === 'X' ? true : key === '' ? false : undefined),
    reverse: (value) => (value === true ? 'X' : value === false ? '' : undefined),
    sample: ['X', ''],
  },
};

let alpha3ByAlpha2: Map<string, string> | undefined;
function alpha3Of(alpha2: string): string | undefined {
  if (!alpha3ByAlpha2) {
    alpha3ByAlpha2 = new Map();
    for (const code of countryCodesAlpha3()) {
      const two = countryByAlpha3(code);
      if (typeof two === 'string' && !alpha3ByAlpha2.has(two)) alpha3ByAlpha2.set(two, code);
    }
  }
  return alpha3ByAlpha2.get(alpha2);
}
