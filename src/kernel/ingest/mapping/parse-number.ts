/**
 * Numbers as source files write them: decimal comma or point, thousands groups of three, a sign in
 * front or SAP's trailing minus ("1.234,56", "12,50-"). Scanned character by character rather than
 * by a regular expression: this runs for every amount of every row, and a scan allocates nothing
 * but the result.
 */
import { decimalText } from './decimal-text.ts';

export interface NumberFormat {
  readonly decimalSeparator: '.' | ',';
  /** '' for none. */
  readonly thousandsSeparator: string;
  /** Accept SAP's trailing minus ("12,50-"). */
  readonly trailingMinus: boolean;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** A parser of one number format, made once: text -> decimal text, or null when it is not a number there. */
export function numberParser(format: NumberFormat): (text: string) => string | null {
  const decimalCode = format.decimalSeparator.charCodeAt(0);
  const groupCode = format.thousandsSeparator === '' ? -1 : format.thousandsSeparator.charCodeAt(0);
  return (text) => {
    let start = 0;
    let end = text.length;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    let negative = false;
    const first = text.charCodeAt(start);
    if (first === 43 || first === 45) {
      negative = first === 45;
      start++;
      while (start < end && isSpace(text.charCodeAt(start))) start++;
    }
    if (format.trailingMinus && end > start && text.charCodeAt(end - 1) === 45) {
      if (first === 43 || first === 45) return null;
      negative = true;
      end--;
    }
    let whole = '';
    let segment = start;
    let run = 0;
    let groups = 0;
    let index = start;
    for (; index < end; index++) {
      const code = text.charCodeAt(index);
      if (isDigit(code)) {
        run++;
        continue;
      }
      if (code !== groupCode) break;
      // Groups of three after a first group of one to three digits.
      if (groups === 0 ? run < 1 || run > 3 : run !== 3) return null;
      whole += text.slice(segment, index);
      segment = index + 1;
      run = 0;
      groups++;
    }
    if (groups > 0 && run !== 3) return null;
    whole += text.slice(segment, index);
    let fraction = '';
    if (index < end) {
      if (text.charCodeAt(index) !== decimalCode) return null;
      const fractionStart = index + 1;
      for (index = fractionStart; index < end; index++) if (!isDigit(text.charCodeAt(index))) return null;
      fraction = text.slice(fractionStart, end);
    }
    if (whole.length === 0 && fraction.length === 0) return null;
    return decimalText(negative, whole, fraction);
  };
}
