import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePointer, jsonPointerPattern, pointerTokens, unescapePointer } from './json-pointer.ts';

describe('JSON Pointer reference tokens (RFC 6901)', () => {
  it('escapes ~ before / and reads ~1 before ~0', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
    expect(escapePointer('~1')).toBe('~01');
    expect(unescapePointer('~01')).toBe('~1');
    expect(unescapePointer('a~1b~0c')).toBe('a/b~c');
  });

  it('a member name comes back as it was, and its token holds no /', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('~', '/', '0', '1', 'a') }), (name) => {
        const token = escapePointer(name);
        expect(token).not.toContain('/');
        expect(unescapePointer(token)).toBe(name);
      }),
    );
  });

  it('walks a pointer token by token; the pattern takes pointers and only them', () => {
    expect(pointerTokens('')).toEqual([]);
    expect(pointerTokens('/d/results')).toEqual(['d', 'results']);
    expect(pointerTokens('/a~1b/0/~0')).toEqual(['a/b', '0', '~']);
    const pattern = new RegExp(jsonPointerPattern);
    for (const pointer of ['', '/', '/d/results', '/a~1b~0c', '//x']) expect(pointer).toMatch(pattern);
    for (const text of ['d/results', '/a~2', '/a~', 'x']) expect(text).not.toMatch(pattern);
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('~', '/', '0', 'a') })), (names) => {
        const pointer = names.map((name) => `/${escapePointer(name)}`).join('');
        expect(pointer).toMatch(pattern);
        expect(pointerTokens(pointer)).toEqual(names);
      }),
    );
  });
});
