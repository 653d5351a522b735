/**
 * Checks a custom field's target (entity and key) and definition against the model, reporting every
 * problem at once with pointers into the PUT body (entity and key as parameters), and returns the
 * definition as stored: NFC text, defaults of the type filled in. Input may come from in-process
 * callers, so nothing is assumed about its shape.
 */
import { customDecimalPrecision, customFieldTypes, localeTagPattern, systemProperties, type CustomFieldConstraints, type CustomFieldType, type EntityDef, type ModelRegistry } from '../model/index.ts';
import { escapePointer, type FieldError } from '../shared/index.ts';
import type { CustomFieldInput } from './custom-fields.contract.ts';
import { customFieldErrors } from './custom-fields.errors.ts';
import { checkPattern } from './custom-fields.pattern.ts';

export const customFieldKeyPattern = /^[a-z][a-zA-Z0-9]{0,39}$/;
export const customFieldTextLimits = { label: 200, labels: 20, description: 500, maxLength: 10_000, patternMaxLength: 1_000, patternDefaultMaxLength: 255, values: 200, value: 100, scale: 8 } as const;

/** What a type allows in `constraints`. */
const allowedConstraints: Record<CustomFieldType, readonly (keyof CustomFieldConstraints)[]> = {
  text: ['maxLength', 'pattern'],
  integer: ['min', 'max'],
  decimal: ['min', 'max', 'scale'],
  boolean: [],
  date: [],
  timestamp: [],
  enum: ['values'],
};

export interface CustomFieldDefinitionValues {
  type: CustomFieldType;
  labels: Record<string, string>;
  description: string | null;
  required: boolean;
  personalData: boolean;
  constraints: CustomFieldConstraints;
}

/** U+0000 and unpaired surrogates: PostgreSQL's jsonb refuses them. */
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The exposed tenant entity a custom field may extend, or undefined. */
export function extensibleEntity(registry: ModelRegistry, name: string): EntityDef | undefined {
  const entity = registry.find(name);
  return entity && entity.scope === 'tenant' && entity.expose ? entity : undefined;
}

/** Problems of an entity name and key (as the route's parameters). */
export function targetErrors(registry: ModelRegistry, entityName: string, key: string): FieldError[] {
  const errors: FieldError[] = [];
  const entity = extensibleEntity(registry, entityName);
  if (!entity) errors.push({ parameter: 'entity', detail: 'not an exposed tenant entity' });
  if (!customFieldKeyPattern.test(key)) errors.push({ parameter: 'key', detail: 'a lower-case letter, then up to 39 letters or digits (camelCase)' });
  else if (entity && Object.hasOwn(entity.fields, key)) errors.push({ parameter: 'key', detail: `${entity.name} declares a field "${key}"` });
  else if ((systemProperties as readonly string[]).includes(key) || key === 'tenantId') errors.push({ parameter: 'key', detail: `"${key}" is reserved` });
  return errors;
}

