/** Edit similarity of short keys, where one typo costs trigrams a lot (`wadl` and `wald` share two of ten trigrams). */

/** 1 - (optimal string alignment distance / the longer length): a transposition or one wrong letter costs one edit. */
export function editSimilarity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return 1 - rows[a.length]![b.length]! / Math.max(a.length, b.length);
}
