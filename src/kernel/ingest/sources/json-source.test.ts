import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { readJsonArray, readNdjson } from './json-source.ts';

async function* textOf(chunks: readonly string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

type Reader = typeof readNdjson;

async function read(reader: Reader, text: string | readonly string[], options: Partial<SourceFormatOptions> = {}): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of reader(textOf(typeof text === 'string' ? [text] : text), { format: 'json', ...options })) items.push(item);
  return items;
}

async function outcome(reader: Reader, chunks: readonly string[], options: Partial<SourceFormatOptions> = {}): Promise<{ items: SourceItem[]; error?: string }> {
  const items: SourceItem[] = [];
  try {
    for await (const item of reader(textOf(chunks), { format: 'json', ...options })) items.push(item);
    return { items };
  } catch (error) {
    return { items, error: (error as { code?: string }).code ?? String(error) };
  }
}

const valuesOf = (items: SourceItem[]) => items.flatMap((item) => (item.kind === 'row' ? [item.row.values] : []));
const problemsOf = (items: SourceItem[]) => items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));

describe('readNdjson', () => {
  it('reads one object per line, skipping blank lines, with CRLF or LF', async () => {
    const items = await read(readNdjson, '\uFEFF{"KUNNR":"0001","UMSATZ":12.5}\r\n\r\n  \n{"KUNNR":"0002","TAGS":["a"],"X":null}\n');
    expect(items).toEqual([
      { kind: 'row', row: { rowNumber: 1, line: 1, values: { KUNNR: '0001', UMSATZ: 12.5 } } },
      { kind: 'row', row: { rowNumber: 2, line: 2, values: { KUNNR: '0002', TAGS: ['a'], X: null } } },
    ]);
  });

  it('rejects a line that is not JSON or not an object and reads on', async () => {
    const items = await read(readNdjson, '{"a":1}\n{"a":\n[1,2]\n"text"\nnull\n{"a":2}');
    expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(problemsOf(items)).toMatchObject([
      { rowNumber: 2, code: 'ingest.malformed_row', excerpt: '{"a":' },
      { rowNumber: 3, code: 'ingest.not_an_object', excerpt: '[1,2]' },
      { rowNumber: 4, code: 'ingest.not_an_object' },
      { rowNumber: 5, code: 'ingest.not_an_object' },
    ]);
    expect(items.at(-1)).toMatchObject({ row: { rowNumber: 6 } });
  });

  it('rejects a line over maxRecordLength without holding it, however it is chunked', async () => {
    const long = `{"a":"${'x'.repeat(300)}"}`;
    const text = `{"a":1}\n${long}\n{"a":2}\n`;
    for (const chunks of [[text], text.split(''), [text.slice(0, 20), text.slice(20)]]) {
      const items = await read(readNdjson, chunks, { maxRecordLength: 100 });
      expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 2 }]);
      expect(problemsOf(items)).toEqual([
        { rowNumber: 2, line: 2, code: 'ingest.record_too_long', reason: 'The line is longer than the limit of 100 characters; it was skipped.', excerpt: long.slice(0, 200) },
      ]);
    }
  });

  it('reads the same items however the text is chunked', async () => {
    const line = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((value) => JSON.stringify(value)),
      fc.constantFrom('', ' ', '{', '{"a":"\u00e4\ud83d\ude00"}', '\r'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom('\n', '\r\n'), async (lines, size, end) => {
        const text = lines.join(end);
        const chunks = text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
        expect(await outcome(readNdjson, chunks, { maxRecordLength: 40 })).toEqual(await outcome(readNdjson, [text], { maxRecordLength: 40 }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('readJsonArray', () => {
  it('reads the objects of a top-level array with their JSON values', async () => {
    const text = '\uFEFF[ {"KUNNR": "0001", "UMSATZ": 1.5e3, "AKTIV": true, "ADRESSE": {"ORT": "K\\u00f6ln", "PLZ": ["50667"]}},\n {"KUNNR": "0002", "X": null} ]';
    expect(await read(readJsonArray, text)).toEqual([
      { kind: 'row', row: { rowNumber: 1, line: 1, values: { KUNNR: '0001', UMSATZ: 1500, AKTIV: true, ADRESSE: { ORT: 'Köln', PLZ: ['50667'] } } } },
      { kind: 'row', row: { rowNumber: 2, line: 2, values: { KUNNR: '0002', X: null } } },
    ]);
  });

  it('rejects elements that are not objects and reads on', async () => {
    const items = await read(readJsonArray, '[{"a":1}, 2, "x", null, [1, {"b":2}], true, {"a":3}]');
    expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(problemsOf(items)).toEqual([
      { rowNumber: 2, line: 2, code: 'ingest.not_an_object', reason: 'The element is a number, not an object.', excerpt: '2' },
      { rowNumber: 3, line: 3, code: 'ingest.not_an_object', reason: 'The element is a string, not an object.', excerpt: '"x"' },
      { rowNumber: 4, line: 4, code: 'ingest.not_an_object', reason: 'The element is null, not an object.', excerpt: 'null' },
      { rowNumber: 5, line: 5, code: 'ingest.not_an_object', reason: 'The element is an array, not an object.', excerpt: '[1,{"b":2}]' },
      { rowNumber: 6, line: 6, code: 'ingest.not_an_object', reason: 'The element is a boolean, not an object.', excerpt: 'true' },
    ]);
  });

  it('keeps a __proto__ key as an own property, as JSON.parse does', async () => {
    const [values] = valuesOf(await read(readJsonArray, '[{"__proto__": {"polluted": true}, "a": 1}]'));
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(values).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));
  });

  it('yields nothing for an empty document or an empty array', async () => {
    expect(await read(readJsonArray, '')).toEqual([]);
    expect(await read(readJsonArray, ' \n ')).toEqual([]);
    expect(await read(readJsonArray, '[]')).toEqual([]);
  });

  it('delivers the elements of a truncated document, then a truncated_record problem', async () => {
    for (const text of ['[{"a":1},{"a":2},{"a":"Mül', '[{"a":1},{"a":2},', '[{"a":1},{"a":2}']) {
      const items = await read(readJsonArray, text);
      expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 2 }]);
      expect(problemsOf(items)).toMatchObject([{ rowNumber: 3, code: 'ingest.truncated_record' }]);
    }
    // A number the text ends on is read as it stands, whether or not whitespace and a chunk boundary follow it.
    for (const chunks of [['[{"a":1}, 12'], ['[{"a":1}, 1', '2'], ['[{"a":1}, 12', '\n'], ['[{"a":1}, 12\n']]) {
      expect(problemsOf(await read(readJsonArray, chunks))).toMatchObject([
        { rowNumber: 2, code: 'ingest.not_an_object', excerpt: '12' },
        { rowNumber: 3, code: 'ingest.truncated_record' },
      ]);
    }
    for (const chunks of [['[{"a": -2.5e-3', '\n'], ['[{"a": -2.5e-3\n'], ['[{"a": -2.5e-3']]) {
      expect(problemsOf(await read(readJsonArray, chunks))).toMatchObject([{ code: 'ingest.truncated_record', excerpt: '{"a":-0.0025}' }]);
    }
  });

  it('delivers the elements before a syntax error, then fails with malformed_source', async () => {
    const { items, error } = await outcome(readJsonArray, ['[{"a":1},{"a":2},{"a":3} {"a":4}]']);
    expect(error).toBe('ingest.malformed_source');
    expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('fails with malformed_source for a document that is not an array', async () => {
    for (const text of ['{"a":1}', '"text"', '12']) expect((await outcome(readJsonArray, [text])).error).toBe('ingest.malformed_source');
    // An object: the message says how to name its array of records.
    await expect(read(readJsonArray, '{"d":{"results":[]}}')).rejects.toMatchObject({ code: 'ingest.malformed_source', message: expect.stringContaining('source.records') });
  });


  it('rejects an element over maxRecordLength, even one holding a string of megabytes, and reads on', async () => {
    const huge = 'y'.repeat(65_536);
    const chunks = ['[{"a":1}, {"a":"', ...Array.from({ length: 80 }, () => huge), '", "b": [1,2]}, "x", {"a":2}]'];
    const items = await read(readJsonArray, chunks);
    expect(valuesOf(items)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(problemsOf(items)).toMatchObject([
      { rowNumber: 2, code: 'ingest.record_too_long', excerpt: '{}' },
      { rowNumber: 3, code: 'ingest.not_an_object' },
    ]);
    const small = await read(readJsonArray, '[{"a":"0123456789"}, {"a":"01"}]', { maxRecordLength: 12 });
    expect(small.map((item) => (item.kind === 'row' ? item.row.values : item.problem.code))).toEqual(['ingest.record_too_long', { a: '01' }]);
  });

  it('reads the same items however the text is chunked, truncated documents included', async () => {
    const element = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 6 }), fc.nat(), fc.integer({ min: 1, max: 9 }), async (elements, cutAt, size) => {
        const whole = JSON.stringify(elements, null, cutAt % 2 === 0 ? 0 : 1);
        const text = whole.slice(0, cutAt % (whole.length + 1));
        const chunks = text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
        const options = { maxRecordLength: 30 };
        expect(await outcome(readJsonArray, chunks, options)).toEqual(await outcome(readJsonArray, [text], options));
      }),
      { numRuns: 300 },
    );
  });
});

