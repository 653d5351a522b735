/** The folding every match key starts from: case, accents, compatibility forms and script digits erased. */
import { normalizeText, toAsciiDigits } from './text.ts';

// Letters that NFKD does not decompose but readers treat as a base letter plus something.
const letterFolds: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ħ: 'h', ŀ: 'l', ς: 'σ',
};
const foldableLetter = /[ßæœøđðþłıħŀς]/g;
const marks = /\p{M}/gu;

/** Lower case, NFKD without combining marks (`é` -> `e`, `ﬁ` -> `fi`), `ß` -> `ss`, ASCII digits; spacing as normalizeText. */
export function foldForMatching(value: string): string {
  return toAsciiDigits(normalizeText(value))
    .normalize('NFKD')
    .toUpperCase() // upper then lower approximates Unicode case folding (`ᾀ` -> `ἈΙ` -> `ἀι`, `ß` -> `SS` -> `ss`)
    .toLowerCase()
    .normalize('NFKD')
    .replace(marks, '')
    .replace(foldableLetter, (letter) => letterFolds[letter] ?? letter);
}

/** Every run of characters other than letters and digits becomes one space; apostrophes vanish (`McDonald's`). */
export function splitWords(folded: string): string[] {
  const words = folded.replace(/['’ʼ`]/g, '').split(/[^\p{L}\p{N}]+/u);
  return words.filter((word) => word !== '');
}
