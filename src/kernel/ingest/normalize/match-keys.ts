/**
 * Keys for finding duplicates, never stored as display values. Equal keys mean "probably the same"; a key is
 * null when the value gives nothing to match on, so that blank values never match each other.
 */
import { normalizeEmail } from './email.ts';
import { foldForMatching, splitWords } from './fold-for-matching.ts';
import { normalizePhone } from './phone.ts';

export { addressMatchKey } from './address-match-key.ts';

// Legal forms, folded: `Müller GmbH`, `Müller AG` and `Müller` are one candidate; the tax id tells them apart.
const legalForms: ReadonlySet<string> = new Set(
  ('gmbh mbh gesmbh ag kg kgaa ohg og gbr ug haftungsbeschrankt ev ek ekfm eg se co cie cia ' +
    'sa sarl sas sasu eurl snc srl spa sagl sl slu bv nv vof bvba sprl ' +
    'ltd limited llc llp lp inc incorporated corp corporation plc pty ab as oy oyj aps kft zrt sro sti fze fzco fz wll').split(' '),
);
// Articles and `and` in the languages of our markets; `&` and `+` are split away as punctuation.
const stopWords: ReadonlySet<string> = new Set('the der die das le la les el il het de and und et'.split(' '));
const singleLetter = /^\p{L}$/u;

/**
 * A company or person name for duplicate search: folded, punctuation gone, dotted initials joined (`S.A.` = `SA`,
 * `A B C` = `ABC`), legal forms and articles dropped unless nothing else is left.
 */
export function nameMatchKey(value: string): string | null {
  let words = joinSingleLetters(splitWords(foldForMatching(value)));
  // To a fixed point, so a key is its own key: dropping `GmbH` from `A GmbH B` leaves single letters
  // that join (`ab`), and a joined word may itself be a legal form (`a GmbH s` -> `as`).
  for (;;) {
    dropPolishLegalForm(words);
    const kept = words.filter((word) => !legalForms.has(word) && !stopWords.has(word));
    if (kept.length === 0) break;
    const next = joinSingleLetters(kept);
    if (next.length === words.length && next.every((word, index) => word === words[index])) break;
    words = next;
  }
  const key = words.join(' ');
  return key === '' ? null : key;
}

/** The E.164 digits (no `+`, no extension) of a valid phone number, else null. */
export function phoneMatchKey(value: string, country?: string): string | null {
  const phone = normalizePhone(value, country);
  return phone.ok ? phone.value.slice(1) : null;
}

/**
 * The normalized address itself. Dots and `+tags` are kept: only some providers ignore them, and in B2B data
 * `einkauf+filiale12@` is often a deliberately separate mailbox per outlet.
 */
export function emailMatchKey(value: string): string | null {
  const email = normalizeEmail(value);
  return email.ok ? email.value : null;
}

function joinSingleLetters(words: string[]): string[] {
  const joined: string[] = [];
  let run = '';
  for (const word of words) {
    if (singleLetter.test(word)) {
      run += word;
      continue;
    }
    if (run !== '') joined.push(run);
    run = '';
    joined.push(word);
  }
  if (run !== '') joined.push(run);
  return joined;
}

// `Sp. z o.o.` becomes `sp`, `zoo`; `zoo` alone is a word (`Zoo Berlin GmbH`), so only the pair is a legal form.
function dropPolishLegalForm(words: string[]): void {
  for (let index = words.length - 2; index >= 0; index--) {
    if (words[index] === 'sp' && words[index + 1] === 'zoo') words.splice(index, 2);
  }
}
