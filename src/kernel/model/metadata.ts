/**
 * Client metadata: what a dynamic client (mobile, web console) needs to render forms and lists of an
 * entity without a release: fields, types, constraints, labels, capabilities. Labels are given in the
 * first of a list of preferred locales that has one (`fr-CA`, then `fr`, ...); the English label
 * (`label`, or `labels.en`) is always there as the last resort.
 */
import { customFieldDef, type CustomField } from './custom-field.ts';
import type { EntityDef } from './entity.ts';
import { filterOperators, isSortableKind, type FieldDef } from './fields.ts';

export interface FieldMetadata {
  name: string;
  type: string;
  label: string;
  required: boolean;
  readOnly: boolean;
  unique: boolean;
  personalData: boolean;
  searchable: boolean;
  filters: readonly string[];
  sortable: boolean;
  constraints: Record<string, unknown>;
  /** A tenant custom field: its value is read and written at `ext.<name>`. */
  custom: boolean;
}

export interface EntityMetadata {
  name: string;
  plural: string;
  label: string;
  path: string;
  scope: 'tenant' | 'global';
  fields: FieldMetadata[];
  /** Custom actions, each served at `POST <path>/{id}/<action>`. */
  actions: readonly string[];
  /** The lifecycle, when the entity declares one: which action moves which state where. */
  states?: { field: string; initial: readonly string[]; transitions: Record<string, { from: readonly string[]; to: string }> };
}

/** Preferred locales, best first (`['fr-ca', 'en']`); English is the default. */
export type LocalePreference = readonly string[];

/**
 * The label in the first preferred locale that has one (exact tag, then its language: `fr-CA` ->
 * `fr`), else English, else the first label by locale, else `fallback`.
 */
export function labelIn(labels: Readonly<Record<string, string>>, fallback: string, locales: LocalePreference = []): string {
  const byLocale = new Map(Object.entries(labels).map(([locale, label]) => [locale.toLowerCase(), label]));
  for (const locale of [...locales, 'en']) {
    const tag = locale.toLowerCase();
    const label = byLocale.get(tag) ?? byLocale.get(tag.split('-')[0]!);
    if (label !== undefined) return label;
  }
  const [first] = [...byLocale.keys()].sort();
  return first === undefined ? fallback : byLocale.get(first)!;
}

export function deriveMetadata(entity: EntityDef, locales: LocalePreference = []): EntityMetadata {
  return {
    name: entity.name,
    plural: entity.plural,
    label: labelIn({ en: entity.label, ...entity.labels }, entity.name, locales),
    path: `/v1/${entity.path}`,
    scope: entity.scope,
    actions: entity.actions,
    ...(entity.states
      ? {
          states: {
            field: entity.states.field,
            initial: entity.states.initial,
            transitions: Object.fromEntries(Object.entries(entity.states.transitions).map(([name, { from, to }]) => [name, { from, to }])),
          },
        }
      : {}),
    fields: Object.entries(entity.fields).map(([name, def]) => fieldMetadata(name, def, labelIn({ en: def.label ?? name, ...def.labels }, name, locales))),
  };
}

/** A tenant custom field described like a declared field, with `custom: true`. */
export function customFieldMetadata(custom: CustomField, locales: LocalePreference = []): FieldMetadata {
  return { ...fieldMetadata(custom.key, customFieldDef(custom), labelIn(custom.labels, custom.key, locales)), custom: true };
}

function fieldMetadata(name: string, def: FieldDef, label: string): FieldMetadata {
  return {
    name,
    type: def.kind,
    label,
    required: def.required === true,
    readOnly: def.readOnly === true,
    unique: def.unique === true,
    personalData: def.personalData === true,
    searchable: def.searchable === true,
    filters: def.filterable ? filterOperators(def) : [],
    sortable: def.sortable === true && isSortableKind(def),
    constraints: Object.fromEntries(
      Object.entries({
        minLength: def.minLength,
        maxLength: def.maxLength,
        pattern: def.pattern,
        minimum: def.kind === 'integer' || def.kind === 'decimal' ? def.minimum : undefined,
        maximum: def.kind === 'integer' || def.kind === 'decimal' ? def.maximum : undefined,
        precision: def.precision,
        scale: def.scale,
        values: def.values,
        entity: def.entity,
        currency: def.currency,
      }).filter(([, value]) => value !== undefined),
    ),
    custom: false,
  };
}
