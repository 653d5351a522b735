/**
 * The Node.js flags the `tenantry` command runs with: the bin's shebang and the `npm run tenantry`
 * script repeat them literally (neither can import), node-flags.test.ts keeps the three equal, and the
 * bench and the tests that start the real command pass them too.
 *
 * `--max-old-space-size=512`: an ingestion run holds at most two chunks (INGEST_CHUNK_ROWS rows, cut
 * at INGEST_CHUNK_BYTES of source) at a time, but V8 sizes its heap from the machine: with the default
 * limit (about 4 GB on a 24 GB machine) it let the heap of a 50,000-row load swing up to 260 MB before
 * collecting (peak RSS 414 MB); with a limit of 192 MB to 1 GB the same run peaked at 242-274 MB RSS, as
 * fast. 512 MB leaves the other commands (audit verify, the worker) room.
 */
export const cliNodeFlags: readonly string[] = ['--max-old-space-size=512'];
