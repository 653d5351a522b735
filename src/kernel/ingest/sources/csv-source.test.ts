import { describe, expect, it } from 'vitest';
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { readCsv } from './csv-source.ts';

async function* textOf(chunks: readonly string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

async function read(text: string | readonly string[], options: Partial<SourceFormatOptions> = {}): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readCsv(textOf(typeof text === 'string' ? [text] : text), { format: 'csv', ...options })) items.push(item);
  return items;
}

const rowsOf = (items: SourceItem[]) => items.flatMap((item) => (item.kind === 'row' ? [item.row] : []));
const valuesOf = (items: SourceItem[]) => rowsOf(items).map((row) => row.values);
const problemsOf = (items: SourceItem[]) => items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));

describe('readCsv: RFC 4180', () => {
  it('reads quoted fields holding delimiters, doubled quotes and CRLF or LF line breaks', async () => {
    const text = 'id;name;note\r\n1;"Müller; GmbH";"say ""hi"""\r\n2;"multi\r\nline";"a\nb"\r\n3;plain;x\r\n';
    const items = await read(text, { delimiter: ';' });
    expect(rowsOf(items)).toEqual([
      { rowNumber: 1, line: 2, values: { id: '1', name: 'Müller; GmbH', note: 'say "hi"' } },
      { rowNumber: 2, line: 3, values: { id: '2', name: 'multi\r\nline', note: 'a\nb' } },
      { rowNumber: 3, line: 6, values: { id: '3', name: 'plain', note: 'x' } },
    ]);
  });

  it('ends records on CRLF, LF or a lone CR, with or without a final line break', async () => {
    for (const end of ['\r\n', '\n', '\r']) {
      const items = await read(`a,b${end}1,2${end}3,4`, { delimiter: ',' });
      expect(rowsOf(items)).toEqual([
        { rowNumber: 1, line: 2, values: { a: '1', b: '2' } },
        { rowNumber: 2, line: 3, values: { a: '3', b: '4' } },
      ]);
    }
  });

  it('reads the same rows with each delimiter, given or detected', async () => {
    for (const delimiter of [',', ';', '\t', '|'] as const) {
      const text = ['KUNNR', 'NAME1', 'ORT01'].join(delimiter) + '\n' + ['0000100001', `"A${delimiter}B"`, 'Köln'].join(delimiter) + '\n';
      const expected = [{ KUNNR: '0000100001', NAME1: `A${delimiter}B`, ORT01: 'Köln' }];
      expect(valuesOf(await read(text, { delimiter }))).toEqual(expected);
      let detected = '';
      const items: SourceItem[] = [];
      for await (const item of readCsv(textOf([text]), { format: 'csv', delimiter: 'auto' }, { onDelimiter: (found) => (detected = found) })) items.push(item);
      expect(detected).toBe(delimiter);
      expect(valuesOf(items)).toEqual(expected);
    }
  });

  it('detects the delimiter that splits every sampled record like the header, over one that is merely more frequent', async () => {
    const text = 'name;remark\n"Meier, Hans";"a, b, c"\nSchulz;ok\n';
    expect(valuesOf(await read(text))).toEqual([
      { name: 'Meier, Hans', remark: 'a, b, c' },
      { name: 'Schulz', remark: 'ok' },
    ]);
    // `,` is more frequent in the header but not in the records; `;` splits all of them alike.
    const inconsistent = 'a,b,c;d\n1;2\n3;4\n';
    expect(valuesOf(await read(inconsistent))).toEqual([{ 'a,b,c': '1', d: '2' }, { 'a,b,c': '3', d: '4' }]);
  });

  it('keeps values exactly as in the file: spaces, leading zeros, empty fields and formula-looking text', async () => {
    const text = 'a;b;c;d;e;f\n  padded ;00042;;"=cmd|\' /C calc\'!A0";+1;-2\n@SUM(A1);=1+1;"";x;=HYPERLINK("a");\t\n';
    expect(valuesOf(await read(text, { delimiter: ';' }))).toEqual([
      { a: '  padded ', b: '00042', c: '', d: "=cmd|' /C calc'!A0", e: '+1', f: '-2' },
      // Quotes inside a field that does not start with one are text, as written.
      { a: '@SUM(A1)', b: '=1+1', c: '', d: 'x', e: '=HYPERLINK("a")', f: '\t' },
    ]);
    expect(problemsOf(await read(text, { delimiter: ';' }))).toEqual([]);
  });

  it('reads a quote inside an unquoted field as text: inch marks of material descriptions', async () => {
    const text = 'MATNR;MAKTX;MEINS\n000000000000004711;PIPE 1/2" STEEL;ST\n000000000000004712;"VALVE 3/4"" BRASS";ST\n000000000000004713;12" x 4" PANEL;ST\n';
    const items = await read(text, { delimiter: ';' });
    expect(valuesOf(items).map((row) => row.MAKTX)).toEqual(['PIPE 1/2" STEEL', 'VALVE 3/4" BRASS', '12" x 4" PANEL']);
    expect(problemsOf(items)).toEqual([]);
  });

  it('skips blank lines between records and counts physical lines across them', async () => {
    const items = await read('a,b\r\n\r\n1,2\n\n\n3,4\r\n\r\n', { delimiter: ',' });
    expect(rowsOf(items)).toEqual([
      { rowNumber: 1, line: 3, values: { a: '1', b: '2' } },
      { rowNumber: 2, line: 6, values: { a: '3', b: '4' } },
    ]);
  });

  it('yields nothing for an empty file, a BOM alone or a header alone', async () => {
    expect(await read('')).toEqual([]);
    expect(await read('\uFEFF')).toEqual([]);
    expect(await read('a;b;c')).toEqual([]);
    expect(await read('a;b;c\r\n\r\n')).toEqual([]);
  });

  it('drops a BOM before the first column name', async () => {
    expect(valuesOf(await read(['\uFEFFKUNNR;NAME1\n', '1;x\n'], { delimiter: ';' }))).toEqual([{ KUNNR: '1', NAME1: 'x' }]);
    expect(valuesOf(await read(['\uFEFFKUNNR;NAME1\n1;x\n']))).toEqual([{ KUNNR: '1', NAME1: 'x' }]);
  });
});

