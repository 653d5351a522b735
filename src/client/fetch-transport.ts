/** The HTTP transport of the sync client: POST /v1/sync/pull and /v1/sync/push with fetch, problems as SyncClientError. */
import type { Problem, PullRequest, PullResponse, PushRequest, PushResponse, SyncTransport } from './sync-client.contract.ts';
import { SyncClientError, syncClientErrors } from './sync-client.errors.ts';

export interface FetchTransportOptions {
  /** Where the API lives, e.g. https://api.example.com (a path prefix is kept). */
  baseUrl: string;
  /** Headers of every call: `authorization: Bearer …`, or the development headers in tests. Asked before each call, so a token can be refreshed. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Another fetch (a test double, a polyfill); default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Abort a call after this long (default 30 s); an aborted call counts as no answer. */
  timeoutMs?: number;
}

/** A SyncTransport over fetch. */
export function createFetchTransport(options: FetchTransportOptions): SyncTransport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  const post = async (path: string, body: unknown): Promise<unknown> => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const headers = { 'content-type': 'application/json', accept: 'application/json, application/problem+json', ...(await options.headers?.()) };
    let response: Response;
    let text: string;
    try {
      // AbortSignal.timeout is missing on some mobile runtimes: no timeout there rather than no sync.
      const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined;
      response = await doFetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
      text = await response.text();
    } catch (error) {
      throw syncClientErrors.network(error);
    }
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed === undefined) throw syncClientErrors.badResponse(response.status, 'not JSON');
      return parsed;
    }
    if (isProblem(parsed)) throw syncClientErrors.http(response.status, parsed);
    throw new SyncClientError(`http.${response.status}`, `HTTP ${response.status} without a problem document`, { status: response.status });
  };

  return {
    async pull(request: PullRequest) {
      const body = await post('/v1/sync/pull', request);
      if (!isObject(body) || !isObject(body.changes) || typeof body.cursor !== 'string' || typeof body.hasMore !== 'boolean') throw syncClientErrors.badResponse(200, 'not a pull page');
      return body as unknown as PullResponse;
    },
    async push(request: PushRequest) {
      const body = await post('/v1/sync/push', request);
      if (!isObject(body) || !Array.isArray(body.results) || typeof body.lastMutationId !== 'number') throw syncClientErrors.badResponse(200, 'not a push result');
      return body as unknown as PushResponse;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProblem(value: unknown): value is Problem {
  return isObject(value) && typeof value.code === 'string';
}
