/**
 * A record's API JSON written by PostgreSQL, for sync pages: the text that
 * `JSON.stringify(codec.toRecord(row, only))` gives, built in the query, so Node neither parses every
 * column nor makes and serializes an object per record (most of a first sync's server time before;
 * figures in docs/architecture.md, "Offline sync"). Built once per entity and set of readable
 * properties. Scalars come out byte for byte as the codec writes them; json, localizedText and ext as
 * PostgreSQL prints jsonb (a space after ':' and ',', jsonb's key order, numbers as stored), which
 * parses to the same value.
 */
import { sql, type RawBuilder } from 'kysely';
import type { FieldDef } from '../model/index.ts';
import type { RecordCodec } from './record-codec.ts';

/** Literal text (a property name with its JSON punctuation) or an SQL expression of type text, never NULL. */
type Piece = { literal: string } | { expression: string };

const cache = new WeakMap<RecordCodec, Map<string, RawBuilder<string>>>();

/** The SQL expression (type text) of the record's JSON, over the entity table's unqualified columns. */
export function recordJsonSql(codec: RecordCodec, only?: ReadonlySet<string>): RawBuilder<string> {
  const key = only ? [...only].sort().join(',') : '*';
  let byMask = cache.get(codec);
  if (!byMask) cache.set(codec, (byMask = new Map()));
  let built = byMask.get(key);
  if (!built) byMask.set(key, (built = sql.raw<string>(joinSql(recordPieces(codec, only)))));
  return built;
}

/** The record's pieces in the codec's property order: id, the system properties, the fields. */
function recordPieces(codec: RecordCodec, only: ReadonlySet<string> | undefined): Piece[] {
  const pieces: Piece[] = [{ literal: '{"id":' }, { expression: quotedText(column('id')) }];
  const add = (property: string, expression: string) => {
    if (only && !only.has(property)) return;
    pieces.push({ literal: `,${JSON.stringify(property)}:` }, { expression });
  };
  add('version', `${column('version')}::text`);
  add('createdAt', timestampJson(column('created_at')));
  add('updatedAt', timestampJson(column('updated_at')));
  add('createdBy', orNull(quotedText(column('created_by'))));
  add('updatedBy', orNull(quotedText(column('updated_by'))));
  add('ext', orNull(`${column('ext')}::text`));
  for (const entry of codec.properties) add(entry.property, fieldJson(entry.def, entry.columns.map(column)));
  pieces.push({ literal: '}' });
  return pieces;
}

/** One field's JSON (`null` when NULL), as the codec writes the value pg parses. */
function fieldJson(def: FieldDef, [first, second]: string[]): string {
  const value = first!;
  switch (def.kind) {
    case 'text':
    case 'enum':
      return orNull(`to_json(${value})::text`);
    case 'integer':
    case 'boolean': // boolean::text is true or false
      return orNull(`${value}::text`);
    // pg hands these over as their text: numeric as printed (trailing zeros kept), date in the
    // session's DateStyle, uuid in lower case; none of them can hold a character JSON escapes.
    case 'decimal':
    case 'date':
    case 'reference':
      return orNull(quotedText(value));
    case 'timestamp':
      return timestampJson(value);
    case 'json':
    case 'localizedText':
      return orNull(`${value}::text`);
    case 'money':
      // A NULL amount is null whatever the currency; btrim as the codec's trim() (bpchar::text drops trailing blanks already).
      return `case when ${value} is null then 'null' else '{"amount":' || ${value}::text || ',"currency":' || coalesce(to_json(btrim(${second!}))::text, 'null') || '}' end`;
  }
}

/**
 * An instant as `Date.prototype.toISOString` writes the Date pg parses from PostgreSQL's text:
 * milliseconds truncated (pg drops the microseconds: `Date.UTC` truncates `1000 * 0.123999`), UTC,
 * years outside 0000-9999 as +/-YYYYYY, the year before 1 AD as 0000 (astronomical numbering).
 * ±infinity: pg gives a Number, which JSON writes as null; NULL too (isfinite(NULL) is NULL).
 */
function timestampJson(value: string): string {
  const utc = `(${value} at time zone 'UTC')`;
  const year = `extract(year from ${utc})::int`;
  const farYear = `case when ${value} >= timestamptz '10000-01-01 00:00:00+00' then '+' || lpad(${year}::text, 6, '0') when ${year} = -1 then '0000' else '-' || lpad((-${year} - 1)::text, 6, '0') end`;
  return `case when ${value} >= timestamptz '0001-01-01 00:00:00+00' and ${value} < timestamptz '10000-01-01 00:00:00+00' then '"' || to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'
    when isfinite(${value}) then '"' || ${farYear} || to_char(${utc}, '-MM-DD"T"HH24:MI:SS.MS"Z"') || '"' else 'null' end`;
}

const column = (name: string): string => `"${name}"`;
const quotedText = (value: string): string => `'"' || ${value}::text || '"'`;
/** `json` is NULL exactly when its column is: JSON null then. */
const orNull = (json: string): string => `coalesce(${json}, 'null')`;
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The pieces joined with `||` in a balanced tree (adjacent literals merged). Measured against concat()
 * and array_to_string(): a fifth less CPU in PostgreSQL (concat looks up every argument's output
 * function per row), and no limit of 100 arguments.
 */
function joinSql(pieces: Piece[]): string {
  const terms: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    if ('literal' in piece) {
      pending += piece.literal;
    } else {
      if (pending) terms.push(`${literal(pending)}::text`);
      pending = '';
      terms.push(`(${piece.expression})`);
    }
  }
  if (pending) terms.push(`${literal(pending)}::text`);
  const tree = (from: number, to: number): string => {
    if (to - from === 1) return terms[from]!;
    const middle = (from + to) >> 1;
    return `(${tree(from, middle)} || ${tree(middle, to)})`;
  };
  return tree(0, terms.length);
}
