/**
 * Builds the elements of the JSON array of records (the document, or the array `source.records` points
 * at: json-records-seeker.ts) from stream-json tokens (streamed form: keys, strings and
 * numbers arrive in chunks, so no single value is held whole by the tokenizer). An element's size is
 * counted on its content (keys, strings, numbers, literals, punctuation; whitespace and escapes not);
 * past `maxRecordLength` the element is dropped as it goes and becomes a `record_too_long` problem.
 */
import type { SourceItem } from '../ingest.contract.ts';
import { JsonRecordsSeeker, maxJsonDepth as maxDepth } from './json-records-seeker.ts';
import type { JsonToken } from './json-token.ts';
import { sourceErrors, sourceProblemCodes, type SourceProblemCode } from './source.errors.ts';
import { excerptLength, excerptOf, type SourceLimits } from './source-limits.ts';

export type { JsonToken } from './json-token.ts';

type Container = Record<string, unknown> | unknown[];

const completeNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export class JsonArrayAssembler {
  items: SourceItem[] = [];
  /** A token arrived (the document is not empty). */
  started = false;
  /** The array of records was closed. */
  finished = false;
  private readonly seeker: JsonRecordsSeeker;
  private depth = 0;
  private readonly stack: Container[] = [];
  private readonly keys: string[] = [];
  private text = '';
  private size = 0;
  private oversized = false;
  /** The excerpt of an oversized object or array, taken when it became oversized (its completed members). */
  private rootExcerpt: string | undefined;
  private rowNumber = 0;
  /** A number's chunks are arriving: stream-json holds back its `endNumber` until the next token. */
  private numberOpen = false;

  /** `records`: the JSON Pointer to the array of records; the document itself by default. */
  constructor(
    private readonly limits: SourceLimits,
    records = '',
  ) {
    this.seeker = new JsonRecordsSeeker(records);
  }

  take(): SourceItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** The problem for a document that ends before its array is closed. */
  truncated(): void {
    // A number followed only by whitespace ended in the text, yet its endNumber never came: the tokenizer
    // sends it with the next token, and the flush fails first. Taken here, the excerpt is the same however the text was chunked.
    if (this.numberOpen && !this.oversized && completeNumber.test(this.text)) this.consume({ name: 'endNumber' });
    if (this.finished) return this.problem(sourceProblemCodes.truncatedRecord, 'The document ends before it is closed, after the array of records: the file is probably truncated.', '');
    const excerpt = this.oversized ? this.oversizedExcerpt() : this.partialExcerpt();
    this.problem(sourceProblemCodes.truncatedRecord, 'The document ends before the array is closed: the file is probably truncated.', excerpt);
  }

  consume(token: JsonToken): void {
    this.started = true;
    if (this.depth === 0) {
      // After the records: what closes the document around them (the tokenizer checks its syntax).
      if (!this.finished && this.seeker.consume(token)) this.depth = 1;
      return;
    }
    switch (token.name) {
      case 'startArray':
      case 'startObject':
        return this.open(token.name === 'startArray' ? [] : {});
      case 'endArray':
      case 'endObject':
        return this.close();
      case 'startKey':
      case 'startString':
      case 'startNumber':
        this.numberOpen = token.name === 'startNumber';
        this.text = '';
        return this.grow(token.name === 'startNumber' ? 0 : 2);
      case 'stringChunk':
      case 'numberChunk':
        // An oversized string element keeps its first characters for the excerpt, whatever the chunks.
        if (!this.oversized || (this.rootExcerpt === undefined && this.text.length < excerptLength)) this.text += token.value;
        return this.grow(token.value.length);
      case 'endKey':
        this.keys[this.keys.length - 1] = this.text;
        return this.grow(1);
      case 'endString':
        return this.add(this.text);
      case 'endNumber':
        this.numberOpen = false;
        return this.add(Number(this.text));
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        this.grow(5);
        return this.add(token.value);
      default:
        return;
    }
  }

  private open(container: Container): void {
    if (++this.depth > maxDepth) throw sourceErrors.malformedSource(`The document nests deeper than ${maxDepth} levels.`);
    this.grow(1);
    if (this.oversized) return;
    this.stack.push(container);
    this.keys.push('');
  }

  private close(): void {
    this.depth--;
    if (this.depth === 0) {
      this.finished = true;
      return;
    }
    this.grow(1);
    if (this.oversized) {
      if (this.depth === 1) this.endOversized();
      return;
    }
    const container = this.stack.pop() as Container;
    this.keys.pop();
    this.add(container);
  }

  private add(value: unknown): void {
    if (this.oversized) {
      if (this.depth === 1) this.endOversized();
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) return this.element(value);
    if (Array.isArray(parent)) parent.push(value);
    else {
      const key = this.keys[this.keys.length - 1] as string;
      // As JSON.parse does: `__proto__` is an own property, never the prototype.
      if (key === '__proto__') Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
      else parent[key] = value;
    }
  }

  private element(value: unknown): void {
    this.size = 0;
    this.text = '';
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const rowNumber = ++this.rowNumber;
      this.items.push({ kind: 'row', row: { rowNumber, line: rowNumber, values: value as Record<string, unknown> } });
    } else {
      this.problem(sourceProblemCodes.notAnObject, `The element is ${describe(value)}, not an object.`, excerptOf(JSON.stringify(value)));
    }
  }

  private grow(characters: number): void {
    this.size += characters;
    if (this.oversized || this.size <= this.limits.maxRecordLength) return;
    this.oversized = true;
    if (this.stack.length > 0) {
      this.rootExcerpt = this.partialExcerpt();
      this.text = '';
    }
    this.stack.length = 0;
    this.keys.length = 0;
  }

  private endOversized(): void {
    const excerpt = this.oversizedExcerpt();
    this.oversized = false;
    this.rootExcerpt = undefined;
    this.text = '';
    this.size = 0;
    this.problem(sourceProblemCodes.recordTooLong, `The element is longer than the limit of ${this.limits.maxRecordLength} characters; it was skipped.`, excerpt);
  }

  private oversizedExcerpt(): string {
    return this.rootExcerpt ?? excerptOf(this.text);
  }

  private partialExcerpt(): string {
    const root = this.stack[0];
    return excerptOf(root === undefined ? this.text : JSON.stringify(root));
  }

  private problem(code: SourceProblemCode, reason: string, excerpt: string): void {
    const rowNumber = ++this.rowNumber;
    this.items.push({ kind: 'problem', problem: { rowNumber, line: rowNumber, code, reason, excerpt } });
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
