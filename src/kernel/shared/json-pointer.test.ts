import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePointer, unescapePointer } from './json-pointer.ts';

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
});
