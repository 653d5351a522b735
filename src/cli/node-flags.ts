/**
 * The Node.js flags the `tenantry` command and the server (`npm start`) run with: the bin's shebang
 * and the `tenantry` and `start` npm scripts repeat them literally (none can import),
 * node-flags.test.ts keeps them equal, and the bench and the tests that start the real command or
 * server pass them too. The server runs ingestion jobs itself unless `tenantry worker` processes do
 * (JOBS_IN_PROCESS): measured, a 300,000-row upload over HTTP took a server without these flags from
 * 292 MB to 682 MB peak RSS, with them from 299 MB to 414 MB, as fast (56.5 and 53.1 s). To give a
 * server a larger heap, start it as `node --max-old-space-size=<MB> --heap-growing-percent=100
 * --enable-source-maps bin/server.mjs` (flags on the command line win over NODE_OPTIONS).
 *
 * `--max-old-space-size=512`: an ingestion run holds at most two chunks (INGEST_CHUNK_ROWS rows, cut
 * at INGEST_CHUNK_BYTES of source) at a time, but V8 sizes its heap from the machine: with the default
 * limit (about 4 GB on a 24 GB machine) it let the heap of a 50,000-row load swing up to 260 MB before
 * collecting (peak RSS 414 MB); with a limit of 192 MB to 1 GB the same run peaked at 242-274 MB RSS, as
 * fast. 512 MB leaves the other commands (audit verify, the worker) room.
 *
 * `--heap-growing-percent=100`: a bulk load keeps each chunk's objects for the second or so it is
 * being written, so they outlive two scavenges and are promoted; V8 then ran a full mark-compact
 * every half second (79 in a 200,000-row load), its concurrent marking on helper threads taking CPU
 * the load's own work needs on a 2-CPU machine. Letting the old generation grow to twice what
 * survived (rather than the factor V8 derives, often nearer 1.5) halves them. Measured, 200,000 rows,
 * two rounds each: Node's CPU 42.9-43.1 s by default, 38.8 s at 100, 34.3 s at 150; peak RSS 294-304,
 * 349 and 396 MB. 150 would leave the 400 MB aim (docs/ingestion.md) no room; 100 keeps 1,000,000
 * rows at 363 MB.
 *
 * `--enable-source-maps`: both run bundles (bin/build.mjs); stack traces in logs then name the
 * TypeScript file and line in src/, not the bundle's (measured: +0.1 s to start, +5 MB RSS).
 */
export const nodeFlags: readonly string[] = ['--max-old-space-size=512', '--heap-growing-percent=100', '--enable-source-maps'];
