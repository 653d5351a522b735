/**
 * defineEntity: an entity is declared once, and every layer derives from this declaration.
 * Glossary: entity = a named record type (`product`); plural = its collection name, used for the
 * table and the route (`products`, `/v1/products`); scope = `tenant` (row-level security on
 * tenant_id) or `global` (shared reference data, read-only at runtime); system columns = the
 * conventions every table gets (id, version, timestamps, soft delete, ext).
 */
import { checkAccessPolicy, type EntityAccessPolicy } from './access-policy.ts';
import type { FieldDef, Money } from './fields.ts';
import { checkStateMachine, type StateMachine } from './state-machine.ts';

export type EntityScope = 'tenant' | 'global';

export interface IndexDef {
  fields: readonly string[];
  unique?: boolean;
}

export interface EntityInput<F extends Record<string, FieldDef>> {
  /** Singular camelCase name, unique in the registry (`priceList`). */
  name: string;
  /** Collection name in camelCase (`priceLists`); table `price_lists`, route `/v1/price-lists`. */
  plural: string;
  /** Owning app or kernel module; decides where generated migrations go. */
  module: string;
  scope?: EntityScope;
  /** Served by the generated REST routes. */
  expose?: boolean;
  /** Every write leaves an audit record (kernel/audit). */
  audited?: boolean;
  /** The label in English (the default); `labels` gives it in other locales. */
  label?: string;
  /** Labels per locale (`{ fr: 'Produits' }`), for client metadata. */
  labels?: Readonly<Record<string, string>>;
  description?: string;
  fields: F;
  indexes?: readonly IndexDef[];
  /** Who may do what with its rows (kernel/access); without it only owner and admin may. */
  access?: EntityAccessPolicy;
  /** The lifecycle of its state field: named transitions, each a custom action (kernel/records). */
  states?: StateMachine;
  /** Offline sync (kernel/sync): the entity's rows travel to clients in the reader's scope. */
  sync?: SyncPolicy;
}

/**
 * How pushed offline edits of an entity meet the server's copy. `version`: an update must name the
 * version it was made on, otherwise a conflict returns the server copy (master data). `merge`: the
 * fields the client changed are applied over the server's (notes, answers). `lww`: the client's
 * change wins whatever the version (harmless fields). Actions are always re-run as intents.
 */
export interface SyncPolicy {
  readonly conflict: 'version' | 'merge' | 'lww';
}

export interface Column {
  /** API property (camelCase) the column carries, or a system column name. */
  property: string;
  name: string;
  sqlType: string;
  /** For money: which half of the value. */
  part?: 'amount' | 'currency';
}

export interface EntityDef<F extends Record<string, FieldDef> = Record<string, FieldDef>> {
  readonly name: string;
  readonly plural: string;
  readonly module: string;
  readonly scope: EntityScope;
  readonly expose: boolean;
  readonly audited: boolean;
  readonly label: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description: string | undefined;
  readonly fields: F;
  readonly indexes: readonly IndexDef[];
  readonly access: EntityAccessPolicy | undefined;
  readonly states: StateMachine | undefined;
  readonly sync: SyncPolicy | undefined;
  /** Custom actions: the policy's own plus the state machine's transitions (`approve`, `submit`). */
  readonly actions: readonly string[];
  readonly table: string;
  readonly path: string;
}

