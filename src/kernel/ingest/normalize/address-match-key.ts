/** The address match key: street words expanded to one spelling, house numbers kept, postal code compacted. */
import { foldForMatching, splitWords } from './fold-for-matching.ts';
import { normalizeText } from './text.ts';

// German/Dutch/Italian street suffixes glued to the name (`Hauptstr.`, `Kerkstraat`) become one spelling;
// the key is never displayed, so `Kerkstraat` -> `kerkstrasse` is harmless and `Kerkstr.` then matches it.
const gluedStreetSuffix = /(\p{L}{2,})(?:str|strasse|straat|strada)(?:\.|\b)/gu;
const gluedPlaceSuffix = /(\p{L}{2,})pl\./gu;
// Italian abbreviations with a dot inside, before punctuation is split away.
const italianAbbreviations: readonly (readonly [RegExp, string])[] = [
  [/\bp\.?zz?a\b/g, ' piazza '],
  [/\bv\.?le\b/g, ' viale '],
  [/\bc\.?so\b/g, ' corso '],
];
const streetWords: Readonly<Record<string, string>> = {
  str: 'strasse', strasse: 'strasse', straat: 'strasse', strada: 'strasse',
  av: 'avenue', ave: 'avenue', avda: 'avenue', avenida: 'avenue', avenue: 'avenue',
  rd: 'road', bd: 'boulevard', bld: 'boulevard', blvd: 'boulevard', boul: 'boulevard',
  pl: 'place', ch: 'chemin', chem: 'chemin', rte: 'route', imp: 'impasse', sq: 'square', ln: 'lane',
  ct: 'court', pkwy: 'parkway', hwy: 'highway', ste: 'sainte',
};
const letterThenDigit = /(\p{L})(?=\d)/gu;
const hasDigit = /\d/;
const isLetter = /^\p{L}$/u;
const postalCountryPrefix = /^[A-Z]{1,3}-(?=\d)/;

/**
 * One key for a street line, postal code and city (`hauptstrasse 12a|70173|stuttgart`): `Hauptstr. 12 a`,
 * `Hauptstraße 12A` and `Haupt Str.12a` agree. Null when all three are blank.
 */
export function addressMatchKey(street: string | null | undefined, postalCode: string | null | undefined, city: string | null | undefined): string | null {
  const parts = [streetKey(street ?? ''), postalKey(postalCode ?? ''), splitWords(foldForMatching(city ?? '')).join(' ')];
  return parts.every((part) => part === '') ? null : parts.join('|');
}

function streetKey(street: string): string {
  let folded = foldForMatching(street).replace(gluedStreetSuffix, '$1strasse ').replace(gluedPlaceSuffix, '$1platz ');
  for (const [pattern, word] of italianAbbreviations) folded = folded.replace(pattern, word);
  const words = splitWords(folded.replace(letterThenDigit, '$1 '));
  const key: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    const previous = key[key.length - 1];
    const expanded = word === 'st' ? saintOrStreet(words, index) : (streetWords[word] ?? word);
    if (expanded === 'strasse' && previous !== undefined && !hasDigit.test(previous)) {
      key[key.length - 1] = previous + expanded; // `Berliner Straße` = `Berlinerstraße`
    } else if (isLetter.test(word) && previous !== undefined && /^\d+$/.test(previous)) {
      key[key.length - 1] = previous + word; // `12 a` = `12a`
    } else {
      key.push(expanded);
    }
  }
  return key.join(' ');
}

// `St.` after the name is Street (`Main St. 5`); before it, Saint (`St. Georg`, `St-Germain`).
function saintOrStreet(words: readonly string[], index: number): string {
  const laterName = words.slice(index + 1).some((word) => !hasDigit.test(word));
  return index > 0 && !laterName ? 'street' : 'saint';
}

function postalKey(postalCode: string): string {
  const upper = normalizeText(postalCode).normalize('NFKD').toUpperCase();
  return upper.replace(postalCountryPrefix, '').replace(/[^A-Z0-9]/g, '');
}
