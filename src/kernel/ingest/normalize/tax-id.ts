/**
 * Tax ids: VAT ids with their country prefix and check digits, national tax numbers by format.
 * Canonical form: compact upper case; a VAT id always carries its prefix (`DE136695976`, `ATU13585627`,
 * `CHE116281710`, Greece `EL...`), because the number alone is unique only within its country and the
 * prefixed form is what VIES and invoices use. A US EIN is `NN-NNNNNNN`; other national numbers are compact.
 */
import { normalizeCodes, refuse, type Normalized } from './normalize.errors.ts';
import { normalizeText, toAsciiDigits } from './text.ts';
import * as check from './vat-check-digits.ts';

export type TaxIdResult = Normalized<'ingest.invalid_tax_id'>;

interface TaxScheme {
  /** The VAT id without prefix, well-formed (the check digits are tested after). */
  readonly vatBody?: RegExp;
  readonly isValidVat?: (body: string) => boolean;
  /** Other national tax numbers accepted by format only (DE Steuernummer, IT codice fiscale, FR SIREN/SIRET). */
  readonly national?: RegExp;
  readonly format?: (compact: string) => string;
}

const schemes: Readonly<Record<string, TaxScheme>> = {
  DE: { vatBody: /^[1-9]\d{8}$/, isValidVat: check.isValidGermanVat, national: /^\d{10,13}$/ },
  AT: { vatBody: /^U\d{8}$/, isValidVat: check.isValidAustrianVat, national: /^\d{9}$/ },
  CH: { vatBody: /^\d{9}$/, isValidVat: check.isValidSwissUid },
  FR: { vatBody: /^[0-9A-HJ-NP-Z]{2}\d{9}$/, isValidVat: check.isValidFrenchVat, national: /^\d{9}$|^\d{14}$/ },
  IT: { vatBody: /^\d{11}$/, isValidVat: check.isValidItalianVat, national: /^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$/ },
  ES: { vatBody: /^[A-Z0-9]\d{7}[A-Z0-9]$/, isValidVat: check.isValidSpanishTaxId },
  NL: { vatBody: /^\d{9}B\d{2}$/, isValidVat: check.isValidDutchVat, national: /^\d{8,9}$/ },
  BE: { vatBody: /^[01]\d{9}$/, isValidVat: check.isValidBelgianVat },
  GB: { vatBody: /^\d{9}$|^\d{12}$|^GD\d{3}$|^HA\d{3}$/, isValidVat: check.isValidBritishVat, national: /^\d{10}$/ },
  XI: { vatBody: /^\d{9}$|^\d{12}$/, isValidVat: check.isValidBritishVat },
  PL: { vatBody: /^\d{10}$/, isValidVat: check.isValidPolishVat },
  US: { national: /^\d{9}$/, format: (ein) => `${ein.slice(0, 2)}-${ein.slice(2)}` },
};
// EU VAT prefixes without a check here: recognised, format checked loosely (2 to 13 letters and digits).
const otherVatPrefixes = new Set(['BG', 'CY', 'CZ', 'DK', 'EE', 'EL', 'FI', 'HR', 'HU', 'IE', 'LT', 'LU', 'LV', 'MT', 'PT', 'RO', 'SE', 'SI', 'SK']);
const looseVatBody = /^[A-Z0-9]{2,13}$/;
// Country codes as records carry them -> the VAT prefix (Greece uses EL; UK is a common non-ISO alias).
const countryToPrefix: Readonly<Record<string, string>> = { GR: 'EL', UK: 'GB' };
const asciiOnly = /^[\x00-\x7f]*$/;
const separators = /[\s.\-/_,]+/g;
const label = /^.*:/; // `USt-IdNr.: DE 136 695 976`
const swissUid = /^CHE(\d{9})(?:MWST|TVA|IVA|VAT)?$/; // `CHE-116.281.710 MWST`

/** Compact, upper-case, prefixed where a VAT id; check digits verified for DE AT CH FR IT ES NL BE GB PL. */
export function normalizeTaxId(value: string, country?: string): TaxIdResult {
  const text = normalizeText(value);
  const folded = asciiOnly.test(text) ? text : toAsciiDigits(text.normalize('NFKC')); // full-width and Arabic-Indic digits
  const compact = folded.toUpperCase().replace(label, '').replace(separators, '');
  if (compact === '') return refuse(normalizeCodes.invalidTaxId, 'is empty');
  if (!/^[A-Z0-9]+$/.test(compact)) return refuse(normalizeCodes.invalidTaxId, 'may hold only letters and digits');
  if (compact.length > 30) return refuse(normalizeCodes.invalidTaxId, 'is longer than 30 characters');
  const swiss = swissUid.exec(compact);
  if (swiss !== null) return checkVat('CH', swiss[1] ?? '', 'CHE');
  if (compact.startsWith('CHE') && /^\d/.test(compact.slice(3))) return refuse(normalizeCodes.invalidTaxId, 'does not have the format of a CH UID');

  const prefix = vatPrefixOf(compact);
  if (prefix !== undefined && isVatBody(prefix, compact.slice(2))) return checkVat(prefix, compact.slice(2), prefix);
  const home = recordPrefix(country);
  const scheme = home === undefined ? undefined : schemes[home];
  if (home !== undefined && scheme !== undefined) {
    const body = home === 'BE' && /^\d{9}$/.test(compact) ? `0${compact}` : compact; // the old 9-digit form
    if (isVatBody(home, body)) return checkVat(home, body, home === 'CH' ? 'CHE' : home);
    if (scheme.national?.test(compact)) return { ok: true, value: scheme.format?.(compact) ?? compact };
  }
  if (prefix !== undefined) return refuse(normalizeCodes.invalidTaxId, `does not have the format of a ${prefix} VAT id`);
  if (scheme !== undefined) return refuse(normalizeCodes.invalidTaxId, `is neither a VAT id nor a tax number of ${home}`);
  return { ok: true, value: compact };
}

function vatPrefixOf(compact: string): string | undefined {
  const letters = compact.slice(0, 2);
  const prefix = letters === 'GR' ? 'EL' : letters;
  return (schemes[prefix]?.vatBody !== undefined || otherVatPrefixes.has(prefix)) && prefix !== 'CH' ? prefix : undefined;
}

function recordPrefix(country: string | undefined): string | undefined {
  const upper = country?.trim().toUpperCase();
  if (upper === undefined || !/^[A-Z]{2}$/.test(upper)) return undefined;
  return countryToPrefix[upper] ?? upper;
}

function isVatBody(prefix: string, body: string): boolean {
  const pattern = schemes[prefix]?.vatBody ?? (otherVatPrefixes.has(prefix) ? looseVatBody : undefined);
  return pattern?.test(body) ?? false;
}

function checkVat(prefix: string, body: string, shownPrefix: string): TaxIdResult {
  const isValid = schemes[prefix]?.isValidVat;
  if (isValid !== undefined && !isValid(body)) return refuse(normalizeCodes.invalidTaxId, `fails the check digit test of a ${prefix} VAT id`);
  return { ok: true, value: shownPrefix + body };
}
