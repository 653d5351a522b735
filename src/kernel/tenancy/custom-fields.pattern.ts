/**
 * Which patterns a tenant may give a custom text field. A tenant's regular expression runs on every
 * write of the field, in a process shared by every tenant, so it must not backtrack for long (ReDoS;
 * V8 has no linear-time engine by default). Accepted: at most 200 characters compiling with the `u`
 * flag; no backreference, no lookaround; no repeated group that contains a repetition or an
 * alternation (nested repetition backtracks exponentially); and a budget on the polynomial rest:
 * the product over repetitions of how many lengths each may take (an unbounded one: the field's
 * maxLength + 1), times each alternation's branches, at most 1,000,000. The pattern is enforced
 * anchored, `^(?:...)$` (model/custom-field.ts), so the engine never retries from every position.
 * Measured on Node 20: three unbounded repetitions over 100 characters, anchored, ~1 ms; the same
 * unanchored over 256 characters, 2.6 s.
 */
export const patternLimits = { length: 200, budget: 1_000_000 } as const;

interface Group {
  repeats: boolean;
  branches: number;
}

/** A reason to refuse the pattern for a field of at most `maxLength` characters, or undefined. */
export function checkPattern(pattern: string, maxLength: number): string | undefined {
  if (pattern.length > patternLimits.length) return `at most ${patternLimits.length} characters`;
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'not a valid regular expression (JavaScript, u flag)';
  }
  const stack: Group[] = [{ repeats: false, branches: 1 }];
  let budget = 1;
  // The last atom a quantifier would apply to: a group (with what it contains) or a single character.
  let last: Group | 'atom' | undefined;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    const top = stack[stack.length - 1]!;
    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      index = escapeEnd(pattern, index);
      last = 'atom';
    } else if (char === '[') {
      index = classEnd(pattern, index);
      last = 'atom';
    } else if (char === '(') {
      if (/^\(\?<?[=!]/.test(pattern.slice(index, index + 4))) return 'lookahead and lookbehind are not allowed';
      if (pattern.startsWith('(?:', index)) index += 2;
      else if (pattern.startsWith('(?<', index)) index = pattern.indexOf('>', index);
      stack.push({ repeats: false, branches: 1 });
      last = undefined;
    } else if (char === ')') {
      const group = stack.pop()!;
      budget *= group.branches;
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= group.repeats;
      last = group;
    } else if (char === '|') {
      top.branches += 1;
      last = undefined;
    } else if ('*+?{'.includes(char)) {
      const quantifier = /^(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})/.exec(pattern.slice(index))!;
      const lengths = choices(quantifier, maxLength);
      if (lengths > 1 && typeof last === 'object' && (last.repeats || last.branches > 1)) return 'a repeated group may not contain a repetition or an alternation';
      if (lengths > 1) top.repeats = true;
      budget *= lengths;
      index += quantifier[0].length - 1;
      if (pattern[index + 1] === '?') index += 1; // lazy: the same backtracking
      last = undefined;
    } else {
      last = 'atom';
    }
    if (budget > patternLimits.budget) return 'too many ways to match (repetitions and alternatives): it could take too long to check';
  }
  budget *= stack[0]!.branches;
  return budget > patternLimits.budget ? 'too many ways to match (repetitions and alternatives): it could take too long to check' : undefined;
}

/** How many lengths a quantifier lets its atom take, for a value of at most maxLength characters. */
function choices(quantifier: RegExpExecArray, maxLength: number): number {
  const [text, min, comma, max] = quantifier;
  if (text === '?') return 2;
  if (text === '*' || text === '+') return maxLength + 1;
  if (!comma) return 1;
  const upper = max === '' || max === undefined ? maxLength : Math.min(Number(max), maxLength);
  return Math.max(1, upper - Math.min(Number(min), upper) + 1);
}

/** Index of the last character of the escape starting at `index` (`\d`, `\u{1F600}`, `\p{L}`, `\x41`). */
function escapeEnd(pattern: string, index: number): number {
  const next = pattern[index + 1];
  if ((next === 'u' || next === 'p' || next === 'P') && pattern[index + 2] === '{') return pattern.indexOf('}', index);
  if (next === 'u') return index + 5;
  if (next === 'x') return index + 3;
  if (next === 'c') return index + 2;
  return index + 1;
}

/** Index of the `]` closing the character class starting at `index`. */
function classEnd(pattern: string, index: number): number {
  let at = index + 1;
  while (at < pattern.length && pattern[at] !== ']') at += pattern[at] === '\\' ? 2 : 1;
  return at;
}
