import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPattern } from './custom-fields.pattern.ts';

describe('patterns of custom text fields', () => {
  it.each(['^[A-Z]{2}-[0-9]{4}$', '[a-z]+@[a-z]+\\.[a-z]{2,6}', '\\p{L}+', '(?:ab)+c', '(?<code>[A-Z]{3})-\\d{1,5}', 'red|green|blue', '[\\]\\\\(]+x'])('accepts %s', (pattern) => {
    expect(checkPattern(pattern, 255)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', 'a repeated group'],
    ['(a|ab)*c', 'a repeated group'],
    ['((ab)+c)*', 'a repeated group'],
    ['(a)\\1', 'backreferences'],
    ['(?<x>a)\\k<x>', 'backreferences'],
    ['a(?=b)', 'lookahead'],
    ['(?<!a)b', 'lookahead'],
    ['[a-z]+[a-z]+[a-z]+x', 'too many ways'],
    ['\\w{0,200}\\w{0,200}\\w{0,200}', 'too many ways'],
    ['(', 'not a valid regular expression'],
    ['x'.repeat(201), 'at most 200'],
  ])('refuses %s (%s)', (pattern, reason) => {
    expect(checkPattern(pattern, 255)).toContain(reason);
  });

  it('counts an unbounded repetition as the field\'s length: three fit in 99 characters, not in 255', () => {
    expect(checkPattern('[a-z]+[a-z]+[a-z]+x', 99)).toBeUndefined();
    expect(checkPattern('[a-z]+[a-z]+[a-z]+x', 255)).toBeDefined();
  });

  // The invariant: whatever it accepts checks any value of the field's length quickly, anchored as enforced.
  it('accepts only patterns that check a hostile value of the field\'s length in a few milliseconds', () => {
    const atom = fc.constantFrom('a', '[a-z]', '\\w', '.', '(?:ab)', '(a|b)', '\\d');
    const quantifier = fc.constantFrom('', '', '*', '+', '?', '{0,40}', '{2,}', '{3}');
    const pattern = fc.array(fc.tuple(atom, quantifier).map(([a, q]) => a + q), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(pattern, fc.constantFrom('a', '1', 'ab'), (source, unit) => {
        if (checkPattern(source, 255) !== undefined) return;
        const regexp = new RegExp(`^(?:${source})$`, 'u');
        const hostile = unit.repeat(255).slice(0, 254) + '!';
        regexp.test(hostile); // warm up: the first run includes compilation
        const started = performance.now();
        regexp.test(hostile);
        expect(performance.now() - started, source).toBeLessThan(50);
      }),
      { numRuns: 300 },
    );
  });
});
