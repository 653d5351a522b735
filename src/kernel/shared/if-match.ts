/**
 * If-Match per RFC 9110 §13.1.1, for every route whose resources carry a version as their ETag:
 * `*` matches whatever version is current ('any'); a strong tag "<version>" names a version; a weak
 * tag W/"n" is well-formed but never matches (If-Match compares strongly, §8.8.3.2), so it yields a
 * version no resource has (0; versions start at 1) and fails the precondition. Anything else,
 * including a list of tags, is refused with the caller's own error.
 */
export const unmatchableVersion = 0;

export function parseIfMatch(value: string | undefined, invalid: () => Error): number | 'any' | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return 'any';
  const match = /^\s*(W\/)?"(\d{1,15})"\s*$/.exec(value);
  if (!match) throw invalid();
  return match[1] ? unmatchableVersion : Number(match[2]);
}