export const systemProperties = ['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt', 'ext'] as const;
const reservedProperties = new Set<string>([...systemProperties, 'tenantId', 'cursor', 'limit', 'sort', 'fields']);
const namePattern = /^[a-z][a-zA-Z0-9]*$/;
/** A BCP 47 tag as labels are keyed (`fr`, `pt-BR`), as localized text's keys are. */
export const localeTagPattern = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function defineEntity<const F extends Record<string, FieldDef>>(input: EntityInput<F>): EntityDef<F> {
  const problems: string[] = [];
  for (const key of [input.name, input.plural, ...Object.keys(input.fields)]) {
    if (!namePattern.test(key)) problems.push(`"${key}" is not a camelCase name`);
  }
  for (const key of Object.keys(input.fields)) {
    if (reservedProperties.has(key)) problems.push(`field "${key}" is reserved by the kernel`);
    const def = input.fields[key]!;
    if (def.kind === 'enum' && (!def.values || def.values.length === 0)) problems.push(`enum field "${key}" has no values`);
    if (def.kind === 'reference' && !def.entity) problems.push(`reference field "${key}" names no entity`);
  }
  const labelled: [string, Readonly<Record<string, string>> | undefined][] = [[input.name, input.labels], ...Object.entries(input.fields).map(([key, def]) => [key, def.labels] as [string, FieldDef['labels']])];
  for (const [owner, labels] of labelled) {
    for (const locale of Object.keys(labels ?? {})) if (!localeTagPattern.test(locale)) problems.push(`labels of "${owner}": "${locale}" is not a locale tag such as fr or pt-BR`);
  }
  for (const index of input.indexes ?? []) {
    for (const key of index.fields) if (!(key in input.fields)) problems.push(`index names unknown field "${key}"`);
  }
  if (input.sync && (input.scope ?? 'tenant') !== 'tenant') problems.push('only tenant entities sync (shared reference data is part of the client build)');
  if (input.sync && !['version', 'merge', 'lww'].includes(input.sync.conflict)) problems.push(`sync.conflict "${String(input.sync.conflict)}" is not version, merge or lww`);
  if (input.states) problems.push(...checkStateMachine(input.states, input.fields).map((problem) => `states: ${problem}`));
  const transitions = Object.keys(input.states?.transitions ?? {});
  const declared = input.access?.actions ?? [];
  for (const name of transitions.filter((transition) => declared.includes(transition))) problems.push(`action "${name}" is declared both as a transition and in access.actions`);
  if (input.access) problems.push(...checkAccessPolicy(input.access, input.fields, transitions).map((problem) => `access: ${problem}`));
  if (problems.length > 0) throw new Error(`defineEntity(${input.name}): ${problems.join('; ')}`);
  return Object.freeze({
    name: input.name,
    plural: input.plural,
    module: input.module,
    scope: input.scope ?? 'tenant',
    expose: input.expose ?? true,
    audited: input.audited ?? true,
    label: input.label ?? input.name,
    labels: input.labels ?? {},
    description: input.description,
    fields: input.fields,
    indexes: input.indexes ?? [],
    access: input.access,
    states: input.states,
    sync: input.sync,
    actions: [...declared, ...transitions],
    table: snakeCase(input.plural),
    path: kebabCase(input.plural),
  });
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The database column(s) a field is stored in. */
export function fieldColumns(property: string, def: FieldDef): Column[] {
  const base = snakeCase(property);
  switch (def.kind) {
    case 'money':
      return [
        { property, name: `${base}_amount`, sqlType: 'bigint', part: 'amount' },
        { property, name: `${base}_currency`, sqlType: 'char(3)', part: 'currency' },
      ];
    case 'reference':
      return [{ property, name: base.endsWith('_id') ? base : `${base}_id`, sqlType: 'uuid' }];
    default:
      return [{ property, name: base, sqlType: sqlTypeOf(def) }];
  }
}

function sqlTypeOf(def: FieldDef): string {
  switch (def.kind) {
    case 'text':
    case 'enum':
      return 'text';
    case 'integer':
      return 'integer';
    case 'decimal':
      return `numeric(${def.precision},${def.scale})`;
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamptz';
    case 'json':
    case 'localizedText':
      return 'jsonb';
    case 'money':
    case 'reference':
      throw new Error(`${def.kind} maps to several columns`);
  }
}

type ValueOf<D> = D extends FieldDef<infer T> ? T : never;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends { readonly __required?: infer R } ? (Exclude<R, undefined> extends true ? K : never) : never }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;

/** The API shape of a stored record of an entity. */
export type EntityRecord<E extends EntityDef> = {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
  ext: Record<string, unknown>;
} & { [K in RequiredKeys<E['fields']>]: ValueOf<E['fields'][K]> } & {
  [K in OptionalKeys<E['fields']>]: ValueOf<E['fields'][K]> | null;
};

export type { Money };
