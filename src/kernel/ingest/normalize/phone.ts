/** Phone numbers to E.164 with libphonenumber-js, `max` metadata (see the decision note below). */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeCodes, refuse, type Normalized } from './normalize.errors.ts';
import { fastE164 } from './phone-fast-path.ts';

// Metadata: `max` (number ranges per type) rather than `min` (lengths and one coarse pattern per country).
// Accuracy: for DE, `min` accepts 7 of 10 typical placeholders (`1234567890`, `9999999999`, `0123456789`,
// `1111111`, ...), `max` none; on random national digit strings `max` accepts 69% vs 89% (DE), 31% vs 85% (AT),
// 16% vs 43% (NL). `mobile` refuses fixed lines: unusable for outlets. Speed, library alone, per number:
// min 4-12 µs, max 6-14 µs (GB 33-36 µs, US 14-21 µs for both); the fast path takes ~0.5-1.3 µs whichever
// metadata, so `max` costs nothing on valid input. Its price: number ranges assigned after this package
// version are refused until the package is upgraded.

export type PhoneResult = Normalized<'ingest.invalid_phone'> & { readonly extension?: string };

const countryAliases: Readonly<Record<string, string>> = { UK: 'GB', EL: 'GR' };
// German, French, Italian, Dutch, Spanish and Turkish words for an extension, which libphonenumber does not know.
const extensionWord = /(?<!\p{L})\s*(?:durchwahl|dw|nebenstelle|nst|apparat|app|poste|interno|int|toestel|tst|extensi[oó]n|dahili)\.?:?\s*(?=\d)/giu;
const hasLetter = /\p{L}/u;
const hasDigit = /[\d\u0660-\u0669\u06f0-\u06f9\uff10-\uff19]/;

/** A country for parsing national numbers: ISO alpha-2, any case; unknown ones are ignored. */
export function phoneCountry(country: string | undefined): CountryCode | undefined {
  if (country === undefined) return undefined;
  const upper = country.trim().toUpperCase();
  const code = countryAliases[upper] ?? upper;
  return isSupportedCountry(code) ? code : undefined;
}

/**
 * Free text (`0711 / 123 45-67`, `+49 (0)711 1234567`, `0049 711 ...`, `tel: 089-12345`, Arabic-Indic digits) to
 * E.164. A national number needs `country`. Extensions are dropped from the value (E.164 has none; the trunk is
 * what identifies the company) and returned beside it as `extension`.
 */
export function normalizePhone(value: string, country?: string): PhoneResult {
  if (!hasDigit.test(value)) return refuse(normalizeCodes.invalidPhone, 'contains no digits');
  const defaultCountry = phoneCountry(country);
  const fast = fastE164(value, defaultCountry);
  if (fast !== undefined) return { ok: true, value: fast };
  const text = hasLetter.test(value) ? value.replace(extensionWord, ' ext. ') : value;
  const phone = parsePhoneNumberFromString(text, defaultCountry === undefined ? undefined : { defaultCountry });
  if (phone === undefined) {
    const reason = defaultCountry === undefined && !/^\s*(?:\+|00)/.test(value)
      ? 'has no international prefix and no country to read it in'
      : 'is not a phone number';
    return refuse(normalizeCodes.invalidPhone, reason);
  }
  if (!phone.isValid()) {
    const length = phone.isPossible() ? undefined : 'has the wrong number of digits';
    return refuse(normalizeCodes.invalidPhone, length ?? `is not in an assigned number range of ${phone.country ?? `+${phone.countryCallingCode}`}`);
  }
  return phone.ext === undefined ? { ok: true, value: phone.number } : { ok: true, value: phone.number, extension: phone.ext };
}
