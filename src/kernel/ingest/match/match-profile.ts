/**
 * A spec's fuzzy configuration as a match profile: which fields are compared, how each is keyed
 * (the spec's normalize rule: `name` drops legal forms and articles, `address` spells street words
 * one way, the rest are folded), the block key, and a hash that names the profile so that keys of
 * different configurations never mix.
 */
import { createHash } from 'node:crypto';
import type { MappingSpec, NormalizeRule } from '../ingest.contract.ts';
import { editSimilarity } from './edit-similarity.ts';
import { addressMatchKey, emailMatchKey, foldForMatching, nameMatchKey, phoneMatchKey, splitWords } from '../normalize/index.ts';

export interface MatchProfile {
  /** A hash of the fields, block fields and their rules. */
  readonly id: string;
  readonly fields: readonly string[];
  readonly blockBy: readonly string[];
  /** Keying of each fuzzy field, in order (the first is the name). */
  readonly keyers: readonly ((value: string) => string | null)[];
}

/** A record's keys for a profile; null when its name key is blank (nothing to compare). */
export interface RecordKeys {
  readonly block: string | null;
  readonly name: string;
  /** The other fields' keys in order, '' when blank. */
  readonly others: readonly string[];
}

// German transliterations meet the folded umlauts (`Mueller` = `Müller` -> `muller`); applied to both
// sides of every comparison, `Feuer` -> `feur` costs nothing.
const transliterated = (key: string | null): string | null => key && key.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');
const textOf = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '');
const foldedWords = (value: string): string | null => splitWords(foldForMatching(value)).join(' ') || null;
/** Separates an address key's street words (compared by trigram) from its house numbers (compared for equality). */
export const numbersSeparator = '\u0001';
// `Waldstraße 100` and `Feldstraße 100` share the suffix and the number: left in, they trigram-compare
// as close; the street's own name is what tells them apart. The suffix is recognised through a typo
// (`Feldtraße`, `Bergstrae`), since a typo there is as common as anywhere.
const streetSuffix = /(?<=\p{L}{3})(?:weg|platz|gasse|allee|damm|ufer)$/u;
const strasse = 'strasse';
// The tail most like `strasse` goes, the shorter one of equals: `hauptstrasse` loses `strasse` (not
// `tstrasse`), `feldtrasse` loses `trasse` (not `dtrasse`).
function withoutStreetWord(word: string): string {
  if (word.length <= strasse.length + 1 && editSimilarity(word, strasse) >= 0.7) return '';
  let best = { length: 0, similarity: 0 };
  for (let length = strasse.length - 2; length <= strasse.length + 1 && word.length - length >= 3; length++) {
    const similarity = editSimilarity(word.slice(-length), strasse);
    if (similarity >= 0.7 && similarity > best.similarity) best = { length, similarity };
  }
  return best.length > 0 ? word.slice(0, -best.length) : word.replace(streetSuffix, '');
}
function streetKey(value: string): string | null {
  const words = (addressMatchKey(value, '', '')?.split('|')[0] ?? '').split(' ').filter(Boolean);
  if (words.length === 0) return null;
  const names = words.filter((word) => !/^\d/.test(word)).map(withoutStreetWord).filter(Boolean);
  return `${names.join(' ')}${numbersSeparator}${words.filter((word) => /^\d/.test(word)).sort().join(' ')}`;
}
// `D-70173` and `70173` block together; letters and digits only otherwise.
const blockPart = (value: string): string => foldForMatching(value).replace(/^[a-z]{1,3}-(?=\d)/, '').replace(/[^\p{L}\p{N}]/gu, '');

function keyerOf(rule: NormalizeRule | undefined): (value: string) => string | null {
  if (rule === 'name') return (value) => transliterated(nameMatchKey(value));
  if (rule === 'address') return (value) => transliterated(streetKey(value));
  if (rule === 'email') return emailMatchKey;
  if (typeof rule === 'object' && rule.kind === 'phone') return (value) => phoneMatchKey(value);
  return (value) => transliterated(foldedWords(value));
}

/** The profile of a spec's `matching.fuzzy`, or null when the spec has none. */
export function matchProfileOf(spec: MappingSpec): MatchProfile | null {
  const fuzzy = spec.matching?.fuzzy;
  if (!fuzzy || fuzzy.fields.length === 0) return null;
  const rules = fuzzy.fields.map((field) => spec.normalize?.[field]);
  const blockBy = fuzzy.blockBy ?? [];
  const id = createHash('sha1').update(JSON.stringify({ fields: fuzzy.fields, blockBy, rules: rules.map((rule) => rule ?? null) })).digest('hex').slice(0, 16);
  return { id, fields: fuzzy.fields, blockBy, keyers: rules.map(keyerOf) };
}

/** A field's value of a record in API form (`ext.<key>` reads a custom field). */
export function valueOf(record: Readonly<Record<string, unknown>>, field: string): unknown {
  if (!field.startsWith('ext.')) return record[field];
  const ext = record.ext;
  return typeof ext === 'object' && ext !== null ? (ext as Record<string, unknown>)[field.slice(4)] : undefined;
}

/** The record's keys under the profile; null without a name key. */
export function keysOf(profile: MatchProfile, record: Readonly<Record<string, unknown>>): RecordKeys | null {
  const [nameKeyer, ...otherKeyers] = profile.keyers;
  const name = nameKeyer!(textOf(valueOf(record, profile.fields[0]!)));
  if (!name) return null;
  const others = otherKeyers.map((keyer, index) => keyer(textOf(valueOf(record, profile.fields[index + 1]!))) ?? '');
  const parts = profile.blockBy.map((field) => blockPart(textOf(valueOf(record, field))));
  return { block: parts.every((part) => part === '') ? null : parts.join('|'), name, others };
}
