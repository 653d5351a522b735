/**
 * Reads past a CSV record that is too long to hold, keeping only its first characters for the reject
 * list. Its quote rules are those of csv-tokenizer.ts, so both agree on where the record ends.
 */
import { excerptLength, excerptOf } from './source-limits.ts';

const quote = 0x22;
const cr = 0x0d;
const lf = 0x0a;

// Scanner states. QuotedQuote: a quote inside a quoted field, doubled or closing: the next character decides.
const fieldStart = 0;
const unquoted = 1;
const quoted = 2;
const quotedQuote = 3;

export interface SkippedRecord {
  /** The source ended inside a quoted field. */
  readonly truncated: boolean;
  /** Line breaks read, the one ending the record included. */
  readonly lineBreaks: number;
  readonly excerpt: string;
}

export class CsvRecordSkipper {
  private state = fieldStart;
  private lineBreaks = 0;
  private previousCr = false;
  private excerpt = '';
  private ended = false;
  /** The record ended on a CR: a LF right after it belongs to the same line break. */
  endedOnCr = false;

  constructor(private readonly delimiter: number) {}

  /** Reads on from `from`; returns the position after the record's end, or -1 if it goes on. */
  scan(text: string, from: number): number {
    const delimiter = this.delimiter;
    let state = this.state;
    let pos = from;
    for (; pos < text.length; pos++) {
      const code = text.charCodeAt(pos);
      if (state === quoted) {
        if (code === quote) state = quotedQuote;
        else if (code === cr || (code === lf && !this.previousCr)) this.lineBreaks++;
        this.previousCr = code === cr;
      } else if (state === quotedQuote && code === quote) {
        state = quoted;
      } else if (code === delimiter) {
        state = fieldStart;
      } else if (code === cr || code === lf) {
        this.ended = true;
        break;
      } else {
        state = state === fieldStart && code === quote ? quoted : unquoted;
      }
    }
    this.state = state;
    if (this.excerpt.length < excerptLength) this.excerpt += text.slice(from, Math.min(pos, from + excerptLength - this.excerpt.length));
    if (!this.ended) return -1;
    this.lineBreaks++;
    this.endedOnCr = text.charCodeAt(pos) === cr;
    return pos + 1;
  }

  end(): SkippedRecord {
    return { truncated: !this.ended && this.state === quoted, lineBreaks: this.lineBreaks, excerpt: excerptOf(this.excerpt) };
  }
}

/** Line breaks in a quoted value: CRLF, CR or LF each count once. */
export function countLineBreaks(value: string): number {
  let count = 0;
  let pos = value.indexOf('\n');
  if (pos === -1 && value.indexOf('\r') === -1) return 0;
  for (pos = 0; pos < value.length; pos++) {
    const code = value.charCodeAt(pos);
    if (code === cr || (code === lf && (pos === 0 || value.charCodeAt(pos - 1) !== cr))) count++;
  }
  return count;
}
