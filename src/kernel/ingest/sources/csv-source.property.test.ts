import { parse as parseWithCsvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { readCsv } from './csv-source.ts';

async function* textOf(chunks: readonly string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

/** The items of a read, or the code of the error that ended it. */
async function outcome(chunks: readonly string[], options: SourceFormatOptions): Promise<{ items: SourceItem[]; error?: string }> {
  const items: SourceItem[] = [];
  try {
    for await (const item of readCsv(textOf(chunks), options)) items.push(item);
    return { items };
  } catch (error) {
    return { items, error: (error as { code?: string }).code ?? String(error) };
  }
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(text.slice(start, position));
    start = position;
  }
  chunks.push(text.slice(start));
  return chunks;
}

const anyChar = fc.constantFrom('a', 'b', '1', ' ', '"', ';', ',', '\t', '|', '\r', '\n', 'ä', '€', '😀');
const rawText = fc.array(anyChar, { maxLength: 120 }).map((chars) => chars.join(''));
const plainField = fc.array(fc.constantFrom('a', 'B', '7', ' ', 'ö', '='), { maxLength: 6 }).map((chars) => chars.join(''));
const quotedField = fc.array(anyChar, { maxLength: 8 }).map((chars) => `"${chars.join('').replaceAll('"', '""')}"`);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '\n\n');
const delimiter = fc.constantFrom(';', ',', '\t', '|');
const csvLikeText = fc
  .tuple(delimiter, fc.array(fc.tuple(fc.array(fc.oneof(plainField, quotedField), { minLength: 1, maxLength: 4 }), lineEnd), { maxLength: 8 }))
  .map(([separator, records]) => records.map(([fields, end]) => fields.join(separator) + end).join(''));

const readOptions = fc.record({
  format: fc.constant('csv' as const),
  delimiter: fc.constantFrom('auto', ';', ',') as fc.Arbitrary<SourceFormatOptions['delimiter']>,
  header: fc.constantFrom(true, false),
  maxFieldLength: fc.integer({ min: 3, max: 30 }),
  maxRecordLength: fc.integer({ min: 5, max: 60 }),
});

describe('readCsv: chunking', () => {
  it('reads the same items however the text is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(rawText, csvLikeText), fc.array(fc.nat(), { maxLength: 12 }), readOptions, async (text, cuts, options) => {
        const whole = await outcome([text], options);
        expect(await outcome(splitAt(text, cuts), options)).toEqual(whole);
        expect(await outcome(text.split(''), options)).toEqual(whole);
      }),
      { numRuns: 400 },
    );
  });
});

const fieldChar = fc.constantFrom('a', 'Z', '0', ' ', '"', ';', ',', '\t', '|', '\r', '\n', 'ß', '€', '=', '+', '-', '@');
const fieldValue = fc.array(fieldChar, { maxLength: 10 }).map((chars) => chars.join(''));
const columnName = fc.array(fc.constantFrom('A', 'B', 'K', 'U', 'N', 'R', '_', '1'), { minLength: 1, maxLength: 6 }).map((chars) => chars.join(''));
const table = fc.uniqueArray(columnName, { minLength: 1, maxLength: 5 }).chain((names) =>
  fc.record({
    names: fc.constant(names),
    rows: fc.array(fc.array(fieldValue, { minLength: names.length, maxLength: names.length }), { maxLength: 8 }),
    delimiter,
    lineEnd: fc.constantFrom('\n', '\r\n'),
    quoteAll: fc.boolean(),
    /** Leave unquoted a field whose quotes are inside it (not first) and that holds no delimiter candidate or line break: `12" PIPE`. */
    bareQuotes: fc.boolean(),
  }),
);

/**
 * RFC 4180 writing: quote a field that holds a delimiter candidate, a quote or a line break (and an
 * empty lone field, else a blank line); with `bareQuotes`, as spreadsheets write, a field whose quotes
 * are not its first character is left unquoted unless it holds a delimiter candidate or a line break.
 */
function writeCsv(names: readonly string[], rows: readonly string[][], separator: string, lineEnd: string, quoteAll: boolean, bareQuotes = false): string {
  const needsQuotes = (value: string) => (bareQuotes ? /[;,\t|\r\n]/.test(value) || value.startsWith('"') : /[;,\t|"\r\n]/.test(value));
  const field = (value: string, width: number) => (quoteAll || needsQuotes(value) || (width === 1 && value === '') ? `"${value.replaceAll('"', '""')}"` : value);
  return [names, ...rows].map((record) => record.map((value) => field(value, record.length)).join(separator) + lineEnd).join('');
}

describe('readCsv: round trip', () => {
  it('reads back every value of a well-formed file exactly, with the delimiter given or detected', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.array(fc.nat(), { maxLength: 6 }), async ({ names, rows, delimiter: separator, lineEnd: end, quoteAll, bareQuotes }, cuts) => {
        const text = writeCsv(names, rows, separator, end, quoteAll, bareQuotes);
        const expected = rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
        for (const given of [separator, 'auto'] as const) {
          const { items, error } = await outcome(splitAt(text, cuts), { format: 'csv', delimiter: given });
          expect(error).toBeUndefined();
          expect(items.map((item) => (item.kind === 'row' ? item.row.values : item.problem))).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with csv-parse on well-formed files', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ names, rows, delimiter: separator, lineEnd: end, quoteAll, bareQuotes }) => {
        const text = writeCsv(names, rows, separator, end, quoteAll, bareQuotes);
        // relax_quotes: csv-parse's reading of a quote inside an unquoted field, as text.
        const reference = parseWithCsvParse(text, { delimiter: separator, columns: true, skip_empty_lines: true, relax_quotes: true }) as unknown[];
        const { items } = await outcome([text], { format: 'csv', delimiter: separator });
        expect(items.map((item) => (item.kind === 'row' ? item.row.values : item.problem))).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });
});