/** The stored form of a definition; throws fields.invalid_field with every problem. */
export function normalizeCustomField(registry: ModelRegistry, entity: string, key: string, input: CustomFieldInput): CustomFieldDefinitionValues {
  const errors = targetErrors(registry, entity, key);
  if (!isObject(input)) throw customFieldErrors.invalidField([...errors, { pointer: '', detail: 'an object' }]);
  for (const name of Object.keys(input)) {
    if (!['type', 'labels', 'description', 'required', 'personalData', 'constraints'].includes(name)) errors.push({ pointer: `/${escapePointer(name)}`, detail: 'unknown property' });
  }
  const type = (customFieldTypes as readonly unknown[]).includes(input.type) ? input.type : undefined;
  if (!type) errors.push({ pointer: '/type', detail: `one of ${customFieldTypes.join(', ')}` });
  for (const flag of ['required', 'personalData'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') errors.push({ pointer: `/${flag}`, detail: 'true or false' });
  }
  const values: CustomFieldDefinitionValues = {
    type: type ?? 'text',
    labels: normalizeLabels(input.labels, errors),
    description: normalizeText(input.description, '/description', customFieldTextLimits.description, errors, true),
    required: input.required === true,
    personalData: input.personalData === true,
    constraints: type ? normalizeConstraints(type, input.constraints, errors) : {},
  };
  if (errors.length > 0) throw customFieldErrors.invalidField(errors);
  return values;
}

function normalizeLabels(value: unknown, errors: FieldError[]): Record<string, string> {
  if (!isObject(value) || Object.keys(value).length === 0 || Object.keys(value).length > customFieldTextLimits.labels) {
    errors.push({ pointer: '/labels', detail: `an object of 1 to ${customFieldTextLimits.labels} labels by locale, such as { "en": "Size" }` });
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [locale, label] of Object.entries(value)) {
    if (!localeTagPattern.test(locale)) errors.push({ pointer: `/labels/${escapePointer(locale)}`, detail: 'a locale tag such as en, fr or pt-BR' });
    const text = normalizeText(label, `/labels/${escapePointer(locale)}`, customFieldTextLimits.label, errors, false);
    if (text !== null) labels[locale] = text;
  }
  return labels;
}

/** Trimmed NFC text of 1 to `max` characters (or null when `optional` and absent, null or empty). */
function normalizeText(value: unknown, pointer: string, max: number, errors: FieldError[], optional: boolean): string | null {
  if (optional && (value === undefined || value === null)) return null;
  const text = typeof value === 'string' ? value.normalize('NFC').trim() : undefined;
  if (text === undefined || text.length > max || unstorable.test(text) || (!optional && text === '')) {
    errors.push({ pointer, detail: `text of ${optional ? 'at most' : '1 to'} ${max} characters${optional ? ', or null' : ''}` });
    return null;
  }
  return text === '' ? null : text;
}

function normalizeConstraints(type: CustomFieldType, value: unknown, errors: FieldError[]): CustomFieldConstraints {
  if (value === undefined) value = {};
  if (!isObject(value)) {
    errors.push({ pointer: '/constraints', detail: 'an object' });
    return {};
  }
  for (const name of Object.keys(value)) {
    if (!(allowedConstraints[type] as readonly string[]).includes(name)) errors.push({ pointer: `/constraints/${escapePointer(name)}`, detail: `not a constraint of a ${type} field` });
  }
  switch (type) {
    case 'text':
      return textConstraints(value, errors);
    case 'integer':
      return rangeOf(value, errors, (bound) => Number.isSafeInteger(bound), 'an integer (within ±2^53)', {});
    case 'decimal': {
      const scale = value.scale === undefined ? 4 : value.scale;
      if (!Number.isInteger(scale) || (scale as number) < 0 || (scale as number) > customFieldTextLimits.scale) {
        errors.push({ pointer: '/constraints/scale', detail: `an integer from 0 to ${customFieldTextLimits.scale}` });
        return {};
      }
      const limit = 10 ** (customDecimalPrecision - (scale as number));
      const fits = (bound: number) => Number.isFinite(bound) && Math.abs(bound) < limit && Number(bound.toFixed(scale as number)) === bound;
      return rangeOf(value, errors, fits, `a number below 10^${customDecimalPrecision - (scale as number)} with at most ${scale as number} decimals`, value.scale === undefined ? {} : { scale: scale as number });
    }
    case 'enum':
      return { values: enumValues(value.values, errors) };
    default:
      return {};
  }
}

function textConstraints(value: Record<string, unknown>, errors: FieldError[]): CustomFieldConstraints {
  const pattern = value.pattern;
  const ceiling = pattern === undefined ? customFieldTextLimits.maxLength : customFieldTextLimits.patternMaxLength;
  const maxLength = value.maxLength ?? (pattern === undefined ? undefined : customFieldTextLimits.patternDefaultMaxLength);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || (maxLength as number) < 1 || (maxLength as number) > ceiling)) {
    errors.push({ pointer: '/constraints/maxLength', detail: `an integer from 1 to ${ceiling}${pattern === undefined ? '' : ' (with a pattern)'}` });
    return {};
  }
  if (pattern === undefined) return maxLength === undefined ? {} : { maxLength: maxLength as number };
  const problem = typeof pattern === 'string' && !unstorable.test(pattern) ? checkPattern(pattern, maxLength as number) : 'a regular expression';
  if (problem) errors.push({ pointer: '/constraints/pattern', detail: problem });
  return { maxLength: maxLength as number, pattern: pattern as string };
}

function rangeOf(value: Record<string, unknown>, errors: FieldError[], accept: (bound: number) => boolean, what: string, base: CustomFieldConstraints): CustomFieldConstraints {
  const range: { min?: number; max?: number } = {};
  for (const name of ['min', 'max'] as const) {
    const bound = value[name];
    if (bound === undefined) continue;
    if (typeof bound === 'number' && accept(bound)) range[name] = bound;
    else errors.push({ pointer: `/constraints/${name}`, detail: what });
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) errors.push({ pointer: '/constraints/max', detail: 'must not be below min' });
  return { ...base, ...range };
}

function enumValues(value: unknown, errors: FieldError[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > customFieldTextLimits.values) {
    errors.push({ pointer: '/constraints/values', detail: `a list of 1 to ${customFieldTextLimits.values} values` });
    return [];
  }
  const values: string[] = [];
  value.forEach((item, index) => {
    const text = typeof item === 'string' ? item.normalize('NFC') : undefined;
    if (text === undefined || text === '' || text.length > customFieldTextLimits.value || unstorable.test(text) || text !== text.trim()) {
      errors.push({ pointer: `/constraints/values/${index}`, detail: `text of 1 to ${customFieldTextLimits.value} characters without edge spaces` });
    } else if (values.includes(text)) errors.push({ pointer: `/constraints/values/${index}`, detail: 'listed twice' });
    else values.push(text);
  });
  return values;
}
