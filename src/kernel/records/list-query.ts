/**
 * List queries: filters, sort, sparse fieldsets and keyset cursors, parsed from plain
 * string parameters and checked against what the model declares. Anything undeclared is refused.
 * Filter syntax: `name=x` (eq), `name[in]=a,b`, `price[gte]=100`, `code[prefix]=AB`.
 * Sort syntax: `sort=-createdAt,name` (minus = descending). Cursors are opaque base64url JSON
 * carrying the sort they belong to and the last row's sort values.
 */
import { filterOperators, type FilterOperator } from '../model/index.ts';
import { isUuid } from '../shared/index.ts';
import { unstorableText, type RecordCodec } from './record-codec.ts';
import { recordErrors } from './records.errors.ts';

export interface Filter {
  column: string;
  operator: FilterOperator;
  value: unknown;
}

export interface SortKey {
  property: string;
  column: string;
  descending: boolean;
}

export interface KeysetCursor {
  /** Text form of each sort key's value of the last row (null for SQL NULL). */
  values: (string | null)[];
  id: string;
}

export interface ListQuery {
  limit: number;
  filters: Filter[];
  sort: SortKey[];
  /** Requested properties (always with id); undefined = all. */
  fields?: Set<string>;
  after?: KeysetCursor;
  includeTotal: boolean;
  sortSpec: string;
}

export interface ListLimits {
  defaultLimit: number;
  maxLimit: number;
}

const filterKey = /^([a-zA-Z][a-zA-Z0-9]*)(?:\[(eq|in|gt|gte|lt|lte|prefix)\])?$/;
const reservedParameters = new Set(['limit', 'cursor', 'sort', 'fields', 'includeTotal']);

const noHiddenFields: ReadonlySet<string> = new Set();

/** `hidden`: properties the principal may not read, refused like undeclared ones (kernel/access). */
export function parseListQuery(codec: RecordCodec, raw: Record<string, unknown>, limits: ListLimits, hidden: ReadonlySet<string> = noHiddenFields): ListQuery {
  const limit = raw.limit === undefined ? limits.defaultLimit : Number(raw.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxLimit) throw recordErrors.invalidQuery('limit', `an integer from 1 to ${limits.maxLimit}`);
  const sort = parseSort(codec, raw.sort, hidden);
  const sortSpec = sort.map((key) => `${key.descending ? '-' : ''}${key.property}`).join(',');
  const filters: Filter[] = [];
  for (const [key, rawValue] of Object.entries(raw)) {
    if (reservedParameters.has(key)) continue;
    filters.push(parseFilter(codec, key, rawValue, hidden));
  }
  const query: ListQuery = { limit, filters, sort, includeTotal: raw.includeTotal === true || raw.includeTotal === 'true', sortSpec };
  if (raw.fields !== undefined) query.fields = parseFields(codec, String(raw.fields), hidden);
  if (raw.cursor !== undefined) query.after = decodeCursor(String(raw.cursor), sortSpec, sort.length);
  return query;
}

function parseSort(codec: RecordCodec, raw: unknown, hidden: ReadonlySet<string>): SortKey[] {
  if (raw === undefined || raw === '') return [];
  const keys: SortKey[] = [];
  for (const part of String(raw).split(',')) {
    const descending = part.startsWith('-');
    const property = descending ? part.slice(1) : part;
    const column = hidden.has(property) ? undefined : codec.sortColumns.get(property);
    if (!column) throw recordErrors.invalidQuery('sort', `cannot sort by "${property}"; sortable: ${[...codec.sortColumns.keys()].filter((key) => !hidden.has(key)).join(', ')}`);
    if (keys.some((key) => key.property === property)) throw recordErrors.invalidQuery('sort', `"${property}" appears twice`);
    keys.push({ property, column, descending });
  }
  if (keys.length > 3) throw recordErrors.invalidQuery('sort', 'at most 3 sort keys');
  // id is unique, so keys after an explicit id can never decide anything: drop them. An explicit
  // id stays the last key, so its direction is the one the final id tie-break uses.
  const idIndex = keys.findIndex((key) => key.property === 'id');
  return idIndex === -1 ? keys : keys.slice(0, idIndex + 1);
}

