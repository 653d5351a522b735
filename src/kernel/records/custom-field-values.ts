/**
 * The `ext` of a write against the tenant's custom fields of the entity: an unknown key is refused;
 * a value is checked by the JSON Schema of the field it stands for (customFieldDef + valueSchema, so
 * a custom text field validates like a declared one) and by what that schema cannot say (decimal
 * bounds, year 0000, U+0000). A required field must be given on create and is never cleared; null
 * clears a key, also one whose definition was deleted since. Values are stored normalized: text
 * NFC, decimals at the field's scale, timestamps in UTC. Every problem is reported at once.
 */
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sql } from 'kysely';
import { customFieldDef, valueSchema, type CustomField, type EntityDef, type FieldDef } from '../model/index.ts';
import type { TenantTx } from '../db/index.ts';
import { escapePointer, type FieldError } from '../shared/index.ts';
import { unstorableText } from './record-codec.ts';
import type { ApiRecord, CustomFieldSource } from './records.contract.ts';
import { recordErrors } from './records.errors.ts';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;
// As the HTTP bodies are validated: no coercion, no defaults.
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
addFormats(ajv);

/** Compiled validators by schema; bounded, so a churn of definition edits cannot grow it without end. */
const validators = new Map<string, ValidateFunction>();
const maxValidators = 2_000;

