/**
 * Nested source values. A JSON or NDJSON record may nest: an SAP OData v2 response with `$expand`ed
 * navigation properties (`to_BusinessPartnerAddress: { results: [{ CityName }] }`, a 1:1 one as the
 * object itself), an API's `address` object. In those formats a column a spec reads (`from`, a
 * condition's `field`, an op's `currencyFrom`) that begins with `/` is a JSON Pointer (RFC 6901)
 * into the record: `/to_BusinessPartnerAddress/results/0/CityName`. A CSV row is flat, and a CSV
 * column may well begin with `/` (SAP BW's `/BIC/...` names): there it stays a column name, and so
 * it does in a JSON source with `columns: "names"` (flat records; a pushed batch of a CSV spec).
 *
 * The mapper resolves a spec's pointers once per row into a copy of the row's values, each under its
 * pointer text, so every reader (fields, conditions, ops) looks a pointer up as it looks a column up.
 * A pointer to nothing reads as a missing member does in JSON: empty, unless the record has a member
 * named as the pointer is written.
 */
import { isRecord, jsonPointerPattern, pointerTokens } from '../../shared/index.ts';
import type { SourceFormatOptions } from '../ingest.contract.ts';
import type { SourceValues } from './transform-op.ts';

const pointerSyntax = new RegExp(jsonPointerPattern);
const arrayIndex = /^(0|[1-9][0-9]{0,8})$/;

/** True when the source reads `column` as a JSON Pointer into the record. */
export const isPointerColumn = (source: Pick<SourceFormatOptions, 'format' | 'columns'>, column: string): boolean =>
  source.format !== 'csv' && source.columns !== 'names' && column.startsWith('/');

/** Why a pointer column is no JSON Pointer; undefined when it is one. */
export function pointerColumnProblem(column: string): string | undefined {
  return pointerSyntax.test(column) ? undefined : `"${column}" begins with "/" but is no JSON Pointer: in a member name write "~" as "~0" and "/" as "~1"`;
}

/** The value at the tokens; undefined when the record has none there. */
function valueAt(values: unknown, tokens: readonly string[]): unknown {
  let current = values;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      if (!arrayIndex.test(token)) return undefined;
      current = current[Number(token)];
    } else if (isRecord(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return current;
}

/**
 * The function that adds the pointers' values to a row's values (a copy: the row's own values stay
 * as read, for rejects and re-submission); undefined when no column is a pointer.
 */
export function compilePointerReader(source: Pick<SourceFormatOptions, 'format' | 'columns'>, columns: Iterable<string>): ((values: SourceValues) => SourceValues) | undefined {
  const pointers = [...new Set(columns)].filter((column) => isPointerColumn(source, column)).map((column) => ({ column, tokens: pointerTokens(column) }));
  if (pointers.length === 0) return undefined;
  return (values) => {
    const resolved: Record<string, unknown> = { ...values };
    for (const { column, tokens } of pointers) {
      const value = valueAt(values, tokens);
      // A flat record may have a member named as the pointer is written (a batch pushed for a CSV
      // spec whose columns are SAP BW's `/BIC/...`): read when the pointer finds nothing.
      if (value !== undefined || !Object.hasOwn(values, column)) resolved[column] = value;
    }
    return resolved;
  };
}

/** Defines rather than assigns: a `__proto__` token names a member, never the prototype. */
const put = (slot: object, token: string, value: unknown) => Object.defineProperty(slot, token, { value, writable: true, enumerable: true, configurable: true });

/**
 * Writes `value` at the pointer into `row`, making the objects (and arrays, for index tokens) on the
 * way; false when something else is already in the way (a text where an object would go).
 */
export function writeAtPointer(row: Record<string, unknown>, pointer: string, value: unknown): boolean {
  const tokens = pointerTokens(pointer);
  let current: Record<string, unknown> | unknown[] = row;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const last = index === tokens.length - 1;
    if (Array.isArray(current) && !arrayIndex.test(token)) return false;
    const slot = current as Record<string, unknown>;
    if (last) {
      const existing = Object.hasOwn(slot, token) ? slot[token] : undefined;
      if (existing !== undefined && existing !== value && (typeof existing === 'object' || typeof value === 'object')) return false;
      put(slot, token, value);
      return true;
    }
    let next = Object.hasOwn(slot, token) ? slot[token] : undefined;
    if (next === undefined) {
      next = arrayIndex.test(tokens[index + 1]!) ? [] : {};
      put(slot, token, next);
    }
    if (next === null || typeof next !== 'object') return false;
    current = next as Record<string, unknown> | unknown[];
  }
  return true;
}
