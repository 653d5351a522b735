/**
 * Delimiter detection for `delimiter: 'auto'`. Rule: in the first records of the sample (the header and up
 * to 20 records after it, quotes respected), count each candidate `,` `;` tab `|` outside quotes. A
 * candidate is consistent when every sampled record has as many as the header. The consistent candidate
 * with the most occurrences in the header wins; if none is consistent, the one most frequent in the header;
 * ties go to the earlier candidate in that order; a header with none of them is read with `,`.
 */
const candidates = [',', ';', '\t', '|'] as const;
export type CsvDelimiterChar = (typeof candidates)[number];

const sampledRecords = 21;
const quote = 0x22;
const cr = 0x0d;
const lf = 0x0a;

/** The delimiter of the CSV text that starts with `sample`; `complete` says the sample is the whole text. */
export function sniffDelimiter(sample: string, complete: boolean): CsvDelimiterChar {
  const counts = countPerRecord(sample, complete);
  const header = counts[0];
  if (header === undefined) return ',';
  let best: CsvDelimiterChar = ',';
  let bestScore = 0;
  for (let index = 0; index < candidates.length; index++) {
    const inHeader = header[index] as number;
    if (inHeader === 0) continue;
    const consistent = counts.every((record) => record[index] === inHeader);
    // Consistent candidates rank above all others; within a rank, more columns win.
    const score = (consistent ? 1_000_000_000 : 0) + inHeader;
    if (score > bestScore) {
      best = candidates[index] as CsvDelimiterChar;
      bestScore = score;
    }
  }
  return best;
}

/** Occurrences of each candidate outside quotes, per non-blank record; a record cut off by the sample end is left out, unless it is the first. */
function countPerRecord(sample: string, complete: boolean): number[][] {
  const codes = candidates.map((candidate) => candidate.charCodeAt(0));
  const records: number[][] = [];
  let current = [0, 0, 0, 0];
  let inQuotes = false;
  let empty = true;
  for (let pos = 0; pos < sample.length && records.length < sampledRecords; pos++) {
    const code = sample.charCodeAt(pos);
    if (code === quote) inQuotes = !inQuotes;
    else if (!inQuotes && (code === cr || code === lf)) {
      if (!empty) records.push(current);
      current = [0, 0, 0, 0];
      empty = true;
      continue;
    } else if (!inQuotes) {
      const index = codes.indexOf(code);
      if (index !== -1) current[index] = (current[index] as number) + 1;
    }
    empty = false;
  }
  if (!empty && (complete || records.length === 0) && records.length < sampledRecords) records.push(current);
  return records;
}
