/**
 * Bytes -> text, streaming. `auto`: a BOM decides (UTF-8, UTF-16 LE/BE); else the first 64 KiB are read
 * and the source is UTF-8 if they are valid UTF-8, else Windows-1252. A BOM never reaches the text.
 * `iso-8859-1` decodes as the WHATWG Encoding Standard does (a label of windows-1252): the same text for
 * genuine ISO-8859-1, and the right text for the many "Latin-1" exports that use 0x80-0x9F (`€`, `š`).
 */
import { TextDecoder } from 'node:util';
import type { SourceEncoding } from '../ingest.contract.ts';
import { sourceErrors } from './source.errors.ts';
import { firstInvalidUtf8 } from './find-invalid-utf8.ts';
import { decodeWindows1252 } from './decode-windows-1252.ts';

/** The encoding a source was decoded with. */
export type DecodedEncoding = Exclude<SourceEncoding, 'auto'> | 'utf-16le' | 'utf-16be';

export interface DecodeHooks {
  /** Called once, before the first text, with the encoding used (the detected one for `auto`). */
  onEncoding?(encoding: DecodedEncoding): void;
}

/** Bytes read before `auto` decides between UTF-8 and Windows-1252. */
export const sniffBytes = 65_536;

/** The encoding `auto` picks for a source starting with `head`; `complete` says `head` is the whole source. */
export function sniffEncoding(head: Uint8Array, complete: boolean): DecodedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // Without `complete`, a sequence cut at the end of `head` is not an error: the next bytes may finish it.
  return firstInvalidUtf8(head, complete) === -1 ? 'utf-8' : 'windows-1252';
}

/** Decodes a byte stream to text chunks; throws `ingest.encoding_mismatch` where UTF-8 turns out invalid. */
export async function* decodeSource(input: AsyncIterable<Uint8Array>, encoding: SourceEncoding = 'auto', hooks: DecodeHooks = {}): AsyncGenerator<string> {
  const iterator = input[Symbol.asyncIterator]();
  try {
    const head = encoding === 'auto' ? await readHead(iterator) : { bytes: new Uint8Array(0), done: false };
    const chosen = encoding === 'auto' ? sniffEncoding(head.bytes.subarray(0, sniffBytes), head.done && head.bytes.length <= sniffBytes) : encoding;
    hooks.onEncoding?.(chosen);
    const decoder: ChunkDecoder = chosen === 'windows-1252' || chosen === 'iso-8859-1' ? { decode: decodeWindows1252, end: () => '' } : new TextChunkDecoder(chosen);
    const text = decoder.decode(head.bytes);
    if (text.length > 0) yield text;
    while (!head.done) {
      const next = await iterator.next();
      if (next.done === true) break;
      const text = decoder.decode(next.value);
      if (text.length > 0) yield text;
    }
    const rest = decoder.end();
    if (rest.length > 0) yield rest;
  } finally {
    // Ends the upstream (and closes its file) when the reader stops early.
    await iterator.return?.();
  }
}

/** The first `sniffBytes` (or more: whole chunks) of a source; `done` when that is all of it. */
async function readHead(iterator: AsyncIterator<Uint8Array>): Promise<{ bytes: Uint8Array; done: boolean }> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < sniffBytes) {
    const next = await iterator.next();
    if (next.done === true) return { bytes: Buffer.concat(parts, size), done: true };
    parts.push(next.value);
    size += next.value.length;
  }
  return { bytes: Buffer.concat(parts, size), done: false };
}

interface ChunkDecoder {
  decode(chunk: Uint8Array): string;
  end(): string;
}

/** A streaming TextDecoder (UTF-8, UTF-16) that, for UTF-8, knows the byte offset of an invalid sequence. */
class TextChunkDecoder implements ChunkDecoder {
  private readonly decoder: TextDecoder;
  private readonly utf8: boolean;
  /** Bytes decoded before the current chunk. */
  private offset = 0;
  /** The last bytes of the previous chunk: an invalid sequence may have started there. */
  private tail = new Uint8Array(0);

  constructor(private readonly encoding: DecodedEncoding) {
    this.utf8 = encoding === 'utf-8';
    // `fatal` only for UTF-8: UTF-16 keeps U+FFFD for a lone surrogate, as any editor would show it.
    this.decoder = new TextDecoder(encoding, { fatal: this.utf8 });
  }

  decode(chunk: Uint8Array): string {
    try {
      return this.decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw this.mismatch(chunk, false, error);
    } finally {
      if (this.utf8) this.remember(chunk);
    }
  }

  end(): string {
    try {
      return this.decoder.decode();
    } catch (error) {
      throw this.mismatch(new Uint8Array(0), true, error);
    }
  }

  private remember(chunk: Uint8Array): void {
    const keep = Math.min(3, this.tail.length + chunk.length);
    const joined = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : Buffer.concat([this.tail, chunk]);
    this.tail = Uint8Array.from(joined.subarray(joined.length - keep));
    this.offset += chunk.length;
  }

  private mismatch(chunk: Uint8Array, final: boolean, cause: unknown): unknown {
    if (!this.utf8) return cause;
    // A sequence cut at the previous chunk's end was valid so far: restart the search at its lead byte.
    let skip = 0;
    while (skip < this.tail.length && ((this.tail[skip] as number) & 0xc0) === 0x80) skip++;
    const bytes = Buffer.concat([this.tail.subarray(skip), chunk]);
    const at = firstInvalidUtf8(bytes, final);
    const start = this.offset - this.tail.length + skip;
    return sourceErrors.encodingMismatch(start + Math.max(at, 0), this.encoding);
  }
}
