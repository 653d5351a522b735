/**
 * A list a command prints: a table; an empty list as a sentence (an empty table frame says nothing);
 * a list cut at its limit followed by how to see the rest.
 */
export function printRows(rows: readonly object[], options: { empty: string; limit?: number; more?: string }): void {
  if (rows.length === 0) {
    console.log(options.empty);
    return;
  }
  console.table(rows);
  if (options.limit !== undefined && rows.length >= options.limit && options.more) console.log(options.more);
}
