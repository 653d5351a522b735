import { describe, expect, it } from 'vitest';
import { createFetchTransport } from './fetch-transport.ts';
import { SyncClientError } from './sync-client.errors.ts';

const answer = (status: number, body: unknown, type = 'application/json') => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('fetch transport', () => {
  it('posts JSON with the provided headers to the base URL, keeping its path', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const transport = createFetchTransport({
      baseUrl: 'https://api.example.com/tenantry/',
      headers: async () => ({ authorization: 'Bearer t0ken' }),
      fetch: (async (url: string, init: RequestInit) => {
        seen.push({ url, init });
        return answer(200, { changes: {}, cursor: 'c1', hasMore: false, reset: true });
      }) as typeof fetch,
    });
    expect(await transport.pull({ limit: 10 })).toEqual({ changes: {}, cursor: 'c1', hasMore: false, reset: true });
    expect(seen[0]!.url).toBe('https://api.example.com/tenantry/v1/sync/pull');
    expect(seen[0]!.init).toMatchObject({ method: 'POST', body: '{"limit":10}', headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' } });
  });

  it('turns problems, silence and nonsense into SyncClientErrors that say whether to retry', async () => {
    const failing = (respond: () => Promise<Response>) => createFetchTransport({ baseUrl: 'http://x', fetch: respond as typeof fetch });
    const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as SyncClientError);
    const gone = await errorOf(failing(async () => answer(410, { code: 'sync.must_refetch', title: 'Gone', mustRefetch: true }, 'application/problem+json')).pull({}));
    expect(gone).toMatchObject({ code: 'sync.must_refetch', status: 410, retryable: false });
    const busy = await errorOf(failing(async () => answer(409, { code: 'records.concurrent_update', title: 'Busy' })).push({ clientId: 'c', mutations: [] }));
    expect(busy).toMatchObject({ code: 'records.concurrent_update', retryable: true });
    const offline = await errorOf(failing(async () => Promise.reject(new TypeError('fetch failed'))).pull({}));
    expect(offline).toMatchObject({ code: 'sync_client.network', retryable: true });
    const proxy = await errorOf(failing(async () => answer(502, '<html>bad gateway</html>', 'text/html')).pull({}));
    expect(proxy).toMatchObject({ code: 'http.502', retryable: true });
    const nonsense = await errorOf(failing(async () => answer(200, { hello: 'world' })).push({ clientId: 'c', mutations: [] }));
    expect(nonsense).toMatchObject({ code: 'sync_client.bad_response', retryable: false });
  });
});
