/**
 * Client metadata: what a dynamic client (mobile, web console) needs to render forms and lists of an
 * entity without a release: fields, types, constraints, labels, capabilities.
 */
import type { EntityDef } from './entity.ts';
import { filterOperators, isSortableKind } from './fields.ts';

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

export function deriveMetadata(entity: EntityDef): EntityMetadata {
  return {
    name: entity.name,
    plural: entity.plural,
    label: entity.label,
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
    fields: Object.entries(entity.fields).map(([name, def]) => ({
      name,
      type: def.kind,
      label: def.label ?? name,
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
    })),
  };
}
