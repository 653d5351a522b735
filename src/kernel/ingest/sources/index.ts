/** Source readers: bytes -> `SourceItem`s (rows and per-record problems), streaming, bounded memory. */
export { readSource, type SourceHooks } from './read-source.ts';
export { decodeSource, type DecodedEncoding, type DecodeHooks } from './decode-source.ts';
export { readCsv, type CsvHooks } from './csv-source.ts';
export { readJsonArray, readNdjson } from './json-source.ts';
export { SourceError, sourceErrors, sourceProblemCodes, type SourceProblemCode } from './source.errors.ts';
