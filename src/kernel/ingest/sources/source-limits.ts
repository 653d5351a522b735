/** Size limits of the source readers and the excerpt a problem carries. */
import type { SourceFormatOptions } from '../ingest.contract.ts';

export interface SourceLimits {
  readonly maxFieldLength: number;
  readonly maxRecordLength: number;
}

export const defaultSourceLimits: SourceLimits = { maxFieldLength: 65_536, maxRecordLength: 1_048_576 };

const excerptLength = 200;

/** The limits of `options`, defaults filled in. */
export function resolveSourceLimits(options: Pick<SourceFormatOptions, 'maxFieldLength' | 'maxRecordLength'>): SourceLimits {
  return {
    maxFieldLength: options.maxFieldLength ?? defaultSourceLimits.maxFieldLength,
    maxRecordLength: options.maxRecordLength ?? defaultSourceLimits.maxRecordLength,
  };
}

/** The start of an offending text, short enough for a reject list. */
export function excerptOf(text: string, start = 0, end = text.length): string {
  const excerpt = text.slice(start, Math.min(end, start + excerptLength));
  const last = excerpt.charCodeAt(excerpt.length - 1);
  // Never end on half a surrogate pair.
  return last >= 0xd800 && last <= 0xdbff ? excerpt.slice(0, -1) : excerpt;
}

export { excerptLength };
