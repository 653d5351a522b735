import serializerSelector from '@fastify/fast-json-stringify-compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { createAjv } from './app.ts';
import { compiledOnFirstUse, compileRouteSchemas, serializersOnFirstUse, trackPendingCompilations, type PendingCompilations } from './compiled-on-first-use.ts';

const schema = { type: 'object', properties: { name: { type: 'string', minLength: 2 }, count: { type: 'integer' } }, required: ['name'], additionalProperties: false };

describe('schemas compiled on first use', () => {
  it('compiles a validator on its first call, once, and reports the errors of each call', () => {
    const ajv = createAjv(false);
    let compilations = 0;
    const pending: PendingCompilations = new Set();
    const validate = compiledOnFirstUse(() => (compilations++, ajv.compile(schema)), pending);
    expect([compilations, pending.size]).toEqual([0, 1]);
    expect(validate({ name: 'x', extra: 1 })).toBe(false);
    expect(validate.errors?.map((error) => error.keyword).sort()).toEqual(['additionalProperties', 'minLength']);
    expect(validate({ name: 'xy', count: 2 })).toBe(true);
    expect(validate.errors).toBeNull();
    expect([compilations, pending.size]).toEqual([1, 0]);
  });

  it('serializes as the eager serializer does, compiling each route on its first response', () => {
    const pending: PendingCompilations = new Set();
    const compiler = serializersOnFirstUse(pending)(undefined, undefined);
    const route = { method: 'GET', url: '/x', httpStatus: '200', schema };
    const serialize = compiler(route);
    expect(pending.size).toBe(1);
    const document = { name: 'Ünïcode "quoted"', count: 3, dropped: true };
    expect(serialize(document)).toBe(serializerSelector()()(route)(document));
    expect(serialize(document)).toBe('{"name":"Ünïcode \\"quoted\\"","count":3}');
    expect(pending.size).toBe(0);
  });

  it('compileRouteSchemas compiles what is pending and throws for a schema that does not compile', () => {
    const app = {};
    const pending: PendingCompilations = new Set();
    trackPendingCompilations(app, pending);
    const good = compiledOnFirstUse(() => createAjv(false).compile(schema), pending);
    compiledOnFirstUse(() => createAjv(false).compile({ type: 'object', properties: { a: { type: 'no-such-type' } } }), pending);
    expect(() => compileRouteSchemas(app)).toThrow(/no-such-type|type/);
    expect(good({ name: 'ok' })).toBe(true);
  });
});

describe('the composed platform', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(() => t?.close());

  it('compiles every route schema (request validators and response serializers) without an error', () => {
    const compiled = compileRouteSchemas(t.platform.http);
    expect(compiled).toBeGreaterThan(200);
    expect(compileRouteSchemas(t.platform.http)).toBe(0);
  });
});
