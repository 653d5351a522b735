/**
 * System routes: liveness, readiness (migrations, draining), Prometheus metrics, the generated
 * OpenAPI document and its docs UI, and the request id every response carries.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let widgetId: string;

beforeAll(async () => {
  t = await startTestPlatform();
  await t.createTenant('system');
  widgetId = (await get('/v1/kt-widgets', { 'x-tenant': 'system' }, 'POST', { code: 'SYS-1', name: 'x' })).json().id;
});
afterAll(() => t.close());

function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET', payload?: object): Promise<LightMyRequestResponse> {
  return t.platform.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

describe('/livez and /readyz', () => {
  it('answers /livez 200 without a tenant', async () => {
    const response = await get('/livez');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when the database is reachable and migrated', async () => {
    const response = await get('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });

  it('answers /readyz 503 problem while a migration is pending', async () => {
    const removed = await sql<{ name: string }>`delete from tenantry_migration where name = (select max(name) from tenantry_migration) returning name`.execute(t.database.owner.db);
    try {
      const response = await get('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 503, code: 'http.not_ready', type: 'urn:tenantry:problem:http.not_ready', detail: '1 migration(s) pending' });
    } finally {
      await sql`insert into tenantry_migration (name, timestamp) values (${removed.rows[0]!.name}, now())`.execute(t.database.owner.db);
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('exposes request counts and latencies labelled by route template, and pool connections', async () => {
    await get(`/v1/kt-widgets/${widgetId}`, { 'x-tenant': 'system' });
    await get('/v1/kt-widgets?limit=1', { 'x-tenant': 'system' });
    await get('/v1/does-not-exist-12345');
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/v1\/kt-widgets\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/v1\/kt-widgets",status="201"\} 1$/m);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v1\/kt-widgets",status="200"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/v1\/kt-widgets\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^db_pool_connections\{pool="api",state="total"\} \d+$/m);
    expect(text).toMatch(/^db_pool_connections\{pool="api",state="idle"\} \d+$/m);
    expect(text).toMatch(/^db_pool_connections\{pool="api",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^http_problems_total\{code="http.route_not_found"\} \d+$/m);
  });

  it('labels unmatched URLs as one route, so clients cannot create label values', async () => {
    await get('/random/a1');
    await get('/random/b2');
    const text = (await get('/metrics')).body;
    expect(text).not.toContain('/random/');
    expect(text).toMatch(/route="unmatched",status="404"/);
  });
});

describe('/openapi.json', () => {
  let document: any;
  beforeAll(async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    document = response.json();
  });

  it('is an OpenAPI 3.1 document with the Problem schema as a component', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Tenantry API' });
    expect(document.components.schemas.Problem).toMatchObject({ type: 'object', required: ['type', 'title', 'status', 'code', 'traceId'] });
    expect(document.components.securitySchemes.devTenant).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Tenant' });
    expect(document.paths['/openapi.json']).toBeUndefined();
  });

  it('has list, get, create, update and delete for every exposed tenant entity, and reads for shared ones', () => {
    const entities = t.platform.registry.entities.filter((entity) => entity.expose);
    expect(entities.map((entity) => entity.name)).toEqual(expect.arrayContaining(['ktWidget', 'ktCategory', 'ktCountry']));
    for (const entity of entities) {
      const collection = document.paths[`/v1/${entity.path}`];
      const item = document.paths[`/v1/${entity.path}/{id}`];
      const writable = entity.scope === 'tenant';
      expect(Object.keys(collection).sort(), entity.name).toEqual(writable ? ['get', 'post'] : ['get']);
      expect(Object.keys(item).sort(), entity.name).toEqual(writable ? ['delete', 'get', 'patch'] : ['get']);
      expect(collection.get.responses['200'].content['application/json'].schema.required).toEqual(['data', 'nextCursor']);
      if (!writable) continue;
      expect(collection.post.responses['201']).toBeDefined();
      expect(collection.post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
      expect(item.patch.responses['200']).toBeDefined();
      expect(item.delete.responses['204']).toBeDefined();
    }
  });

  it('documents every error response as application/problem+json referring to the Problem component', () => {
    for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of ['4XX', '5XX']) {
          const content = operation.responses[status]?.content;
          expect(Object.keys(content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          expect(content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
        }
      }
    }
  });

  it('documents parameters: list filters and paging, If-Match, Idempotency-Key', () => {
    const parameters = (operation: any) => operation.parameters.map((parameter: any) => `${parameter.in}:${parameter.name}`);
    const list = parameters(document.paths['/v1/kt-widgets'].get);
    expect(list).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'query:sort', 'query:fields', 'query:includeTotal', 'query:name', 'query:name[prefix]', 'query:quantity[gte]', 'query:price[lt]', 'query:status[in]']));
    expect(list).not.toContain('query:attributes');
    expect(list).not.toContain('query:price');
    expect(parameters(document.paths['/v1/kt-widgets/{id}'].patch)).toEqual(expect.arrayContaining(['path:id', 'header:if-match']));
    expect(parameters(document.paths['/v1/kt-widgets/{id}'].delete)).toEqual(expect.arrayContaining(['path:id', 'header:if-match']));
    expect(parameters(document.paths['/v1/kt-widgets'].post)).toEqual(expect.arrayContaining(['header:idempotency-key']));
  });
});

describe('/docs', () => {
  it('serves the docs UI as HTML from this server, not a CDN', async () => {
    for (const url of ['/docs', '/docs/']) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toMatch(/<html/i);
      expect(response.body).not.toMatch(/src="https?:\/\//);
    }
    const asset = await get('/docs/static/swagger-ui.css');
    expect(asset.statusCode).toBe(200);
  });
});

describe('x-request-id', () => {
  it.each<[string, () => Promise<LightMyRequestResponse>]>([
    ['/livez', () => get('/livez')],
    ['/readyz', () => get('/readyz')],
    ['/metrics', () => get('/metrics')],
    ['/openapi.json', () => get('/openapi.json')],
    ['/docs', () => get('/docs')],
    ['an entity read', () => get(`/v1/kt-widgets/${widgetId}`, { 'x-tenant': 'system' })],
    ['a 304', () => get(`/v1/kt-widgets/${widgetId}`, { 'x-tenant': 'system', 'if-none-match': '*' })],
    ['a 401', () => get('/v1/kt-widgets')],
    ['a 404 route', () => get('/nowhere')],
    ['a 400 validation', () => get('/v1/kt-widgets?limit=0', { 'x-tenant': 'system' })],
    ['a 400 undecodable URL', () => get('/v1/kt-widgets/%E0%A4%A')],
    ['a 413', () => t.platform.http.inject({ method: 'POST', url: '/v1/kt-widgets', headers: { 'x-tenant': 'system', 'content-type': 'application/json' }, payload: 'x'.repeat(2_000_000) })],
    ['a 415', () => t.platform.http.inject({ method: 'POST', url: '/v1/kt-widgets', headers: { 'x-tenant': 'system', 'content-type': 'application/xml' }, payload: '<a/>' })],
  ])('is on every response: %s', async (_label, request) => {
    const response = await request();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    if (String(response.headers['content-type'] ?? '').startsWith('application/problem+json')) expect(response.json().traceId).toBe(response.headers['x-request-id']);
  });

  it.each(['abc-123', 'req:1.2_3', 'A'.repeat(128), '0190b3a0-0000-7000-8000-000000000000'])('echoes a valid incoming id %s, also as the traceId', async (id) => {
    expect((await get('/livez', { 'x-request-id': id })).headers['x-request-id']).toBe(id);
    const problem = await get('/nowhere', { 'x-request-id': id });
    expect(problem.headers['x-request-id']).toBe(id);
    expect(problem.json().traceId).toBe(id);
  });

  it.each([
    ['300 characters', 'a'.repeat(300)],
    ['129 characters', 'a'.repeat(129)],
    ['spaces', 'has spaces'],
    ['a newline', 'line\nbreak'],
    ['a quote and semicolon', "x';drop"],
    ['non-ASCII', 'ïd'],
    ['empty', ''],
  ])('replaces an id with %s by a fresh one', async (_label, id) => {
    const first = (await get('/livez', { 'x-request-id': id })).headers['x-request-id'];
    const second = (await get('/livez', { 'x-request-id': id })).headers['x-request-id'];
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
  });
});

describe('draining', () => {
  // Last in this file: draining cannot be undone.
  it('answers /readyz 503 http.not_ready once drain() was called, while /livez stays 200', async () => {
    t.platform.drain();
    const response = await get('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'urn:tenantry:problem:http.not_ready', status: 503, code: 'http.not_ready', detail: 'draining', traceId: response.headers['x-request-id'] });
    expect((await get('/livez')).statusCode).toBe(200);
  });
});
