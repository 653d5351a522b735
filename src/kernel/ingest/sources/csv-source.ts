/**
 * CSV text -> source items. Values stay strings exactly as in the file: no trimming, no casting, and a
 * formula-looking cell (`=cmd|' /C calc'!A0`, `+1`, `@SUM`) is plain text. Splitting is csv-tokenizer.ts;
 * this file names the columns, checks the header and turns records into rows or problems.
 */
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { CsvTokenizer, type CsvRecordSink, type CsvRecordText } from './csv-tokenizer.ts';
import { sniffDelimiter, type CsvDelimiterChar } from './sniff-delimiter.ts';
import { sourceErrors, sourceProblemCodes, type SourceProblemCode } from './source.errors.ts';
import { resolveSourceLimits } from './source-limits.ts';
import { compileRowBuilder, type RowBuilder } from './compile-row-builder.ts';

export interface CsvHooks {
  /** The delimiter used (the detected one for `auto`). */
  onDelimiter?(delimiter: CsvDelimiterChar): void;
}

/** Text read before `auto` picks a delimiter. */
const sniffChars = 65_536;

/** Streams the rows of CSV text; per-record problems are items too, a bad header is a SourceError. */
export async function* readCsv(text: AsyncIterable<string>, options: SourceFormatOptions, hooks: CsvHooks = {}): AsyncGenerator<SourceItem> {
  const iterator = text[Symbol.asyncIterator]();
  try {
    let head = '';
    let done = false;
    const wanted = options.delimiter ?? 'auto';
    // One character more than sampled, so that the sample is as long with a BOM as without.
    while (wanted === 'auto' && head.length <= sniffChars && !done) {
      const next = await iterator.next();
      if (next.done === true) done = true;
      else head += next.value;
    }
    head = withoutBom(head);
    const delimiter = wanted === 'auto' ? sniffDelimiter(head.slice(0, sniffChars), done && head.length <= sniffChars) : wanted;
    hooks.onDelimiter?.(delimiter);
    const rows = new CsvRows(options);
    const tokenizer = new CsvTokenizer(delimiter.charCodeAt(0), resolveSourceLimits(options), rows);
    let first = head.length === 0;
    tokenizer.push(head);
    yield* rows.take();
    while (!done) {
      const next = await iterator.next();
      if (next.done === true) break;
      tokenizer.push(first ? withoutBom(next.value) : next.value);
      if (next.value.length > 0) first = false;
      if (rows.items.length > 0) yield* rows.take();
    }
    tokenizer.end();
    yield* rows.take();
  } finally {
    // Ends the upstream (and closes its file) when the reader stops early.
    await iterator.return?.();
  }
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Names columns from the header and turns records into items, collected until the reader yields them. */
class CsvRows implements CsvRecordSink {
  items: SourceItem[] = [];
  private names: readonly string[] | undefined;
  private rowNumber = 0;
  private readonly namedByPosition: boolean;
  private readonly maxFieldLength: number;
  private build: RowBuilder = () => ({});

  constructor(options: SourceFormatOptions) {
    const header = options.header ?? true;
    this.namedByPosition = header === false;
    this.maxFieldLength = resolveSourceLimits(options).maxFieldLength;
    if (Array.isArray(header)) this.useNames(header);
  }

  take(): SourceItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  record(fields: readonly string[], line: number, text: CsvRecordText): void {
    if (this.names === undefined) {
      if (!this.namedByPosition) return this.useNames([...fields]);
      this.useNames(fields.map((_, index) => String(index + 1)));
    }
    const names = this.names as readonly string[];
    const rowNumber = ++this.rowNumber;
    if (fields.length !== names.length) {
      const reason = `The record has ${fields.length} fields, the header ${names.length}.`;
      return this.problem(rowNumber, line, sourceProblemCodes.columnCount, reason, text.excerpt());
    }
    for (let index = 0; index < fields.length; index++) {
      if ((fields[index] as string).length > this.maxFieldLength) {
        const reason = `The field "${names[index]}" is longer than the limit of ${this.maxFieldLength} characters.`;
        return this.problem(rowNumber, line, sourceProblemCodes.fieldTooLong, reason, text.excerpt());
      }
    }
    this.items.push({ kind: 'row', row: { rowNumber, line, values: this.build(fields) } });
  }

  reject(line: number, code: SourceProblemCode, reason: string, excerpt: string): void {
    if (this.names === undefined && !this.namedByPosition) throw sourceErrors.invalidHeader(`the header record cannot be read (${reason})`, [excerpt]);
    this.problem(++this.rowNumber, line, code, reason, excerpt);
  }

  private problem(rowNumber: number, line: number, code: SourceProblemCode, reason: string, excerpt: string): void {
    this.items.push({ kind: 'problem', problem: { rowNumber, line, code, reason, excerpt } });
  }

  private useNames(names: readonly string[]): void {
    if (names.length === 0) throw sourceErrors.invalidHeader('the list of column names is empty', names);
    const seen = new Set<string>();
    for (const [index, name] of names.entries()) {
      if (name.trim() === '') throw sourceErrors.invalidHeader(`column ${index + 1} has no name`, names);
      if (seen.has(name)) throw sourceErrors.invalidHeader(`the name "${name}" is used twice`, names);
      seen.add(name);
    }
    this.names = names;
    this.build = compileRowBuilder(names);
  }
}