function validatorOf(def: FieldDef): ValidateFunction {
  const schema = valueSchema(def);
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    if (validators.size >= maxValidators) {
      validators.clear();
      ajv.removeSchema(); // Ajv keeps its own cache of every compiled schema
    }
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

/** What a write does to `ext`: keys set (stored values) and keys cleared. */
export interface ExtWrite {
  set: Record<string, unknown>;
  clear: string[];
}

/** What a write adds to its statement for `ext`, and the definitions it read (for the listeners). */
export interface ExtColumns {
  columns: [string, unknown][];
  fields?: readonly CustomField[];
}

/**
 * The record service's side of custom fields: the definitions are read in the write's transaction,
 * one query, and only when needed: a create that has `ext` or may need a required field (see
 * CustomFieldSource.mayRequire), an update that has `ext`. Other writes cost nothing more.
 */
export function createExtensionWrites(source: CustomFieldSource | undefined) {
  const fieldsOf = (tx: TenantTx, tenantId: string, entity: EntityDef): Promise<readonly CustomField[]> => (source ? source.fieldsOf(tx, tenantId, entity) : Promise.resolve([]));
  /** True when a create without `ext` needs no definitions: the entity had no required custom field at the last read (CustomFieldSource.mayRequire). */
  const createNeedsNone = (tenantId: string, entity: EntityDef): boolean => !source?.mayRequire(tenantId, entity);
  return {
    fieldsOf,
    createNeedsNone,
    async forCreate(tx: TenantTx, tenantId: string, entity: EntityDef, ext: unknown): Promise<ExtColumns> {
      if (ext === undefined && createNeedsNone(tenantId, entity)) return { columns: [] };
      const fields = await fieldsOf(tx, tenantId, entity);
      return { columns: extInsertValue(checkExt(fields, ext, true)), fields };
    },
    async forUpdate(tx: TenantTx, tenantId: string, entity: EntityDef, ext: unknown): Promise<ExtColumns> {
      if (ext === undefined) return { columns: [] };
      const fields = await fieldsOf(tx, tenantId, entity);
      return { columns: extUpdateValue(checkExt(fields, ext, false)), fields };
    },
    /** For the listeners of a delete: the definitions, when the record holds custom values. */
    async forDelete(tx: TenantTx, tenantId: string, entity: EntityDef, before: ApiRecord): Promise<readonly CustomField[] | undefined> {
      const ext = before.ext as Record<string, unknown> | null | undefined;
      return source && ext && Object.keys(ext).length > 0 ? source.fieldsOf(tx, tenantId, entity) : undefined;
    },
  };
}

/** Checks a write's `ext` (a merge: keys not named are left alone); throws records.invalid_custom_field. */
export function checkExt(fields: readonly CustomField[], ext: unknown, creating: boolean): ExtWrite {
  if (ext !== undefined && (typeof ext !== 'object' || ext === null || Array.isArray(ext))) throw recordErrors.invalidCustomField([{ pointer: '/ext', detail: 'must be an object' }]);
  const byKey = new Map(fields.map((custom) => [custom.key, custom]));
  const errors: FieldError[] = [];
  const write: ExtWrite = { set: {}, clear: [] };
  const given = (ext ?? {}) as Readonly<Record<string, unknown>>;
  for (const [key, value] of Object.entries(given)) {
    const pointer = `/ext/${escapePointer(key)}`;
    const custom = byKey.get(key);
    if (value === null) {
      if (custom?.required) errors.push({ pointer, detail: 'is required and cannot be cleared' });
      else write.clear.push(key);
    } else if (!custom) {
      errors.push({ pointer, detail: 'is not a custom field of this entity' });
    } else {
      const problem = problemOf(custom, value);
      if (problem) errors.push({ pointer, detail: problem });
      else write.set[key] = storedValue(custom, value);
    }
  }
  if (creating) {
    for (const custom of fields) if (custom.required && !Object.hasOwn(given, custom.key)) errors.push({ pointer: `/ext/${custom.key}`, detail: 'is required' });
  }
  if (errors.length > 0) throw recordErrors.invalidCustomField(errors);
  return write;
}

/** The `ext` column of an insert: the keys set, or nothing (the column's default `{}`). */
export function extInsertValue(write: ExtWrite): [string, unknown][] {
  return Object.keys(write.set).length === 0 ? [] : [['ext', JSON.stringify(write.set)]];
}

/** The `ext` assignment of an update: a merge in SQL on the locked row's current value. */
export function extUpdateValue(write: ExtWrite): [string, unknown][] {
  if (Object.keys(write.set).length === 0 && write.clear.length === 0) return [];
  return [['ext', sql`(ext || ${JSON.stringify(write.set)}::jsonb) - ${write.clear}::text[]`]];
}

// The schema without labels: a label edit must not compile a new validator.
const defOf = (custom: CustomField): FieldDef => customFieldDef({ ...custom, labels: {} });

function problemOf(custom: CustomField, value: unknown): string | undefined {
  const def = defOf(custom);
  const validate = validatorOf(def);
  if (!validate(value)) return validate.errors?.[0]?.message ?? 'is invalid';
  if (typeof value !== 'string') return undefined;
  if ((custom.type === 'text' || custom.type === 'enum') && unstorableText.test(value)) return 'contains U+0000 or an unpaired surrogate';
  if ((custom.type === 'date' || custom.type === 'timestamp') && value.startsWith('0000')) return 'year 0000 does not exist; use 0001 or later';
  // Stored in UTC: a leap second or an offset past year 9999 has no such form.
  if (custom.type === 'timestamp' && !utcForm(value)) return 'must be an instant from year 0001 to 9999 (leap seconds are not kept)';
  if (custom.type === 'decimal') {
    const scale = def.scale!;
    if (def.minimum !== undefined && scaledDecimal(value, scale) < scaledBound(def.minimum, scale)) return `must be >= ${def.minimum}`;
    if (def.maximum !== undefined && scaledDecimal(value, scale) > scaledBound(def.maximum, scale)) return `must be <= ${def.maximum}`;
  }
  return undefined;
}

function storedValue(custom: CustomField, value: unknown): unknown {
  switch (custom.type) {
    case 'text':
    case 'enum':
      return (value as string).normalize('NFC');
    case 'decimal':
      return normalizeDecimal(value as string, defOf(custom).scale!);
    case 'timestamp':
      return utcForm(value as string);
    default:
      return value;
  }
}

function utcForm(value: string): string | undefined {
  const instant = new Date(value);
  const text = Number.isNaN(instant.getTime()) ? '' : instant.toISOString();
  return /^[0-9]{4}-/.test(text) ? text : undefined;
}

/** "012.5" at scale 4 -> "12.5000", as PostgreSQL returns a numeric(p, 4); "-0" -> "0.0000". */
export function normalizeDecimal(text: string, scale: number): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const integer = whole.replace(/^0+(?=\d)/, '');
  const digits = scale > 0 ? `${integer}.${fraction.padEnd(scale, '0')}` : integer;
  return negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

const scaledDecimal = (text: string, scale: number): bigint => BigInt(normalizeDecimal(text, scale).replace('.', ''));
const scaledBound = (bound: number, scale: number): bigint => BigInt(normalizeDecimal(bound.toFixed(scale), scale).replace('.', ''));
