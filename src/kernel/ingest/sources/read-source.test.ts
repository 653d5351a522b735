import { describe, expect, it } from 'vitest';
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { readSource, type SourceHooks } from './index.ts';

async function* bytesOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function read(source: Uint8Array, options: SourceFormatOptions, chunkSize = 5): Promise<{ items: SourceItem[]; encoding?: string; delimiter?: string }> {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < source.length; start += chunkSize) chunks.push(source.subarray(start, start + chunkSize));
  const seen: { encoding?: string; delimiter?: string } = {};
  const hooks: SourceHooks = { onEncoding: (encoding) => (seen.encoding = encoding), onDelimiter: (delimiter) => (seen.delimiter = delimiter) };
  const items: SourceItem[] = [];
  for await (const item of readSource(bytesOf(chunks), options, hooks)) items.push(item);
  return { items, ...seen };
}

const valuesOf = (items: SourceItem[]) => items.flatMap((item) => (item.kind === 'row' ? [item.row.values] : []));

describe('readSource', () => {
  it('reads a Windows-1252 SAP export with detected encoding and delimiter', async () => {
    const file = new Uint8Array(Buffer.from('KUNNR;NAME1;ORT01\r\n0000100001;"Müller; Söhne";Köln\r\n0000100002;Preis 5 x;Graz\r\n', 'latin1'));
    file[file.indexOf(0x78)] = 0x80;
    const { items, encoding, delimiter } = await read(file, { format: 'csv' });
    expect({ encoding, delimiter }).toEqual({ encoding: 'windows-1252', delimiter: ';' });
    expect(valuesOf(items)).toEqual([
      { KUNNR: '0000100001', NAME1: 'Müller; Söhne', ORT01: 'Köln' },
      { KUNNR: '0000100002', NAME1: 'Preis 5 €', ORT01: 'Graz' },
    ]);
  });

  it('reads a UTF-16 CSV with a BOM', async () => {
    const file = new Uint8Array([0xff, 0xfe, ...Buffer.from('a\tb\r\n1\tž\r\n', 'utf16le')]);
    const { items, encoding } = await read(file, { format: 'csv', delimiter: 'auto' }, 3);
    expect(encoding).toBe('utf-16le');
    expect(valuesOf(items)).toEqual([{ a: '1', b: 'ž' }]);
  });

  it('decodes with the encoding given instead of detecting one', async () => {
    const file = new Uint8Array(Buffer.from('a,b\n\u00e4,\u00df\n', 'latin1'));
    const { items, encoding } = await read(file, { format: 'csv', encoding: 'iso-8859-1', delimiter: ',' });
    expect(encoding).toBe('iso-8859-1');
    expect(valuesOf(items)).toEqual([{ a: 'ä', b: 'ß' }]);
  });

  it('reads NDJSON and JSON arrays', async () => {
    const ndjson = await read(new Uint8Array(Buffer.from('\uFEFF{"a":"ä"}\n{"a":2}\n')), { format: 'ndjson' });
    expect(valuesOf(ndjson.items)).toEqual([{ a: 'ä' }, { a: 2 }]);
    const json = await read(new Uint8Array(Buffer.from('[{"a":"€"},{"a":2}]')), { format: 'json' }, 1);
    expect(valuesOf(json.items)).toEqual([{ a: '€' }, { a: 2 }]);
  });

  it('fails with encoding_mismatch when a file declared UTF-8 is not', async () => {
    const file = new Uint8Array(Buffer.from('a;b\n1;Gr\u00fc\u00dfe\n', 'latin1'));
    await expect(read(file, { format: 'csv', encoding: 'utf-8', delimiter: ';' })).rejects.toMatchObject({ code: 'ingest.encoding_mismatch', extensions: { byteOffset: 8 } });
  });

  it('stops reading the input when the consumer stops early', async () => {
    for (const format of ['csv', 'ndjson', 'json'] as const) {
      let closed = false;
      let pulled = 0;
      const input = (async function* () {
        try {
          for (;;) {
            pulled++;
            const text = { csv: 'a\n1\n', ndjson: '{"a":1}\n', json: pulled === 1 ? '[{"a":1},' : '{"a":1},' }[format];
            yield new Uint8Array(Buffer.from(text));
          }
        } finally {
          closed = true;
        }
      })();
      for await (const item of readSource(input, { format, delimiter: ',' })) {
        expect(item.kind).toBe('row');
        break;
      }
      expect({ format, closed }).toEqual({ format, closed: true });
    }
  });
});
