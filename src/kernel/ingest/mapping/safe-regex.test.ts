import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from './safe-regex.ts';

describe('safe patterns', () => {
  it('accepts ordinary patterns, classes, escapes and bounded repeats', () => {
    for (const pattern of ['^\\+49\\s*\\(0\\)', '(\\d{5})-(\\d{4})', '[a-z]+@[a-z.]+', '(ab){2}', '(?:GmbH|AG)$', '\\p{L}+', '[(+*)]+', '(a|b)+', 'x{2,3}']) {
      expect(unsafePatternReason(pattern, pattern.includes('\\p') ? 'u' : ''), pattern).toBeUndefined();
    }
  });

  it('refuses nested quantifiers, which can backtrack exponentially', () => {
    for (const pattern of ['(a+)+$', '(\\w*)*', '(x{2,})+', '((ab)+c)*', '(?:\\d+\\s?)+$', '(a+){2,5}', '([a-z]+)*']) {
      expect(unsafePatternReason(pattern), pattern).toMatch(/nested quantifiers/);
    }
  });

  it('refuses backreferences, long patterns, bad flags and invalid expressions', () => {
    expect(unsafePatternReason('(a)\\1')).toMatch(/backreferences/);
    expect(unsafePatternReason('(?<x>a)\\k<x>')).toMatch(/backreferences/);
    expect(unsafePatternReason('a'.repeat(300))).toMatch(/longer than/);
    expect(unsafePatternReason('a', 'g')).toMatch(/flags/);
    expect(unsafePatternReason('(a')).toMatch(/not a valid regular expression/);
  });
});
