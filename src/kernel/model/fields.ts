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
  /** The label in English (the default); `labels` gives it in other locales. */
  label?: string;
  /** Labels per locale (`{ fr: 'Prix' }`), for client metadata. */
  labels?: Readonly<Record<string, string>>;
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

/** Carries `required: true` into the type, so records type required fields as non-null. */
type Req<O> = { readonly __required?: O extends { required: true } ? true : false };

/** The options type of a builder called without options. */
type NoOptions = Record<never, never>;

type TextOptions = FieldOptions & { minLength?: number; maxLength?: number; pattern?: string; default?: string };
type NumberOptions = FieldOptions & { min?: number; max?: number; default?: number };

export interface Money {
  amount: number;
  currency: string;
}

const maxTextLength = 10_000;

export const field = {
  text: <const O extends TextOptions = NoOptions>(options: O = {} as O): FieldDef<string> & Req<O> => ({
    kind: 'text',
    ...options,
    maxLength: options.maxLength ?? maxTextLength,
  }),
  integer: <const O extends NumberOptions = NoOptions>({ min, max, ...options }: O = {} as O): FieldDef<number> & Req<O> => ({
    kind: 'integer',
    ...options,
    minimum: min ?? -2_147_483_648,
    maximum: max ?? 2_147_483_647,
  }),
  /** Exact decimal, exchanged as a string ("12.50") so no precision is lost in JSON. */
  decimal: <const O extends FieldOptions & { precision?: number; scale?: number; min?: number; max?: number } = NoOptions>({ precision = 18, scale = 4, min, max, ...options }: O = {} as O): FieldDef<string> & Req<O> => ({
    kind: 'decimal',
    ...options,
    precision,
    scale,
    ...(min === undefined ? {} : { minimum: min }),
    ...(max === undefined ? {} : { maximum: max }),
  }),
  /** Integer minor units plus ISO currency, stored as two columns. */
  money: <const O extends FieldOptions & { currency?: string; min?: number } = NoOptions>({ currency, min, ...options }: O = {} as O): FieldDef<Money> & Req<O> => ({
    kind: 'money',
    ...options,
    ...(currency === undefined ? {} : { currency }),
    minimum: min ?? Number.MIN_SAFE_INTEGER,
  }),
  boolean: <const O extends FieldOptions & { default?: boolean } = NoOptions>(options: O = {} as O): FieldDef<boolean> & Req<O> => ({ kind: 'boolean', ...options }) as FieldDef<boolean> & Req<O>,
  /** Calendar date, "YYYY-MM-DD". */
  date: <const O extends FieldOptions = NoOptions>(options: O = {} as O): FieldDef<string> & Req<O> => ({ kind: 'date', ...options }) as FieldDef<string> & Req<O>,
  /** Instant, RFC 3339 in UTC. */
  timestamp: <const O extends FieldOptions = NoOptions>(options: O = {} as O): FieldDef<string> & Req<O> => ({ kind: 'timestamp', ...options }) as FieldDef<string> & Req<O>,
  enum: <const V extends readonly string[], const O extends FieldOptions & { default?: V[number] } = NoOptions>(values: V, options: O = {} as O): FieldDef<V[number]> & Req<O> => ({
    kind: 'enum',
    ...options,
    values,
  }),
  json: <const O extends FieldOptions = NoOptions>(options: O = {} as O): FieldDef<Record<string, unknown>> & Req<O> => ({ kind: 'json', ...options }) as FieldDef<Record<string, unknown>> & Req<O>,
  /** Reference to another entity by id; within the tenant for tenant entities. */
  reference: <const O extends FieldOptions = NoOptions>(entity: string, options: O = {} as O): FieldDef<string> & Req<O> => ({ kind: 'reference', ...options, entity }) as FieldDef<string> & Req<O>,
  /** Text per locale: { "en": "Milk", "fr": "Lait" }. */
  localizedText: <const O extends FieldOptions & { maxLength?: number } = NoOptions>(options: O = {} as O): FieldDef<Record<string, string>> & Req<O> => ({
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
