import { TextDecoder } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceEncoding } from '../ingest.contract.ts';
import { decodeSource, sniffBytes, sniffEncoding, type DecodedEncoding } from './decode-source.ts';
import { firstInvalidUtf8 } from './find-invalid-utf8.ts';

async function* bytesOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

async function decode(chunks: readonly Uint8Array[], encoding: SourceEncoding = 'auto'): Promise<{ text: string; encoding: DecodedEncoding | undefined }> {
  let chosen: DecodedEncoding | undefined;
  let text = '';
  for await (const part of decodeSource(bytesOf(chunks), encoding, { onEncoding: (found) => (chosen = found) })) text += part;
  return { text, encoding: chosen };
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('decodeSource', () => {
  it('decodes UTF-8 with or without a BOM and drops the BOM', async () => {
    const text = 'KUNNR;NAME1\n1;Müller €\n';
    for (const encoding of ['auto', 'utf-8'] as const) {
      expect(await decode([utf8(text)], encoding)).toEqual({ text, encoding: 'utf-8' });
      expect(await decode([bytes(0xef, 0xbb), bytes(0xbf), utf8(text)], encoding)).toEqual({ text, encoding: 'utf-8' });
    }
  });

  it('decodes Windows-1252, 0x80-0x9F included', async () => {
    const { text } = await decode([bytes(0x80, 0x20, 0xe4, 0x20, 0x9a, 0x20, 0x8a, 0x20, 0x92, 0x20, 0x96, 0x20, 0xff)], 'windows-1252');
    expect(text).toBe('€ ä š Š ’ – ÿ');
    const all = await decode([Uint8Array.from({ length: 32 }, (_, index) => 0x80 + index)], 'windows-1252');
    expect(all.text).toBe('€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ');
  });

  it('decodes ISO-8859-1 as the Encoding Standard does (Latin-1, with 0x80-0x9F read as Windows-1252)', async () => {
    const { text, encoding } = await decode([bytes(0x53, 0xfc, 0xdf, 0x20, 0xa9, 0x20, 0xe4, 0x20, 0x80)], 'iso-8859-1');
    expect({ text, encoding }).toEqual({ text: 'Süß © ä €', encoding: 'iso-8859-1' });
  });

  it('detects Windows-1252 for a Latin-1 file without a BOM', async () => {
    const latin1 = new Uint8Array(Buffer.from('NAME1;ORT01\nMüller;Köln\nStraße;€\n', 'latin1'));
    latin1[latin1.length - 2] = 0x80;
    expect(await decode(cut(latin1, 7))).toEqual({ text: 'NAME1;ORT01\nMüller;Köln\nStraße;€\n', encoding: 'windows-1252' });
  });

  it('detects UTF-16 LE and BE by their BOM, in any chunks', async () => {
    const text = 'KUNNR;NAME1\r\n1;Müller 😀\r\n';
    const little = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    const big = new Uint8Array([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]);
    for (const size of [1, 3, 4096]) {
      expect(await decode(cut(little, size))).toEqual({ text, encoding: 'utf-16le' });
      expect(await decode(cut(big, size))).toEqual({ text, encoding: 'utf-16be' });
    }
  });

  it('detects UTF-8 when a multi-byte character is cut at the 64 KiB boundary', async () => {
    const text = 'a'.repeat(sniffBytes - 1) + 'ä€ok';
    for (const size of [1000, sniffBytes, 1 << 20]) expect(await decode(cut(utf8(text), size))).toEqual({ text, encoding: 'utf-8' });
  });

  it('refuses invalid UTF-8 after the first 64 KiB with its byte offset and the encodings to try', async () => {
    const source = utf8('ü'.repeat(60_000) + 'x;Gr');
    const latin1 = new Uint8Array([...source, 0xfc, 0x6e]);
    for (const size of [1, 7, 65_536, 1 << 20]) {
      let decoded = '';
      const error = await (async () => {
        for await (const part of decodeSource(bytesOf(cut(latin1, size)), 'auto')) decoded += part;
      })().catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'ingest.encoding_mismatch', kind: 'unprocessable', extensions: { byteOffset: 120_004, encoding: 'utf-8' } });
      expect((error as Error).message).toMatch(/offset 120004.*windows-1252 or iso-8859-1/);
      if (size < 100_000) expect(decoded.length).toBeGreaterThan(30_000);
    }
  });

  it('refuses a UTF-8 file that ends inside a character, at the offset of that character', async () => {
    const error = await decode([utf8('abc'), bytes(0xe2, 0x82)], 'utf-8').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'ingest.encoding_mismatch', extensions: { byteOffset: 3 } });
  });

  it('decodes to the same text however the bytes are chunked', async () => {
    const cases = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ source: utf8(text), encoding: 'utf-8' as const })),
      fc.uint8Array({ maxLength: 60 }).map((source) => ({ source, encoding: 'windows-1252' as const })),
      fc.string({ unit: 'binary', maxLength: 30 }).map((text) => ({ source: new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]), encoding: 'auto' as const })),
    );
    await fc.assert(
      fc.asyncProperty(cases, fc.integer({ min: 1, max: 8 }), async ({ source, encoding }, size) => {
        expect(await decode(cut(source, size), encoding)).toEqual(await decode([source], encoding));
      }),
    );
  });
});

describe('sniffEncoding', () => {
  it('lets a BOM decide, then UTF-8 validity', () => {
    expect(sniffEncoding(bytes(0xef, 0xbb, 0xbf, 0xfc), true)).toBe('utf-8');
    expect(sniffEncoding(bytes(0xff, 0xfe, 0x41, 0x00), true)).toBe('utf-16le');
    expect(sniffEncoding(bytes(0xfe, 0xff, 0x00, 0x41), true)).toBe('utf-16be');
    expect(sniffEncoding(utf8('Grüße'), true)).toBe('utf-8');
    expect(sniffEncoding(bytes(0x47, 0x72, 0xfc), true)).toBe('windows-1252');
    expect(sniffEncoding(bytes(0x47, 0xc3), false)).toBe('utf-8');
    expect(sniffEncoding(bytes(0x47, 0xc3), true)).toBe('windows-1252');
    expect(sniffEncoding(new Uint8Array(0), true)).toBe('utf-8');
  });
});

describe('firstInvalidUtf8', () => {
  it('finds an invalid sequence exactly when the fatal TextDecoder refuses, and the bytes before it are valid', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (source) => {
        const at = firstInvalidUtf8(source, true);
        const valid = (() => {
          try {
            fatal.decode(source);
            return true;
          } catch {
            return false;
          }
        })();
        expect(at === -1).toBe(valid);
        if (at !== -1) expect(() => fatal.decode(source.subarray(0, at))).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });
});