describe('readCsv: header', () => {
  it('uses given column names and reads the first line as data', async () => {
    const items = await read('1;x\n2;y\n', { delimiter: ';', header: ['id', 'name'] });
    expect(rowsOf(items)).toEqual([
      { rowNumber: 1, line: 1, values: { id: '1', name: 'x' } },
      { rowNumber: 2, line: 2, values: { id: '2', name: 'y' } },
    ]);
  });

  it('names columns by position when there is no header', async () => {
    expect(valuesOf(await read('1;x\n2;y\n', { delimiter: ';', header: false }))).toEqual([
      { 1: '1', 2: 'x' },
      { 1: '2', 2: 'y' },
    ]);
  });

  it('refuses a header with a duplicate or an empty column name', async () => {
    await expect(read('id;name;id\n1;x;2\n', { delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.invalid_header', kind: 'unprocessable' });
    await expect(read('id;;name\n1;x;2\n', { delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
    await expect(read('id;name;\n1;x;\n', { delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
    await expect(read('1;x\n', { delimiter: ';', header: ['id', 'id'] })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
    await expect(read('1;x\n', { delimiter: ';', header: [] })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
  });

  it('refuses a header record that cannot be read', async () => {
    await expect(read('id;"na"me\n1;x\n', { delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
    await expect(read('id;"name\n1;x\n', { delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.invalid_header' });
  });

  it('keeps a column named __proto__ as an own property', async () => {
    const [values] = valuesOf(await read('__proto__;b\n1;2\n', { delimiter: ';' }));
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.keys(values ?? {})).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('1');
  });

  it('keys values by any column name, code-like or odd ones included', async () => {
    const names = ['"}); process.exit(1); ({"', 'a\u2028b', '\\', '1', 'constructor', '${x}'];
    const header = names.map((name) => `"${name.replaceAll('"', '""')}"`).join(';');
    const [values] = valuesOf(await read(`${header}\n1;2;3;4;5;6\n`, { delimiter: ';' }));
    expect(Object.entries(values ?? {})).toEqual([
      ['1', '4'],
      ['"}); process.exit(1); ({"', '1'],
      ['a\u2028b', '2'],
      ['\\', '3'],
      ['constructor', '5'],
      ['${x}', '6'],
    ]);
  });

  it('reads a ;-file given `,` as one column named after the whole header line', async () => {
    const items = await read('KUNNR;NAME1\n1;Meier\n2;"Schulz, Anna"\n3;Kurz, Eva\n', { delimiter: ',' });
    expect(valuesOf(items)).toEqual([{ 'KUNNR;NAME1': '1;Meier' }]);
    expect(problemsOf(items)).toMatchObject([
      { rowNumber: 2, code: 'ingest.column_count', excerpt: '2;"Schulz, Anna"' },
      { rowNumber: 3, code: 'ingest.column_count' },
    ]);
  });
});

describe('readCsv: rejected records', () => {
  it('rejects a record with too many or too few fields and reads on', async () => {
    const items = await read('a;b\n1;2\n3;4;5\n6\n7;8\n', { delimiter: ';' });
    expect(valuesOf(items)).toEqual([
      { a: '1', b: '2' },
      { a: '7', b: '8' },
    ]);
    expect(problemsOf(items)).toEqual([
      { rowNumber: 2, line: 3, code: 'ingest.column_count', reason: 'The record has 3 fields, the header 2.', excerpt: '3;4;5' },
      { rowNumber: 3, line: 4, code: 'ingest.column_count', reason: 'The record has 1 fields, the header 2.', excerpt: '6' },
    ]);
    expect(rowsOf(items).map((row) => row.rowNumber)).toEqual([1, 4]);
  });

  it('rejects a record with text after a closing quote and reads the next records normally', async () => {
    const items = await read('a;b\n1;"x"y;z\n2;"x" ;z\n3;"ok"\n4;ab"c\n', { delimiter: ';' });
    expect(problemsOf(items)).toMatchObject([
      { rowNumber: 1, line: 2, code: 'ingest.malformed_row', excerpt: '1;"x"y;z' },
      { rowNumber: 2, line: 3, code: 'ingest.malformed_row', excerpt: '2;"x" ;z' },
    ]);
    expect(rowsOf(items)).toEqual([
      { rowNumber: 3, line: 4, values: { a: '3', b: 'ok' } },
      { rowNumber: 4, line: 5, values: { a: '4', b: 'ab"c' } },
    ]);
  });

  it('delivers every complete row of a truncated file, then a truncated_record problem', async () => {
    const items = await read(['id;name\n1;a\n2;"Mül', 'ler GmbH\n3;b\n'], { delimiter: ';' });
    expect(valuesOf(items)).toEqual([{ id: '1', name: 'a' }]);
    expect(problemsOf(items)).toMatchObject([{ rowNumber: 2, line: 3, code: 'ingest.truncated_record', excerpt: '2;"Müller GmbH\n3;b\n' }]);
  });

  it('rejects a field over maxFieldLength, naming its column', async () => {
    const items = await read('id;name\n1;abcdef\n2;abc\n', { delimiter: ';', maxFieldLength: 5 });
    expect(problemsOf(items)).toEqual([
      { rowNumber: 1, line: 2, code: 'ingest.field_too_long', reason: 'The field "name" is longer than the limit of 5 characters.', excerpt: '1;abcdef' },
    ]);
    expect(valuesOf(items)).toEqual([{ id: '2', name: 'abc' }]);
  });

  it('rejects a record over maxRecordLength, however it is chunked', async () => {
    const text = 'id;name\n1;"' + 'x\n'.repeat(30) + '"\n2;ok\n';
    for (const chunks of [[text], text.split('')]) {
      const items = await read(chunks, { delimiter: ';', maxRecordLength: 20 });
      expect(problemsOf(items)).toMatchObject([{ rowNumber: 1, line: 2, code: 'ingest.record_too_long', excerpt: '1;"' + 'x\n'.repeat(30) + '"' }]);
      expect(rowsOf(items)).toEqual([{ rowNumber: 2, line: 33, values: { id: '2', name: 'ok' } }]);
    }
  });

  it('skips a field of several megabytes without holding it and reads the rows after it', async () => {
    const chunk = 'x;""\r\n'.repeat(10_923);
    const chunks = ['id;name;note\r\n1;a;b\r\n2;"', ...Array.from({ length: 100 }, () => chunk), '";c\r\n3;d;e\r\n'];
    const items = await read(chunks, { delimiter: ';' });
    expect(problemsOf(items)).toMatchObject([{ rowNumber: 2, line: 3, code: 'ingest.record_too_long' }]);
    expect(problemsOf(items)[0]?.excerpt).toHaveLength(200);
    expect(rowsOf(items)).toEqual([
      { rowNumber: 1, line: 2, values: { id: '1', name: 'a', note: 'b' } },
      { rowNumber: 3, line: 4 + 100 * 10_923, values: { id: '3', name: 'd', note: 'e' } },
    ]);
  });

  it('skips an unquoted record of several megabytes that arrives in one piece', async () => {
    const items = await read(`id;name\n1;${'y'.repeat(6_000_000)}\n2;ok\n`, { delimiter: ';' });
    expect(problemsOf(items)).toMatchObject([{ rowNumber: 1, code: 'ingest.record_too_long' }]);
    expect(valuesOf(items)).toEqual([{ id: '2', name: 'ok' }]);
  });

  it('reads a long record sent one character at a time', async () => {
    const long = 'z'.repeat(10_000);
    const items = await read(`id;name\n1;${long}\n2;"${long}\r\n"\n`.split(''), { delimiter: ';' });
    expect(valuesOf(items)).toEqual([
      { id: '1', name: long },
      { id: '2', name: `${long}\r\n` },
    ]);
  });
});
