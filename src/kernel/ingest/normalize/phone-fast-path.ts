/**
 * A fast path in front of libphonenumber-js for the plain case: digits and separators only, a country whose
 * calling code is its own and whose trunk prefix is `0` or absent (DE AT CH FR NL BE ES PL TR SA AE and 70 more).
 * It answers only "valid, and this is the E.164 form"; every other input goes to the library. Its patterns are
 * the library's `max` metadata compiled once, and phone-fast-path.test.ts checks it agrees with the library.
 * Why: the library builds a RegExp from multi-KB pattern strings on every call (7-14 µs per German number).
 */
import { type CountryCode, getCountries, Metadata } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/metadata.max.json';

// The part of libphonenumber-js's Metadata class used here (public class, accessors undeclared in its .d.ts).
interface NumberTypeDefinition {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface NumberingPlanReader {
  callingCode(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  IDDPrefix(): string;
  possibleLengths(): number[] | undefined;
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(name: string): NumberTypeDefinition | undefined;
}
interface MetadataReader {
  selectNumberingPlan(country: string): void;
  numberingPlan: NumberingPlanReader;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  hasCallingCode(callingCode: string): boolean;
}

interface Plan {
  readonly callingCode: string;
  readonly trunkPrefix: string;
  readonly idd: RegExp;
  /** The plan's possible lengths, ascending, as libphonenumber's checkNumberLength reads them. */
  readonly lengths: readonly number[];
  readonly general: RegExp;
  readonly types: readonly { readonly pattern: RegExp; readonly lengths: ReadonlySet<number> | undefined }[];
}

const numberTypes = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
// Digits and the separators people type; anything else (letters, `#`, `,`, Arabic-Indic digits) takes the slow path.
const plainNumber = /^\+?[\d \-/.()]{4,40}$/;
const separators = /[ \-/.()]/g;

let plans: { readonly byCountry: Map<string, Plan>; readonly byCallingCode: Map<string, Plan>; readonly callingCodes: Set<string> } | undefined;

/** The E.164 form when the number is plainly valid; undefined means "ask libphonenumber-js". */
export function fastE164(value: string, country: CountryCode | undefined): string | undefined {
  const text = value.trim();
  if (!plainNumber.test(text)) return undefined;
  plans ??= compilePlans();
  const digits = text.replace(separators, '');
  if (digits.charCodeAt(0) === 43 /* + */) return international(digits.slice(1), plans.byCallingCode, plans.callingCodes);
  const plan = country === undefined ? undefined : plans.byCountry.get(country);
  if (plan === undefined || plan.idd.test(digits) || digits.startsWith(plan.callingCode)) return undefined;
  if (plan.trunkPrefix === '') return isValidNumber(plan, digits) ? `+${plan.callingCode}${digits}` : undefined;
  if (!digits.startsWith(plan.trunkPrefix)) return undefined;
  const national = digits.slice(plan.trunkPrefix.length);
  // The library keeps the trunk prefix when stripping it leaves an impossible length; then it is not plain.
  const { lengths } = plan;
  const length = national.length;
  if (length < (lengths[0] ?? 0) || (length <= (lengths[lengths.length - 1] ?? 0) && !lengths.includes(length))) return undefined;
  return isValidNumber(plan, national) ? `+${plan.callingCode}${national}` : undefined;
}

function international(digits: string, byCallingCode: Map<string, Plan>, callingCodes: Set<string>): string | undefined {
  for (let length = 1; length <= 3; length++) {
    const callingCode = digits.slice(0, length);
    if (!callingCodes.has(callingCode)) continue;
    const plan = byCallingCode.get(callingCode);
    const national = digits.slice(length);
    if (plan === undefined || national.startsWith('0')) return undefined; // `+49 (0)711`: the library decides
    return isValidNumber(plan, national) ? `+${callingCode}${national}` : undefined;
  }
  return undefined;
}

// libphonenumber's isValid(): the general pattern, then any number type whose lengths and pattern fit.
function isValidNumber(plan: Plan, national: string): boolean {
  if (national.length < 2 || national.length > 17 || !plan.general.test(national)) return false;
  return plan.types.some((type) => (type.lengths === undefined || type.lengths.has(national.length)) && type.pattern.test(national));
}

function compilePlans() {
  const metadata = new Metadata(maxMetadata) as unknown as MetadataReader;
  const byCountry = new Map<string, Plan>();
  const byCallingCode = new Map<string, Plan>();
  const callingCodes = new Set<string>();
  for (let code = 1; code < 1000; code++) if (metadata.hasCallingCode(String(code))) callingCodes.add(String(code));
  for (const country of getCountries(maxMetadata)) {
    metadata.selectNumberingPlan(country);
    const plan = planOf(metadata);
    if (plan === undefined) continue;
    byCountry.set(country, plan);
    byCallingCode.set(plan.callingCode, plan);
  }
  return { byCountry, byCallingCode, callingCodes };
}

function planOf(metadata: MetadataReader): Plan | undefined {
  const numbering = metadata.numberingPlan;
  const callingCode = numbering.callingCode();
  const trunkPrefix = numbering.nationalPrefix() || '';
  const forParsing = numbering.nationalPrefixForParsing() || '';
  const lengths = numbering.possibleLengths();
  const plain = (trunkPrefix === '' || trunkPrefix === '0') && forParsing === trunkPrefix && !numbering.nationalPrefixTransformRule();
  if (!plain || !numbering.hasTypes() || lengths === undefined || metadata.getCountryCodesForCallingCode(callingCode)?.length !== 1) return undefined;
  const types = numberTypes.flatMap((name) => {
    const type = numbering.type(name);
    const pattern = type?.pattern();
    if (type === undefined || !pattern) return [];
    const typeLengths = type.possibleLengths();
    return [{ pattern: new RegExp(`^(?:${pattern})$`), lengths: typeLengths === undefined ? undefined : new Set(typeLengths) }];
  });
  return { callingCode, trunkPrefix, idd: new RegExp(`^(?:${numbering.IDDPrefix()})`), lengths, general: new RegExp(`^(?:${numbering.nationalNumberPattern()})$`), types };
}
