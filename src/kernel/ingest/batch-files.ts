/**
 * The files of pushed batches: a JSON batch `{ "records": [...] }` or an NDJSON body becomes an NDJSON
 * file in the ingest files directory, one record per line, so its run reads, hashes and resumes like
 * any upload. Bodies are read as streams with their own byte limit (`ingest.batch_too_large`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { escapePointer, type FieldError } from '../shared/index.ts';
import { parseJsonBody } from '../http/index.ts';
import { ingestErrors } from './ingest.errors.ts';

/** What a batch body held: its number of records and the batch id it named. */
export interface BatchFile {
  readonly records: number;
  readonly batchId?: string;
}

/** The bytes of a stream, refused past `limit`. */
export async function readBounded(body: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const part = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += part.length;
    if (size > limit) throw ingestErrors.batchTooLarge(limit);
    parts.push(part);
  }
  return Buffer.concat(parts, size);
}

/**
 * A JSON batch: `{ "records": [ ... ], "batchId"?: "..." }`. Each element becomes one line, objects or
 * not: an element that is not an object is rejected by the run (`ingest.not_an_object`) with its row
 * number, as in any NDJSON file, instead of refusing the whole batch.
 */
export async function writeJsonBatch(body: AsyncIterable<unknown>, path: string, limit: number): Promise<BatchFile> {
  const text = (await readBounded(body, limit)).toString('utf8');
  const batch = parseJsonBody(text);
  const errors: FieldError[] = [];
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) throw ingestErrors.invalidBatch([{ pointer: '/', detail: 'must be an object with a records array' }]);
  const { records, batchId, ...rest } = batch as Record<string, unknown>;
  if (!Array.isArray(records)) errors.push({ pointer: '/records', detail: records === undefined ? 'is required' : 'must be an array' });
  if (batchId !== undefined && typeof batchId !== 'string') errors.push({ pointer: '/batchId', detail: 'must be a string' });
  for (const name of Object.keys(rest).slice(0, 5)) errors.push({ pointer: `/${escapePointer(name)}`, detail: 'is not a batch property (records, batchId)' });
  if (errors.length > 0) throw ingestErrors.invalidBatch(errors);
  const list = records as unknown[];
  if (list.length === 0) throw ingestErrors.emptyBatch();
  await writeLines(path, list.map((record) => JSON.stringify(record)));
  return { records: list.length, ...(typeof batchId === 'string' ? { batchId } : {}) };
}

/** An NDJSON body, copied as it is (the run reads it); refused when it holds no record. */
export async function writeNdjsonBatch(body: AsyncIterable<unknown>, path: string, limit: number): Promise<BatchFile> {
  const { records } = await copyBody(body, path, limit, () => ingestErrors.batchTooLarge(limit));
  if (records === 0) throw ingestErrors.emptyBatch();
  return { records };
}

/** Copies a request body to a new file, refused past `limit`; counts its non-blank lines. */
export async function copyBody(body: AsyncIterable<unknown>, path: string, limit: number, tooLarge: () => Error): Promise<{ bytes: number; records: number }> {
  const file = await open(path, 'w');
  let bytes = 0;
  let records = 0;
  let lineHasText = false;
  try {
    for await (const chunk of body) {
      const part = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      bytes += part.length;
      if (bytes > limit) throw tooLarge();
      for (const byte of part) {
        if (byte === 0x0a) {
          if (lineHasText) records += 1;
          lineHasText = false;
        } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) {
          // Whitespace and the bytes of a BOM do not make a line a record.
          lineHasText = true;
        }
      }
      await file.write(part);
    }
  } finally {
    await file.close();
  }
  return { bytes, records: records + (lineHasText ? 1 : 0) };
}

/** Writes lines to a new file, in pieces of about 1 MiB. */
export async function writeLines(path: string, lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const file = await open(path, 'w');
  let count = 0;
  let pending = '';
  try {
    for await (const line of lines) {
      pending += `${line}\n`;
      count += 1;
      if (pending.length >= 1 << 20) {
        await file.write(pending);
        pending = '';
      }
    }
    if (pending.length > 0) await file.write(pending);
  } finally {
    await file.close();
  }
  return count;
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