describe('readJsonArray: records inside the document (source.records)', () => {
  const odataV2 = JSON.stringify({
    d: {
      __count: '2',
      results: [
        { __metadata: { uri: "A_Customer('1')", type: 'API_BUSINESS_PARTNER.A_CustomerType' }, Customer: '0000000001', CustomerName: 'Müller Markt', to_Address: { __deferred: { uri: 'x' } } },
        { __metadata: { uri: "A_Customer('2')" }, Customer: '0000000002', CustomerName: 'Kiosk am Eck', to_Address: { __deferred: { uri: 'y' } } },
      ],
      __next: "A_Customer?$skiptoken='2'",
    },
  });
  const lookalike = JSON.stringify({ dd: { results: [{ n: 0 }] }, d: { results_: [{ n: 2 }], result: [], results: [{ n: 1 }] } });
  const odataV4 = JSON.stringify({ '@odata.context': '$metadata#A_Product', '@odata.metadataEtag': 'W/"1"', value: [{ Product: 'P1', ProductType: 'FERT' }, 'x', { Product: 'P2', ProductType: 'HAWA' }], '@odata.nextLink': 'next' });

  it('reads the records of an SAP OData v2 payload at /d/results, members before and after them skipped', async () => {
    const items = await read(readJsonArray, odataV2, { records: '/d/results' });
    expect(valuesOf(items).map((values) => [values.Customer, values.CustomerName])).toEqual([
      ['0000000001', 'Müller Markt'],
      ['0000000002', 'Kiosk am Eck'],
    ]);
    expect(problemsOf(items)).toEqual([]);
  });

  it('reads an OData v4 payload at /value, rejecting an element that is not an object as at the top', async () => {
    const items = await read(readJsonArray, odataV4, { records: '/value' });
    expect(valuesOf(items)).toEqual([{ Product: 'P1', ProductType: 'FERT' }, { Product: 'P2', ProductType: 'HAWA' }]);
    expect(problemsOf(items)).toMatchObject([{ rowNumber: 2, code: 'ingest.not_an_object' }]);
  });

  it('decodes ~1 and ~0 in the pointer, and reads the same however the text is chunked', async () => {
    const text = JSON.stringify({ 'a/b': { '~x': [{ n: 1 }] }, other: [[{ deep: [1, { n: 9 }] }]] });
    expect(valuesOf(await read(readJsonArray, text, { records: '/a~1b/~0x' }))).toEqual([{ n: 1 }]);
    // Members whose names start like the one sought are not it.
    expect(valuesOf(await read(readJsonArray, lookalike, { records: '/d/results' }))).toEqual([{ n: 1 }]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(odataV2, odataV4, lookalike), fc.integer({ min: 1, max: 17 }), async (whole, size) => {
        const options = { records: whole === odataV4 ? '/value' : '/d/results' };
        const chunks = whole.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
        expect(await outcome(readJsonArray, chunks, options)).toEqual(await outcome(readJsonArray, [whole], options));
      }),
      { numRuns: 60 },
    );
  });

  it('fails with malformed_source saying where the records are not', async () => {
    const failure = async (text: string, records: string) => (await outcome(readJsonArray, [text], { records })).error;
    await expect(read(readJsonArray, odataV2, { records: '/d/result' })).rejects.toMatchObject({ code: 'ingest.malformed_source', message: 'The document has no array of records at /d/result: the value at /d has no member "result".' });
    await expect(read(readJsonArray, odataV2, { records: '/d/__count' })).rejects.toMatchObject({ message: 'The value at /d/__count is a string, not an array of records.' });
    await expect(read(readJsonArray, odataV2, { records: '/d/__count/x' })).rejects.toMatchObject({ message: 'The document has no array of records at /d/__count/x: the value at /d/__count is a string, not an object.' });
    await expect(read(readJsonArray, '[{"a":1}]', { records: '/value' })).rejects.toMatchObject({ message: 'The document has no array of records at /value: the document is an array, not an object.' });
    expect(await failure('{"d":{"results":[{"a":1}]', '/d/results')).toBeUndefined();
  });

  it('delivers the records of a payload cut after them, then a truncated_record problem', async () => {
    const cut = odataV2.slice(0, odataV2.indexOf('__next'));
    const items = await read(readJsonArray, cut, { records: '/d/results' });
    expect(valuesOf(items)).toHaveLength(2);
    expect(problemsOf(items)).toMatchObject([{ rowNumber: 3, code: 'ingest.truncated_record', reason: expect.stringContaining('after the array of records') }]);
    const inside = await read(readJsonArray, odataV2.slice(0, odataV2.indexOf("A_Customer('2')")), { records: '/d/results' });
    expect(valuesOf(inside)).toHaveLength(1);
    expect(problemsOf(inside)).toMatchObject([{ rowNumber: 2, code: 'ingest.truncated_record' }]);
  });
});
