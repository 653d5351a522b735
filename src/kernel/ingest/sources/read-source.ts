/** Bytes of a source file -> source items, per the spec's format options. */
import type { SourceFormatOptions, SourceItem } from '../ingest.contract.ts';
import { readCsv, type CsvHooks } from './csv-source.ts';
import { decodeSource, type DecodeHooks } from './decode-source.ts';
import { readJsonArray, readNdjson } from './json-source.ts';

export interface SourceHooks extends DecodeHooks, CsvHooks {}

/** Decodes and reads a source; rows and per-record problems are items, an unreadable source throws a SourceError. */
export function readSource(input: AsyncIterable<Uint8Array>, options: SourceFormatOptions, hooks: SourceHooks = {}): AsyncGenerator<SourceItem> {
  const text = decodeSource(input, options.encoding ?? 'auto', hooks);
  switch (options.format) {
    case 'csv':
      return readCsv(text, options, hooks);
    case 'ndjson':
      return readNdjson(text, options);
    case 'json':
      return readJsonArray(text, options);
  }
}
