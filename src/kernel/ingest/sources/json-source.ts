/**
 * JSON text -> source items. NDJSON: one object per line, blank lines skipped. JSON: one top-level array
 * of objects, tokenized by stream-json so the document is never held whole.
 * A broken JSON document: every element completed before the break is delivered; then an end of text
 * before the array closes is a `truncated_record` problem (a cut file), while a syntax error in the middle
 * is a SourceError `ingest.malformed_source`, since nothing after it can be read.
 */
import { jsonParser } from 'stream-json/core/parser.js';
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { JsonArrayAssembler, type JsonToken } from './json-array-assembler.ts';
import { SourceError, sourceErrors, sourceProblemCodes } from './source.errors.ts';
import { excerptOf, resolveSourceLimits, type SourceLimits } from './source-limits.ts';

/** Streams the objects of NDJSON text; a line that is not a JSON object is a problem, the next lines are still read. */
export async function* readNdjson(text: AsyncIterable<string>, options: SourceFormatOptions): AsyncGenerator<SourceItem> {
  const lines = new NdjsonLines(resolveSourceLimits(options));
  for await (const chunk of text) {
    lines.push(chunk);
    if (lines.items.length > 0) yield* lines.take();
  }
  lines.end();
  yield* lines.take();
}

class NdjsonLines {
  items: SourceItem[] = [];
  private pending = '';
  private skipping = false;
  private excerpt = '';
  private rowNumber = 0;
  private first = true;

  constructor(private readonly limits: SourceLimits) {}

  take(): SourceItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  push(chunk: string): void {
    if (this.first && chunk.length > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let pos = 0;
    for (;;) {
      const end = chunk.indexOf('\n', pos);
      if (this.skipping) {
        if (this.excerpt.length < 200) this.excerpt += chunk.slice(pos, end === -1 ? chunk.length : end);
        if (end === -1) return;
        this.skipping = false;
        this.problem(sourceProblemCodes.recordTooLong, this.tooLongReason(), excerptOf(this.excerpt));
      } else if (end === -1) {
        this.pending += chunk.slice(pos);
        // A line can only grow: once over the limit it is skipped to its end, not held.
        if (this.pending.length > this.limits.maxRecordLength) {
          this.skipping = true;
          this.excerpt = excerptOf(this.pending);
          this.pending = '';
        }
        return;
      } else {
        const line = this.pending.length === 0 ? chunk.slice(pos, end) : this.pending + chunk.slice(pos, end);
        this.pending = '';
        this.line(line);
      }
      pos = end + 1;
    }
  }

  end(): void {
    if (this.skipping) this.problem(sourceProblemCodes.recordTooLong, this.tooLongReason(), excerptOf(this.excerpt));
    else if (this.pending.length > 0) this.line(this.pending);
    this.skipping = false;
    this.pending = '';
  }

  private line(line: string): void {
    // The length counts a CR of a CRLF, as the skipping above does, so both agree on what is too long.
    if (line.length > this.limits.maxRecordLength) return this.problem(sourceProblemCodes.recordTooLong, this.tooLongReason(), excerptOf(line));
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return this.problem(sourceProblemCodes.malformedRow, `The line is not valid JSON: ${(error as Error).message}`, excerptOf(line.trim()));
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.problem(sourceProblemCodes.notAnObject, 'The line is valid JSON but not an object.', excerptOf(line.trim()));
    }
    const rowNumber = ++this.rowNumber;
    this.items.push({ kind: 'row', row: { rowNumber, line: rowNumber, values: value as Record<string, unknown> } });
  }

  private problem(code: string, reason: string, excerpt: string): void {
    const rowNumber = ++this.rowNumber;
    this.items.push({ kind: 'problem', problem: { rowNumber, line: rowNumber, code, reason, excerpt } });
  }

  private tooLongReason(): string {
    return `The line is longer than the limit of ${this.limits.maxRecordLength} characters; it was skipped.`;
  }
}

// stream-chain's markers, registered symbols: the tokenizer returns `none` or `many(tokens)` and is flushed with `none`.
const none = Symbol.for('object-stream.none');
const manyMarker = Symbol.for('object-stream.many');
type JsonTokenizer = (chunk: string | typeof none) => unknown;

/** Streams the elements of the array of records (the document, or where `options.records` points); an element that is not an object is a problem. */
export async function* readJsonArray(text: AsyncIterable<string>, options: SourceFormatOptions): AsyncGenerator<SourceItem> {
  const assembler = new JsonArrayAssembler(resolveSourceLimits(options), options.records);
  // Streamed, not packed: a 50 MB string arrives in pieces instead of being collected by the tokenizer.
  const tokenizer = jsonParser({ packKeys: false, packStrings: false, packNumbers: false }) as unknown as JsonTokenizer;
  let offset = 0;
  let first = true;
  for await (let chunk of text) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    try {
      feed(tokenizer, chunk, assembler, offset);
    } catch (error) {
      yield* assembler.take();
      throw error;
    }
    offset += chunk.length;
    if (assembler.items.length > 0) yield* assembler.take();
  }
  let ended = true;
  let tail: unknown;
  try {
    tail = tokenizer(none);
  } catch {
    ended = false;
  }
  consume(tail, assembler);
  if (assembler.started && (!ended || !assembler.finished)) assembler.truncated();
  yield* assembler.take();
}

/**
 * Feeds a chunk in pieces that end after each `}` and `]`: a tokenizer call that fails returns none of its
 * tokens, so cutting there delivers every element completed before a syntax error, however the text was chunked.
 */
function feed(tokenizer: JsonTokenizer, chunk: string, assembler: JsonArrayAssembler, offset: number): void {
  let start = 0;
  let brace = -2;
  let bracket = -2;
  while (start < chunk.length) {
    // -1: none left in this chunk; below `start`: passed, look for the next.
    if (brace !== -1 && brace < start) brace = chunk.indexOf('}', start);
    if (bracket !== -1 && bracket < start) bracket = chunk.indexOf(']', start);
    const end = Math.min(brace === -1 ? chunk.length : brace + 1, bracket === -1 ? chunk.length : bracket + 1);
    try {
      consume(tokenizer(start === 0 && end === chunk.length ? chunk : chunk.slice(start, end)), assembler);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw sourceErrors.malformedSource(`The JSON document is broken between characters ${offset + start} and ${offset + end} (${reason}); the elements before it were read.`);
    }
    start = end;
  }
}

function consume(result: unknown, assembler: JsonArrayAssembler): void {
  if (result === none || result === undefined) return;
  const tokens = (result as { [manyMarker]?: number; values?: JsonToken[] })[manyMarker] === 1 ? (result as { values: JsonToken[] }).values : [result as JsonToken];
  for (const token of tokens) assembler.consume(token);
}