function parseFields(codec: RecordCodec, raw: string, hidden: ReadonlySet<string>): Set<string> {
  const fields = new Set<string>(['id']);
  const allowed = new Set(['version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'ext', ...codec.byProperty.keys()]);
  for (const name of raw.split(',').filter(Boolean)) {
    if (name !== 'id' && (!allowed.has(name) || hidden.has(name))) throw recordErrors.invalidQuery('fields', `unknown field "${name}"`);
    fields.add(name);
  }
  return fields;
}

function parseFilter(codec: RecordCodec, key: string, rawValue: unknown, hidden: ReadonlySet<string>): Filter {
  const match = filterKey.exec(key);
  const entry = match && !hidden.has(match[1]!) ? codec.byProperty.get(match[1]!) : undefined;
  const systemColumn = match && (match[1] === 'createdAt' || match[1] === 'updatedAt') ? (match[1] === 'createdAt' ? 'created_at' : 'updated_at') : undefined;
  const operator = (match?.[2] ?? 'eq') as FilterOperator;
  if (systemColumn) {
    if (operator === 'in' || operator === 'prefix') throw recordErrors.invalidQuery(key, `operator ${operator} is not allowed here`);
    return { column: systemColumn, operator, value: parseScalar('timestamp', key, String(rawValue)) };
  }
  if (!entry || !entry.def.filterable) throw recordErrors.invalidQuery(key, 'not a filterable field of this entity');
  const allowed = filterOperators(entry.def);
  if (!allowed.includes(operator)) throw recordErrors.invalidQuery(key, `operator ${operator} is not allowed; allowed: ${allowed.join(', ')}`);
  const text = Array.isArray(rawValue) ? rawValue.join(',') : String(rawValue);
  const column = entry.columns[0]!;
  if (operator === 'in') {
    const values = text.split(',').map((part) => parseScalar(entry.def.kind, key, part));
    if (values.length > 100) throw recordErrors.invalidQuery(key, 'at most 100 values');
    return { column, operator, value: values };
  }
  if (operator === 'prefix') return { column, operator, value: parseScalar('text', key, text) };
  return { column, operator, value: parseScalar(entry.def.kind, key, text) };
}

function parseScalar(kind: string, parameter: string, text: string): unknown {
  const fail = (expected: string) => recordErrors.invalidQuery(parameter, `expected ${expected}`);
  switch (kind) {
    case 'integer':
    case 'money': {
      // Money amounts go up to 2^53-1 (16 digits); integer columns are int4, where a larger operand
      // would be a PostgreSQL error rather than an empty result.
      const value = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value)) throw fail('an integer');
      if (kind === 'integer' && (value < -2_147_483_648 || value > 2_147_483_647)) throw fail('an integer from -2147483648 to 2147483647');
      return value;
    }
    case 'decimal':
      if (!/^-?\d{1,30}(\.\d{1,30})?$/.test(text)) throw fail('a decimal number such as 12.50');
      return text;
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw fail('true or false');
      return text === 'true';
    case 'date':
      if (!isDate(text)) throw fail('a date YYYY-MM-DD');
      return text;
    case 'timestamp':
      if (!isTimestamp(text)) throw fail('an RFC 3339 timestamp');
      return text;
    case 'reference':
      if (!isUuid(text)) throw fail('a UUID');
      return text.toLowerCase();
    default:
      if (text.length > 1000) throw fail('at most 1000 characters');
      if (unstorableText.test(text)) throw fail('text without U+0000 or unpaired surrogates');
      return text;
  }
}

/** A real calendar day from 0001-01-01 to 9999-12-31 (Date.parse accepts 2024-02-30). */
function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isTimestamp(text: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!match || !isDate(match[1]!)) return false;
  const [hour, minute, second, offsetHours, offsetMinutes] = match.slice(2).map((part) => Number(part ?? 0));
  return hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 15 && offsetMinutes! <= 59;
}

export function encodeCursor(sortSpec: string, cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify({ s: sortSpec, v: cursor.values, i: cursor.id })).toString('base64url');
}

function decodeCursor(raw: string, sortSpec: string, keys: number): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw recordErrors.invalidCursor();
  }
  const candidate = parsed as { s?: unknown; v?: unknown; i?: unknown };
  const valid =
    typeof parsed === 'object' && parsed !== null &&
    candidate.s === sortSpec &&
    typeof candidate.i === 'string' && isUuid(candidate.i) &&
    Array.isArray(candidate.v) && candidate.v.length === keys &&
    candidate.v.every((value) => value === null || (typeof value === 'string' && value.length <= 2000));
  if (!valid) throw recordErrors.invalidCursor();
  return { values: candidate.v as (string | null)[], id: candidate.i as string };
}
