/** Display-value normalizers for free text, names and street lines: stored, so they keep the source's meaning. */
import { recaseAllCapsName } from './name-case.ts';

// Printable Latin-1 (no NBSP, no soft hyphen) with single inner spaces needs no work: it is always NFC,
// as Latin-1 holds no combining marks. Most ERP values are like that and are returned as they are.
const needsWork = /[^\x20-\x7e\xa1-\xac\xae-\xff]|^ | $| {2}/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Controls and invisible format characters. ZWJ/ZWNJ (U+200C/D) stay: Persian, Indic scripts and emoji need them.
const invisible =
  /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
// JavaScript's \s plus NEL (U+0085), minus the BOM (stripped above).
const whitespaceRun = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/** NFC, controls and invisible characters removed, every whitespace run one space, trimmed; case kept. Never throws. */
export function normalizeText(value: string): string {
  if (!needsWork.test(value)) return value;
  return value
    .replace(loneSurrogate, '\uFFFD')
    .replace(invisible, '')
    .replace(whitespaceRun, ' ')
    .trim()
    .normalize('NFC');
}

const upperLetter = /\p{Lu}/u;
// ß has no upper-case form in most ERP exports (SAP keeps it in upper-cased names): it does not make a value mixed-case.
const lowerLetter = /[^\P{Ll}ß]/u;
const longWord = /\p{L}{4}/u;

/**
 * normalizeText, then an ALL-CAPS value (SAP's habit) gets conventional case: `BÄCKEREI MÜLLER GMBH & CO. KG`
 * -> `Bäckerei Müller GmbH & Co. KG`. Mixed-case and all-lower values keep their case: lower case is often
 * deliberate brand styling. Values without a word of four letters (`BMW AG`, `IBM`) are left as they are.
 */
export function normalizeName(value: string): string {
  const text = normalizeText(value);
  if (!upperLetter.test(text) || lowerLetter.test(text) || !longWord.test(text)) return text;
  return recaseAllCapsName(text);
}

// `Hauptstr.12` -> `Hauptstr. 12`: an abbreviation's dot glued to the house number.
const dotBeforeNumber = /(\p{L}\.)(?=\d)/gu;
// `Hauptstrasse12` -> `Hauptstrasse 12`; three letters at least, so road numbers (`B27`, `A7`) and codes stay glued.
const wordBeforeNumber = /(?<![\p{L}\d])(\p{L}{3,})(?=\d)/gu;
const spaceBeforeComma = / ,/g;
// `Via Roma,12` and `12,rue` get a space after the comma; `12,5` (a decimal or unit) does not.
const gluedComma = /(?<=\p{L}),(?=[\p{L}\d])|(?<=\d),(?=\p{L})/gu;
// A superset of what the rules below change, tested once so that most street lines skip all five.
const addressNeedsWork = /\p{L}\.?\d| ,|,[^ ]|\d ?[-\u2010-\u2013] ?\d/u;
const spacedRange = /(?<=\d) ?[-\u2010-\u2013] ?(?=\d)/g;

/** A street line: normalizeText and standard spacing around house numbers; abbreviations are not expanded. */
export function normalizeAddress(value: string): string {
  const text = normalizeText(value);
  if (!addressNeedsWork.test(text)) return text;
  return text
    .replace(dotBeforeNumber, '$1 ')
    .replace(wordBeforeNumber, '$1 ')
    .replace(spaceBeforeComma, ',')
    .replace(gluedComma, ', ')
    .replace(spacedRange, '-');
}

// Arabic-Indic and Extended Arabic-Indic (Persian/Urdu) digits; U+0660 and U+06F0 are both zero.
const scriptDigit = /[\u0660-\u0669\u06f0-\u06f9]/g;

/** Arabic-Indic digits to ASCII digits (full-width digits are left to NFKC/NFKD). */
export function toAsciiDigits(value: string): string {
  return value.replace(scriptDigit, (digit) => String(digit.charCodeAt(0) & 0x0f));
}
