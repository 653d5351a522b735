/**
 * The codec of an entity: how API properties map to columns and back. Built once per entity so the
 * per-request work is plain loops over precomputed arrays.
 */
import { fieldColumns, isSortableKind, planTable, type EntityDef, type FieldDef, type ModelRegistry } from '../model/index.ts';
import { escapePointer, type FieldError } from '../shared/index.ts';
import { recordErrors } from './records.errors.ts';

export interface PropertyColumns {
  property: string;
  def: FieldDef;
  /** One column, or [amount, currency] for money. */
  columns: string[];
}

export interface RecordCodec {
  readonly entity: EntityDef;
  readonly properties: readonly PropertyColumns[];
  readonly byProperty: ReadonlyMap<string, PropertyColumns>;
  /** Index/constraint name -> the API properties it covers (for conflict pointers). */
  readonly constraintProperties: ReadonlyMap<string, string[]>;
  /** Sortable properties (declared fields plus id, createdAt, updatedAt) -> column. */
  readonly sortColumns: ReadonlyMap<string, string>;
  /** Columns holding JSON (json and localizedText fields). */
  readonly jsonColumns: ReadonlySet<string>;
  toRecord(row: Record<string, unknown>, only?: ReadonlySet<string>): Record<string, unknown>;
  /** [column, value] pairs of a validated create/update body; throws records.invalid_value for what PostgreSQL cannot store. */
  toColumnValues(input: Record<string, unknown>): [string, unknown][];
}

const systemColumns: [string, string][] = [
  ['version', 'version'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
  ['createdBy', 'created_by'],
  ['updatedBy', 'updated_by'],
  ['ext', 'ext'],
];

export function createRecordCodec(entity: EntityDef, registry: ModelRegistry): RecordCodec {
  const properties = Object.entries(entity.fields).map(([property, def]) => ({
    property,
    def,
    columns: fieldColumns(property, def).map((column) => column.name),
  }));
  const byProperty = new Map(properties.map((entry) => [entry.property, entry]));
  const plan = planTable(entity, registry);
  const columnToProperty = new Map(properties.flatMap((entry) => entry.columns.map((column) => [column, entry.property] as const)));
  const constraintProperties = new Map<string, string[]>();
  for (const [name, index] of Object.entries(plan.indexes)) {
    constraintProperties.set(name, [...new Set(index.columns.flatMap((column) => columnToProperty.get(column) ?? []))]);
  }
  for (const [name, key] of Object.entries(plan.foreignKeys)) {
    constraintProperties.set(name, [...new Set(key.columns.flatMap((column) => columnToProperty.get(column) ?? []))]);
  }
  for (const name of Object.keys(plan.checks)) {
    const column = [...columnToProperty.keys()].find((candidate) => name.startsWith(`${entity.table}_${candidate}_`));
    if (column) constraintProperties.set(name, [columnToProperty.get(column)!]);
  }
  const sortColumns = new Map<string, string>([
    ['id', 'id'],
    ['createdAt', 'created_at'],
    ['updatedAt', 'updated_at'],
  ]);
  for (const entry of properties) if (entry.def.sortable && isSortableKind(entry.def)) sortColumns.set(entry.property, entry.columns[0]!);
  // A whole record is a copy of this one, every property in place and in order: setting them on a
  // copy allocates the object once, where adding them one by one grew it property by property (a
  // bulk load turns every written row into a record: 1.0 against 2.3 us a record of 33 properties).
  const shape: Record<string, null> = Object.fromEntries(['id', ...systemColumns.map(([property]) => property), ...properties.map((entry) => entry.property)].map((property) => [property, null]));

  return {
    entity,
    properties,
    byProperty,
    constraintProperties,
    sortColumns,
    jsonColumns: new Set(properties.filter((entry) => entry.def.kind === 'json' || entry.def.kind === 'localizedText').map((entry) => entry.columns[0]!)),
    toRecord(row, only) {
      const record: Record<string, unknown> = only ? { id: row.id } : { ...shape, id: row.id };
      for (const [property, column] of systemColumns) {
        if (only && !only.has(property)) continue;
        const value = row[column];
        record[property] = value instanceof Date ? value.toISOString() : value;
      }
      for (const entry of properties) {
        if (only && !only.has(entry.property)) continue;
        const first = row[entry.columns[0]!];
        if (entry.def.kind === 'money') {
          record[entry.property] = first === null || first === undefined ? null : { amount: first, currency: (row[entry.columns[1]!] as string).trim() };
        } else {
          record[entry.property] = first instanceof Date ? first.toISOString() : (first ?? null);
        }
      }
      return record;
    },
    toColumnValues(input) {
      const pairs: [string, unknown][] = [];
      const errors: FieldError[] = [];
      for (const property in input) {
        const entry = byProperty.get(property);
        if (!entry || !Object.hasOwn(input, property)) continue;
        const value = input[property];
        const problem = unstorableValue(entry.def, value, property);
        if (problem) errors.push(problem);
        if (entry.def.kind === 'money') {
          const money = value as { amount: number; currency: string } | null;
          pairs.push([entry.columns[0]!, money?.amount ?? null], [entry.columns[1]!, money?.currency ?? null]);
        } else {
          pairs.push([entry.columns[0]!, normalizeValue(entry.def, value)]);
        }
      }
      if (errors.length > 0) throw recordErrors.invalidValue('A value cannot be stored.', errors);
      return pairs;
    },
  };
}

/** U+0000 (PostgreSQL text and jsonb refuse it) and unpaired surrogates (not Unicode text). */
export const unstorableText = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const textualKinds: ReadonlySet<string> = new Set(['text', 'enum', 'json', 'localizedText']);

/**
 * What passes the JSON Schema but PostgreSQL would refuse with a data error (which has no field):
 * the year 0000 in dates and timestamps, unstorable characters in text, keys or values of JSON.
 */
/** `property`: the top-level property holding the value (its pointer is built only for a problem: bulk loads check every cell). */
function unstorableValue(def: FieldDef, value: unknown, property: string): FieldError | undefined {
  if (value === null || value === undefined) return undefined;
  if ((def.kind === 'date' || def.kind === 'timestamp') && String(value).startsWith('0000')) return { pointer: `/${property}`, detail: 'year 0000 does not exist; use 0001 or later' };
  if (!textualKinds.has(def.kind)) return undefined;
  // Most values are one string: no work list for them (bulk loads check every cell).
  if (typeof value === 'string') return unstorableText.test(value) ? { pointer: `/${property}`, detail: 'contains U+0000 or an unpaired surrogate' } : undefined;
  const pending: [unknown, string][] = [[value, `/${property}`]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, at] = next;
    if (typeof item === 'string') {
      if (unstorableText.test(item)) return { pointer: at, detail: 'contains U+0000 or an unpaired surrogate' };
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const childPointer = `${at}/${escapePointer(key)}`;
        if (unstorableText.test(key)) return { pointer: childPointer, detail: 'property name contains U+0000 or an unpaired surrogate' };
        pending.push([child, childPointer]);
      }
    }
  }
  return undefined;
}

/** Text is stored NFC; JSON values are sent as JSON text (pg would turn arrays into SQL arrays). */
function normalizeValue(def: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && (def.kind === 'text' || def.kind === 'enum')) return value.normalize('NFC');
  if (def.kind === 'localizedText') {
    return JSON.stringify(Object.fromEntries(Object.entries(value as Record<string, string>).map(([locale, text]) => [locale, text.normalize('NFC')])));
  }
  if (def.kind === 'json') return JSON.stringify(value);
  return value;
}
