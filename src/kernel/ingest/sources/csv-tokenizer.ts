/**
 * RFC 4180 record splitter over text chunks: quoted fields, doubled quotes, CR/LF inside quotes, CRLF, LF
 * or CR record ends. Memory stays bounded: a record longer than `maxRecordLength` is skipped without being
 * held (see csv-record-skipper.ts) and the next record is read normally.
 * A field is quoted only when it starts with a quote: a quote inside an unquoted field is text, as
 * spreadsheets and most readers take it (SAP material texts write inches so: `PIPE 1/2" STEEL`), and
 * splits nothing. Text after a closing quote (`"x"y`) is ambiguous: it rejects its record, whose rest is
 * read as unquoted text, so the split of the following records does not depend on the error.
 */
import { sourceProblemCodes, type SourceProblemCode } from './source.errors.ts';
import { excerptOf, type SourceLimits } from './source-limits.ts';
import { CsvRecordSkipper, countLineBreaks } from './csv-record-skipper.ts';

/** The text of the record being handed over, read only if needed (a problem's excerpt). */
export interface CsvRecordText {
  excerpt(): string;
}

export interface CsvRecordSink {
  /** A complete record; `fields` is reused for the next record, copy what you keep. */
  record(fields: readonly string[], line: number, text: CsvRecordText): void;
  /** A record that could not be split into fields. */
  reject(line: number, code: SourceProblemCode, reason: string, excerpt: string): void;
}

const quote = 0x22;
const cr = 0x0d;
const lf = 0x0a;
const incomplete = -1;
// Below this, an incomplete record is parsed again with the next chunk; above it, only once a chunk
// brings a line break (the only place a record can end).
const reparseFreely = 4_096;

export class CsvTokenizer implements CsvRecordText {
  private readonly fields: string[] = [];
  private pending = '';
  private line = 1;
  private skipLf = false;
  private skipper: CsvRecordSkipper | undefined;
  private readonly current = { text: '', start: 0, end: 0 };

  constructor(
    private readonly delimiter: number,
    private readonly limits: SourceLimits,
    private readonly sink: CsvRecordSink,
  ) {}

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (this.skipper !== undefined) return this.skip(chunk, 0, false);
    if (this.pending.length === 0) return this.parse(chunk, 0, false);
    if (this.pending.length > reparseFreely && chunk.indexOf('\n') === -1 && chunk.indexOf('\r') === -1) {
      this.pending += chunk;
      if (this.pending.length > this.limits.maxRecordLength) this.startSkipping(this.pending, 0, false);
      return;
    }
    const text = this.pending + chunk;
    this.pending = '';
    this.parse(text, 0, false);
  }

  end(): void {
    if (this.skipper !== undefined) return this.finishSkipped(this.skipper);
    const text = this.pending;
    this.pending = '';
    if (text.length > 0) this.parse(text, 0, true);
  }

  private startSkipping(text: string, from: number, final: boolean): void {
    this.pending = '';
    this.skipper = new CsvRecordSkipper(this.delimiter);
    this.skip(text, from, final);
  }

  private skip(text: string, from: number, final: boolean): void {
    const skipper = this.skipper as CsvRecordSkipper;
    const next = skipper.scan(text, from);
    if (next === incomplete) {
      if (final) this.finishSkipped(skipper);
      return;
    }
    this.finishSkipped(skipper);
    this.skipLf = skipper.endedOnCr;
    this.parse(text, next, final);
  }

  private finishSkipped(skipper: CsvRecordSkipper): void {
    const { truncated, lineBreaks, excerpt } = skipper.end();
    const line = this.line;
    this.skipper = undefined;
    this.line += lineBreaks;
    if (truncated) this.sink.reject(line, sourceProblemCodes.truncatedRecord, truncatedReason, excerpt);
    else this.sink.reject(line, sourceProblemCodes.recordTooLong, this.tooLongReason(), excerpt);
  }

  private parse(text: string, start: number, final: boolean): void {
    let pos = start;
    const length = text.length;
    while (pos < length) {
      const code = text.charCodeAt(pos);
      if (this.skipLf) {
        this.skipLf = false;
        if (code === lf) {
          pos++;
          continue;
        }
      }
      if (code === lf || code === cr) {
        // A blank line: no record.
        this.line++;
        this.skipLf = code === cr;
        pos++;
        continue;
      }
      const next = this.parseRecord(text, pos, final);
      if (next === incomplete) {
        if (length - pos > this.limits.maxRecordLength) this.startSkipping(text, pos, final);
        else if (final) this.sink.reject(this.line, sourceProblemCodes.truncatedRecord, truncatedReason, excerptOf(text, pos));
        else this.pending = text.slice(pos);
        return;
      }
      pos = next;
    }
  }

  /** Splits the record at `start`; returns the position after its end, or `incomplete`. */
  private parseRecord(text: string, start: number, final: boolean): number {
    const fields = this.fields;
    const delimiter = this.delimiter;
    const length = text.length;
    fields.length = 0;
    let pos = start;
    let malformed = false;
    let quotedLineBreaks = 0;
    for (;;) {
      if (pos < length && text.charCodeAt(pos) === quote) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const closing = text.indexOf('"', from);
          if (closing === -1 || (closing + 1 === length && !final)) return incomplete;
          if (text.charCodeAt(closing + 1) === quote) {
            value += text.slice(from, closing + 1);
            from = closing + 2;
            continue;
          }
          value += text.slice(from, closing);
          pos = closing + 1;
          break;
        }
        quotedLineBreaks += countLineBreaks(value);
        let end = pos;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === delimiter || code === cr || code === lf) break;
          end++;
        }
        if (end !== pos) malformed = true;
        pos = end;
        fields.push(value);
      } else {
        let end = pos;
        while (end < length) {
          const code = text.charCodeAt(end);
          // Most characters are above the line breaks and not the delimiter: one test for them.
          if (code > cr && code !== delimiter) {
            end++;
            continue;
          }
          if (code === delimiter || code === cr || code === lf) break;
          end++;
        }
        fields.push(text.slice(pos, end));
        pos = end;
      }
      if (pos >= length) {
        if (!final) return incomplete;
        this.finishRecord(text, start, pos, malformed);
        return pos;
      }
      const code = text.charCodeAt(pos);
      if (code === delimiter) {
        pos++;
        continue;
      }
      const line = this.line;
      this.line += quotedLineBreaks + 1;
      this.skipLf = code === cr;
      this.finishRecord(text, start, pos, malformed, line);
      return pos + 1;
    }
  }

  private finishRecord(text: string, start: number, end: number, malformed: boolean, line = this.line): void {
    if (end - start > this.limits.maxRecordLength) this.sink.reject(line, sourceProblemCodes.recordTooLong, this.tooLongReason(), excerptOf(text, start, end));
    else if (malformed) this.sink.reject(line, sourceProblemCodes.malformedRow, malformedReason, excerptOf(text, start, end));
    else {
      this.current.text = text;
      this.current.start = start;
      this.current.end = end;
      this.sink.record(this.fields, line, this);
    }
  }

  excerpt(): string {
    return excerptOf(this.current.text, this.current.start, this.current.end);
  }

  private tooLongReason(): string {
    return `The record is longer than the limit of ${this.limits.maxRecordLength} characters; it was skipped.`;
  }
}

const truncatedReason = 'The file ends inside a quoted field: it is probably truncated, or a quote is not closed.';
const malformedReason = 'A quote is misplaced: text follows the closing quote of a quoted field (a quote inside it is written twice: "").';
