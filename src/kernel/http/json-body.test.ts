import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxBodyDepth, parseJsonBody } from './json-body.ts';

function refusal(text: string) {
  try {
    parseJsonBody(text);
  } catch (error) {
    return error as { code: string; errors?: { pointer: string }[] };
  }
  throw new Error(`expected ${text.slice(0, 80)} to be refused`);
}

const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('parseJsonBody', () => {
  it('parses any JSON document, objects or not', () => {
    expect(parseJsonBody('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
    expect(parseJsonBody('null')).toBeNull();
    expect(parseJsonBody('"x"')).toBe('x');
    expect(parseJsonBody('{"constructor":"plain value","prototype":{}}')).toEqual({ constructor: 'plain value', prototype: {} });
  });

  it('round-trips whatever JSON.stringify writes within the depth bound (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }).filter((value) => !/"(__proto__|constructor)"/.test(JSON.stringify(value))), (value) => {
        expect(parseJsonBody(JSON.stringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuses an empty body and malformed JSON with their codes', () => {
    expect(refusal('').code).toBe('http.empty_body');
    for (const text of ['{', '{"a":1,}', "{'a':1}", 'undefined', 'NaN', '{"a":01}', '\u0000']) expect(refusal(text).code).toBe('http.malformed_json');
  });

  it(`accepts ${maxBodyDepth} nested levels and refuses one more, with the pointer of the first too-deep value`, () => {
    expect(() => parseJsonBody(nestedArrays(maxBodyDepth))).not.toThrow();
    const error = refusal(nestedArrays(maxBodyDepth + 1));
    expect(error.code).toBe('http.body_too_deep');
    expect(error.errors?.[0]?.pointer).toBe(`/${Array.from({ length: maxBodyDepth }, () => '0').join('/')}`);
    expect(refusal(nestedArrays(500_000)).code).toBe('http.body_too_deep');
  });

  it.each<[string, string]>([
    ['{"__proto__":{"admin":true}}', '/__proto__'],
    ['{"\\u005f\\u005fproto\\u005f\\u005f":{}}', '/__proto__'],
    ['{"a":{"b":[0,{"__proto__":null}]}}', '/a/b/1/__proto__'],
    ['{"constructor":{"prototype":{"admin":true}}}', '/constructor'],
    ['{"x/y~z":{"constructor":{"prototype":1}}}', '/x~1y~0z/constructor'],
    ['[{"__proto__":1}]', '/0/__proto__'],
  ])('refuses prototype poisoning in %s at %s', (text, pointer) => {
    const error = refusal(text);
    expect(error.code).toBe('http.forbidden_property');
    expect(error.errors).toEqual([expect.objectContaining({ pointer })]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
