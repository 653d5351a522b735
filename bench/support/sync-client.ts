/**
 * A sync client as a device would run it, over real HTTP (node:http with one keep-alive socket, so
 * the bytes on the wire are counted exactly): pulls follow the cursor while hasMore, pushes send one
 * batch. With `gzip`, Accept-Encoding: gzip is sent and the body is inflated here.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface SyncEndpoint {
  baseUrl: string;
  /** Authentication of the rep (development headers or a bearer token). */
  headers: Record<string, string>;
}

interface Answer {
  status: number;
  text: string;
  /** Body bytes as received (compressed when gzip was agreed). */
  wireBytes: number;
  /** Body bytes of the JSON. */
  rawBytes: number;
  /** Request sent to last byte received. */
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(endpoint: SyncEndpoint, path: string, body: unknown, gzip: boolean): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  const url = new URL(path, endpoint.baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...endpoint.headers, 'content-type': 'application/json', 'content-length': String(payload.length), ...(gzip ? { 'accept-encoding': 'gzip' } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const ms = performance.now() - started;
          const wire = Buffer.concat(chunks);
          const raw = response.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
          resolve({ status: response.statusCode ?? 0, text: raw.toString('utf8'), wireBytes: wire.length, rawBytes: raw.length, ms });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

interface PullPage {
  changes: Record<string, { upserts: { id: string; version: number }[]; deletes: string[] }>;
  cursor: string;
  hasMore: boolean;
  reset: boolean;
}

export interface PullRun {
  /** Wall time of the whole sequence (requests and parsing the pages here). */
  wallMs: number;
  /** Sum of request-to-last-byte times: what the client waited for the server. */
  waitMs: number;
  pages: number;
  rawBytes: number;
  wireBytes: number;
  upserts: Record<string, number>;
  deletes: Record<string, number>;
  /** Every upserted record as `entity:id`, and how many arrived more than once. */
  received: Set<string>;
  duplicates: number;
  reset: boolean;
  cursor: string;
}

/** Pulls from `cursor` (none: a first sync) until hasMore is false. */
export async function pullAll(endpoint: SyncEndpoint, options: { cursor?: string; gzip: boolean }): Promise<PullRun> {
  const run: PullRun = { wallMs: 0, waitMs: 0, pages: 0, rawBytes: 0, wireBytes: 0, upserts: {}, deletes: {}, received: new Set(), duplicates: 0, reset: false, cursor: options.cursor ?? '' };
  const started = performance.now();
  let cursor = options.cursor;
  for (;;) {
    const answer = await post(endpoint, '/v1/sync/pull', cursor === undefined ? {} : { cursor }, options.gzip);
    if (answer.status !== 200) throw new Error(`POST /v1/sync/pull: ${answer.status} ${answer.text.slice(0, 500)}`);
    const page = JSON.parse(answer.text) as PullPage;
    run.pages += 1;
    run.waitMs += answer.ms;
    run.rawBytes += answer.rawBytes;
    run.wireBytes += answer.wireBytes;
    run.reset ||= page.reset;
    for (const [entity, changes] of Object.entries(page.changes)) {
      run.upserts[entity] = (run.upserts[entity] ?? 0) + changes.upserts.length;
      run.deletes[entity] = (run.deletes[entity] ?? 0) + changes.deletes.length;
      for (const record of changes.upserts) {
        const key = `${entity}:${record.id}`;
        if (run.received.has(key)) run.duplicates += 1;
        run.received.add(key);
      }
    }
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  run.wallMs = performance.now() - started;
  run.cursor = cursor;
  return run;
}

export interface PushMutation {
  id: number;
  entity: string;
  op: 'update';
  recordId: string;
  baseVersion: number;
  data: Record<string, unknown>;
}

export interface PushRun {
  ms: number;
  requestBytes: number;
  rawBytes: number;
  statuses: Record<string, number>;
  /** The first result that was not applied, for the error message. */
  firstProblem?: unknown;
}

/** One POST /v1/sync/push of the batch. */
export async function pushBatch(endpoint: SyncEndpoint, clientId: string, mutations: PushMutation[]): Promise<PushRun> {
  const body = { clientId, mutations };
  const answer = await post(endpoint, '/v1/sync/push', body, false);
  if (answer.status !== 200) throw new Error(`POST /v1/sync/push: ${answer.status} ${answer.text.slice(0, 500)}`);
  const results = (JSON.parse(answer.text) as { results: { status: string }[] }).results;
  const statuses: Record<string, number> = {};
  for (const result of results) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  const firstProblem = results.find((result) => result.status !== 'applied');
  return { ms: answer.ms, requestBytes: JSON.stringify(body).length, rawBytes: answer.rawBytes, statuses, ...(firstProblem ? { firstProblem } : {}) };
}

export function closeSyncClient(): void {
  agent.destroy();
}
