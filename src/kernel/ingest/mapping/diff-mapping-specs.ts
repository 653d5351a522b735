/**
 * A structural diff of two spec documents by JSON pointer, for review and the version history: object
 * keys in sorted order, lists index by index (transforms are ordered), one change per differing leaf;
 * `before` is undefined for an addition, `after` for a removal.
 */
import { escapePointer, isRecord } from '../../shared/index.ts';

export interface SpecChange {
  readonly pointer: string;
  readonly before: unknown;
  readonly after: unknown;
}

export function diffMappingSpecs(before: unknown, after: unknown): SpecChange[] {
  const changes: SpecChange[] = [];
  walk(before, after, '', changes);
  return changes;
}

function walk(before: unknown, after: unknown, pointer: string, changes: SpecChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], `${pointer}/${escapePointer(key)}`, changes);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index++) walk(before[index], after[index], `${pointer}/${index}`, changes);
    return;
  }
  if (before !== after) changes.push({ pointer, before, after });
}
