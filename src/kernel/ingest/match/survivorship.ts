/**
 * Survivorship: what a merge of a source row into an existing record writes, field by field, per the
 * spec's rules (default: source-owned fields from the source, the others kept), and what the fields it
 * changes held before, so that an unlink can put them back. Custom fields are `ext.<key>`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SurvivorshipRule } from '../ingest.contract.ts';
import { valueOf } from './match-profile.ts';

export interface MergePlan {
  /** The update to write (`ext` as a partial object, merged by records). */
  readonly input: Record<string, unknown>;
  /** Field -> the value written, for the fields whose value changes. */
  readonly written: Record<string, unknown>;
  /** Field -> the value before, for the same fields. */
  readonly previous: Record<string, unknown>;
}

const isEmpty = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/** The fields of a record as flat names (`ext.<key>` for custom fields). */
export function flatFields(record: Readonly<Record<string, unknown>>): string[] {
  const ext = record.ext;
  const own = Object.keys(record).filter((field) => field !== 'ext');
  return typeof ext === 'object' && ext !== null ? [...own, ...Object.keys(ext).map((key) => `ext.${key}`)] : own;
}

/** The record as an update input leaves it (a partial `ext` merged into the record's). */
export function applyInput<T extends Readonly<Record<string, unknown>>>(record: T, input: Readonly<Record<string, unknown>>): T {
  const ext = input.ext;
  if (typeof ext !== 'object' || ext === null) return { ...record, ...input };
  return { ...record, ...input, ext: { ...(record.ext as object | undefined), ...ext } };
}

/** Sets flat fields into an update input (`ext.<key>` into a partial `ext`). */
export function inputOf(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    if (!field.startsWith('ext.')) input[field] = value;
    else input.ext = { ...(input.ext as Record<string, unknown> | undefined), [field.slice(4)]: value };
  }
  return input;
}

function sourceWins(rule: SurvivorshipRule, incoming: unknown, local: unknown): boolean {
  switch (rule) {
    case 'source':
      return true;
    case 'local':
      return false;
    case 'nonEmpty':
      return !isEmpty(incoming);
    case 'fillEmpty':
      return isEmpty(local) && !isEmpty(incoming);
  }
}

/** The merge of `incoming` (a mapped row) into `local` (the record as it is). */
export function planMerge(incoming: Readonly<Record<string, unknown>>, local: Readonly<Record<string, unknown>>, options: { rules: Readonly<Record<string, SurvivorshipRule>>; sourceOwned: ReadonlySet<string> }): MergePlan {
  const chosen: Record<string, unknown> = {};
  const written: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  for (const field of flatFields(incoming)) {
    if (field === 'id') continue;
    const rule = options.rules[field] ?? (options.sourceOwned.has(field) ? 'source' : 'local');
    const value = valueOf(incoming, field) ?? null;
    const before = valueOf(local, field) ?? null;
    if (!sourceWins(rule, value, before)) continue;
    chosen[field] = value;
    if (!isDeepStrictEqual(value, before)) {
      written[field] = value;
      previous[field] = before;
    }
  }
  return { input: inputOf(chosen), written, previous };
}

/** What an unlink writes back: the previous value of each field the merge wrote that still holds what it wrote. */
export function planRestore(current: Readonly<Record<string, unknown>>, merge: { written: Readonly<Record<string, unknown>>; previous: Readonly<Record<string, unknown>> }): { input: Record<string, unknown>; restored: string[]; kept: string[] } {
  const values: Record<string, unknown> = {};
  const kept: string[] = [];
  for (const [field, value] of Object.entries(merge.written)) {
    if (isDeepStrictEqual(valueOf(current, field) ?? null, value)) values[field] = merge.previous[field] ?? null;
    else kept.push(field);
  }
  return { input: inputOf(values), restored: Object.keys(values), kept };
}
