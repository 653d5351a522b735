/** Applies a mapping spec's `normalize` rules to canonical records; compiled once per run, cheap per row. */
import type { FieldProblem, NormalizeRule } from '../ingest.contract.ts';
import { ingestErrors } from '../ingest.errors.ts';
import { normalizeEmail } from './email.ts';
import { normalizeGtin } from './gtin.ts';
import { normalizeCodes } from './normalize.errors.ts';
import { normalizePhone } from './phone.ts';
import { normalizeTaxId } from './tax-id.ts';
import { normalizeAddress, normalizeName, normalizeText } from './text.ts';

export type RecordNormalizer = (record: Record<string, unknown>) => { record: Record<string, unknown>; problems: FieldProblem[] };

type Outcome = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly code: string; readonly reason: string };
type Normalize = (text: string, record: Record<string, unknown>) => Outcome;

interface CompiledRule {
  readonly field: string;
  /** The key in `record.ext` for an `ext.<key>` field, else undefined. */
  readonly extKey: string | undefined;
  readonly subject: string;
  readonly normalize: Normalize;
}

const plain = (normalize: (text: string) => string): Normalize => (text) => ({ ok: true, value: normalize(text) });

const stringRules = {
  text: plain(normalizeText),
  name: plain(normalizeName),
  address: plain(normalizeAddress),
  upper: plain((text) => normalizeText(text).toUpperCase().normalize('NFC')),
  lower: plain((text) => normalizeText(text).toLowerCase().normalize('NFC')),
  email: normalizeEmail,
  gtin: normalizeGtin,
} satisfies Record<Extract<NormalizeRule, string>, Normalize>;
const subjects: Readonly<Record<string, string>> = { email: 'The e-mail address', gtin: 'The GTIN', phone: 'The phone number', taxId: 'The tax id' };
const alpha2 = /^[A-Z]{2}$/;

/**
 * Compiles `normalize` rules (canonical field or `ext.<key>` -> rule) into a function over records. Null and
 * undefined pass through; a value blank after normalization becomes null; a refused value stays as it was and
 * yields a problem naming field, value and reason. The input record is not changed (a shallow copy is returned).
 */
export function compileNormalizer(rules: Readonly<Record<string, NormalizeRule>>): RecordNormalizer {
  const compiled = Object.entries(rules).map(([field, rule]) => compileRule(field, rule));
  return (record) => {
    let output = record;
    let ext: Record<string, unknown> | undefined;
    const problems: FieldProblem[] = [];
    for (const rule of compiled) {
      const value = rule.extKey === undefined ? record[rule.field] : extOf(record)?.[rule.extKey];
      if (value === null || value === undefined) continue;
      const outcome = normalizeValue(rule, value, record);
      if (!outcome.ok) {
        problems.push({ field: rule.field, value, code: outcome.code, reason: `${rule.subject} ${outcome.reason}.` });
        continue;
      }
      const normalized = outcome.value === '' ? null : outcome.value;
      if (normalized === value) continue;
      if (output === record) output = { ...record };
      if (rule.extKey === undefined) {
        output[rule.field] = normalized;
      } else {
        ext ??= { ...extOf(record) };
        ext[rule.extKey] = normalized;
        output.ext = ext;
      }
    }
    return { record: output, problems };
  };
}

const blank: Outcome = { ok: true, value: '' };

function normalizeValue(rule: CompiledRule, value: unknown, record: Record<string, unknown>): Outcome {
  // A blank phone or e-mail is absent, not invalid (SAP pads empty fields with spaces).
  if (typeof value === 'string') return isBlank(value) ? blank : rule.normalize(value, record);
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return rule.normalize(String(value), record);
  return { ok: false, code: normalizeCodes.invalidValue, reason: `must be text, not ${Array.isArray(value) ? 'a list' : typeof value}` };
}

// Most values start with a visible ASCII character: only the others need normalizeText to tell.
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  return !(first > 0x20 && first < 0x7f) && normalizeText(text) === '';
}

function compileRule(field: string, rule: NormalizeRule): CompiledRule {
  const extKey = field.startsWith('ext.') ? field.slice('ext.'.length) : undefined;
  const kind = typeof rule === 'object' ? rule.kind : rule;
  const subject = subjects[kind] ?? `The ${field}`;
  if (typeof rule === 'string') {
    // Specs are checked when saved (mapping/check-spec-sections.ts); this guards one that was not.
    if (!Object.hasOwn(stringRules, rule)) throw ingestErrors.invalidSpec([{ pointer: `/normalize/${field}`, detail: `unknown rule "${String(rule)}"` }]);
    return { field, extKey, subject, normalize: stringRules[rule] };
  }
  if (rule.kind !== 'phone' && rule.kind !== 'taxId') throw ingestErrors.invalidSpec([{ pointer: `/normalize/${field}`, detail: `unknown rule kind "${String((rule as { kind: unknown }).kind)}"` }]);
  const countryOf = countryReader(rule.countryField, rule.defaultCountry);
  const normalize: Normalize =
    rule.kind === 'phone' ? (text, record) => normalizePhone(text, countryOf(record)) : (text, record) => normalizeTaxId(text, countryOf(record));
  return { field, extKey, subject, normalize };
}

/** The record's ISO alpha-2 country from `countryField` when it holds one, else `defaultCountry`. */
function countryReader(countryField: string | undefined, defaultCountry: string | undefined): (record: Record<string, unknown>) => string | undefined {
  const fallback = defaultCountry?.trim().toUpperCase();
  if (countryField === undefined) return () => fallback;
  const extKey = countryField.startsWith('ext.') ? countryField.slice('ext.'.length) : undefined;
  return (record) => {
    const value = extKey === undefined ? record[countryField] : extOf(record)?.[extKey];
    if (typeof value !== 'string') return fallback;
    const country = value.trim().toUpperCase();
    return alpha2.test(country) ? country : fallback;
  };
}

function extOf(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const ext = record.ext;
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext) ? (ext as Record<string, unknown>) : undefined;
}
