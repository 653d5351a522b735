/**
 * Conditions on the source row (`when`, `deletion`, the `when` op). A condition compares the trimmed
 * text of a source value: numbers and booleans by their text (`equals: 1` matches "1"), null and
 * blank alike (`equals: null` is `empty: true`).
 */
import type { MappingCondition, SpecProblem } from '../ingest.contract.ts';
import { numberText, type SourceValues } from './transform-op.ts';
import { escapePointer, isRecord } from '../../shared/index.ts';

const maxDepth = 8;

/** The source text a condition sees: trimmed, '' for null, missing and non-scalars. */
export function conditionText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return '';
}

const literalText = (value: string | number | boolean | null) => conditionText(value);

export function compileCondition(condition: MappingCondition): (row: SourceValues) => boolean {
  if ('all' in condition) {
    const parts = condition.all.map(compileCondition);
    return (row) => parts.every((part) => part(row));
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition);
    return (row) => parts.some((part) => part(row));
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    return (row) => !inner(row);
  }
  const field = condition.field;
  if ('equals' in condition) {
    const expected = literalText(condition.equals);
    return (row) => conditionText(row[field]) === expected;
  }
  if ('in' in condition) {
    const expected = new Set(condition.in.map(literalText));
    return (row) => expected.has(conditionText(row[field]));
  }
  const empty = condition.empty;
  return (row) => (conditionText(row[field]) === '') === empty;
}

/** The source columns a condition reads. */
export function conditionColumns(condition: MappingCondition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionColumns);
  if ('any' in condition) return condition.any.flatMap(conditionColumns);
  if ('not' in condition) return conditionColumns(condition.not);
  return [condition.field];
}

const isLiteral = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Every problem of a condition document (it is recursive, so checked by hand rather than by schema). */
export function checkCondition(input: unknown, pointer: string, depth = 0): SpecProblem[] {
  if (!isRecord(input)) return [{ pointer, detail: 'a condition is an object: {field, equals|in|empty}, {all}, {any} or {not}' }];
  if (depth >= maxDepth) return [{ pointer, detail: `conditions nest at most ${maxDepth} deep` }];
  const keys = Object.keys(input);
  for (const combinator of ['all', 'any'] as const) {
    if (!(combinator in input)) continue;
    const extra = keys.filter((key) => key !== combinator);
    const list = input[combinator];
    if (!Array.isArray(list) || list.length === 0) return [{ pointer: `${pointer}/${combinator}`, detail: 'must be a non-empty list of conditions' }, ...unknownKeys(extra, pointer)];
    return [...unknownKeys(extra, pointer), ...list.flatMap((item, index) => checkCondition(item, `${pointer}/${combinator}/${index}`, depth + 1))];
  }
  if ('not' in input) return [...unknownKeys(keys.filter((key) => key !== 'not'), pointer), ...checkCondition(input.not, `${pointer}/not`, depth + 1)];
  const problems: SpecProblem[] = [];
  if (typeof input.field !== 'string' || input.field.length === 0) problems.push({ pointer: `${pointer}/field`, detail: 'must name a source field' });
  const tests = keys.filter((key) => key === 'equals' || key === 'in' || key === 'empty');
  if (tests.length !== 1) problems.push({ pointer, detail: 'needs exactly one of equals, in, empty' });
  if ('equals' in input && !isLiteral(input.equals)) problems.push({ pointer: `${pointer}/equals`, detail: 'must be a string, number, boolean or null' });
  if ('in' in input && (!Array.isArray(input.in) || input.in.length === 0 || !input.in.every(isLiteral))) problems.push({ pointer: `${pointer}/in`, detail: 'must be a non-empty list of strings, numbers, booleans or null' });
  if ('empty' in input && typeof input.empty !== 'boolean') problems.push({ pointer: `${pointer}/empty`, detail: 'must be true or false' });
  problems.push(...unknownKeys(keys.filter((key) => !['field', 'equals', 'in', 'empty'].includes(key)), pointer));
  return problems;
}

function unknownKeys(keys: string[], pointer: string): SpecProblem[] {
  return keys.map((key) => ({ pointer: `${pointer}/${escapePointer(key)}`, detail: 'unknown property of a condition' }));
}
