/**
 * Which regular expressions a mapping spec may use: patterns run on every row of files from outside,
 * so a pattern that can backtrack exponentially (ReDoS) is refused when the spec is saved. Refused:
 * nested quantifiers (`(a+)+`, `(\w*)*`, `(x{2,})+`), backreferences, patterns over 256 characters,
 * and anything `RegExp` does not compile.
 */

export const regexFlags = /^[imsu]*$/;
const maxPatternLength = 256;

/** Why a pattern is unsafe or invalid, or undefined when it may be used. */
export function unsafePatternReason(pattern: string, flags = ''): string | undefined {
  if (pattern.length > maxPatternLength) return `longer than ${maxPatternLength} characters`;
  if (!regexFlags.test(flags)) return 'flags may only be i, m, s and u';
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`;
  }
  return structuralReason(pattern);
}

interface GroupState {
  quantified: boolean;
}

function structuralReason(pattern: string): string | undefined {
  const groups: GroupState[] = [{ quantified: false }];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      index += 2;
      if ('upP'.includes(next) && pattern[index] === '{') index = pattern.indexOf('}', index) + 1;
      continue;
    }
    if (char === '[') {
      index = classEnd(pattern, index) + 1;
      continue;
    }
    if (char === '(') {
      groups.push({ quantified: false });
      index++;
      continue;
    }
    if (char === ')') {
      const closed = groups.length > 1 ? groups.pop()! : { quantified: false };
      const quantifier = quantifierAt(pattern, index + 1);
      if (quantifier.repeats && closed.quantified) return 'nested quantifiers (a repeated group that itself repeats) can backtrack exponentially';
      if (closed.quantified || quantifier.repeats) groups[groups.length - 1]!.quantified = true;
      index += 1 + quantifier.length;
      continue;
    }
    const quantifier = quantifierAt(pattern, index);
    if (quantifier.length > 0) {
      if (quantifier.repeats) groups[groups.length - 1]!.quantified = true;
      index += quantifier.length;
      continue;
    }
    index++;
  }
  return undefined;
}

function classEnd(pattern: string, start: number): number {
  let index = start + 1;
  if (pattern[index] === ']') index++;
  while (index < pattern.length && pattern[index] !== ']') index += pattern[index] === '\\' ? 2 : 1;
  return index;
}

/** The quantifier at `index` (with a lazy `?`), and whether it repeats (more than once). */
function quantifierAt(pattern: string, index: number): { length: number; repeats: boolean } {
  const char = pattern[index];
  let length = 0;
  let repeats = false;
  if (char === '*' || char === '+') {
    length = 1;
    repeats = true;
  } else if (char === '?') {
    length = 1;
  } else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
    if (!match) return { length: 0, repeats: false };
    length = match[0].length;
    const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
    repeats = max > 1;
  } else {
    return { length: 0, repeats: false };
  }
  if (pattern[index + length] === '?') length++;
  return { length, repeats };
}
