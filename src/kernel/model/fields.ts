/**
 * Field builders for defineEntity. Each builder returns a plain description of the field; the
 * derivations (DDL, schemas, metadata) read it. `T` is a phantom type carrying the API value type,
 * so records of an entity are typed without a second declaration.
 */

export type FieldKind =
  | 'text'
  | 'integer'
  | 'decimal'
  | 'money'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'enum'
  | 'json'
  | 'reference'
  | 'localizedText';

export interface FieldOptions {
  required?: boolean;
  /** Unique within the tenant (among rows not soft-deleted). */
  unique?: boolean;
  /** Personal data: masked in audit, covered by export/erasure, never logged. */
  personalData?: boolean;
  /** Full-text / fuzzy search candidate. */
  searchable?: boolean;
  /** May be used in list filters (eq, in, range, prefix by type). */
  filterable?: boolean;
  /** May be used in list sorts; gets an index (tenant_id, field, id). */
  sortable?: boolean;
  /** Written only by the server (never accepted in a create or update body). */
  readOnly?: boolean;
  label?: string;
  description?: string;
}

export interface FieldDef<T = unknown> extends FieldOptions {
  readonly kind: FieldKind;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  precision?: number;
  scale?: number;
  values?: readonly string[];
  /** Referenced entity name. */
  entity?: string;
  /** ISO 4217 currency fixed for a money field. */
  currency?: string;
  default?: unknown;
  /** Phantom: the API value type. */
  readonly __type?: T;
}

type TextOptions = FieldOptions & { minLength?: number; maxLength?: number; pattern?: string; default?: string };
type NumberOptions = FieldOptions & { min?: number; max?: number; default?: number };

export interface Money {
  amount: number;
  currency: string;
}

const maxTextLength = 10_000;

export const field = {
  text: (options: TextOptions = {}): FieldDef<string> => ({
    kind: 'text',
    ...options,
    maxLength: options.maxLength ?? maxTextLength,
  }),
  integer: ({ min, max, ...options }: NumberOptions = {}): FieldDef<number> => ({
    kind: 'integer',
    ...options,
    minimum: min ?? -2_147_483_648,
    maximum: max ?? 2_147_483_647,
  }),
  /** Exact decimal, exchanged as a string ("12.50") so no precision is lost in JSON. */
  decimal: ({ precision = 18, scale = 4, min, max, ...options }: FieldOptions & { precision?: number; scale?: number; min?: number; max?: number } = {}): FieldDef<string> => ({
    kind: 'decimal',
    ...options,
    precision,
    scale,
    ...(min === undefined ? {} : { minimum: min }),
    ...(max === undefined ? {} : { maximum: max }),
  }),
  /** Integer minor units plus ISO currency, stored as two columns. */
  money: ({ currency, min, ...options }: FieldOptions & { currency?: string; min?: number } = {}): FieldDef<Money> => ({
    kind: 'money',
    ...options,
    ...(currency === undefined ? {} : { currency }),
    minimum: min ?? Number.MIN_SAFE_INTEGER,
  }),
  boolean: (options: FieldOptions & { default?: boolean } = {}): FieldDef<boolean> => ({ kind: 'boolean', ...options }),
  /** Calendar date, "YYYY-MM-DD". */
  date: (options: FieldOptions = {}): FieldDef<string> => ({ kind: 'date', ...options }),
  /** Instant, RFC 3339 in UTC. */
  timestamp: (options: FieldOptions = {}): FieldDef<string> => ({ kind: 'timestamp', ...options }),
  enum: <const V extends readonly string[]>(values: V, options: FieldOptions & { default?: V[number] } = {}): FieldDef<V[number]> => ({
    kind: 'enum',
    ...options,
    values,
  }),
  json: (options: FieldOptions = {}): FieldDef<Record<string, unknown>> => ({ kind: 'json', ...options }),
  /** Reference to another entity by id; within the tenant for tenant entities. */
  reference: (entity: string, options: FieldOptions = {}): FieldDef<string> => ({ kind: 'reference', ...options, entity }),
  /** Text per locale: { "en": "Milk", "fr": "Lait" }. */
  localizedText: (options: FieldOptions & { maxLength?: number } = {}): FieldDef<Record<string, string>> => ({
    kind: 'localizedText',
    ...options,
    maxLength: options.maxLength ?? maxTextLength,
  }),
};

/** Filter operators a field kind supports when it is filterable. */
export function filterOperators(def: FieldDef): readonly FilterOperator[] {
  switch (def.kind) {
    case 'text':
      return ['eq', 'in', 'prefix'];
    case 'integer':
    case 'decimal':
    case 'date':
    case 'timestamp':
      return ['eq', 'in', 'gt', 'gte', 'lt', 'lte'];
    case 'money':
      return ['gt', 'gte', 'lt', 'lte'];
    case 'boolean':
      return ['eq'];
    case 'enum':
    case 'reference':
      return ['eq', 'in'];
    case 'json':
    case 'localizedText':
      return [];
  }
}

export type FilterOperator = 'eq' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'prefix';

export function isSortableKind(def: FieldDef): boolean {
  return !['json', 'localizedText', 'money'].includes(def.kind);
}
