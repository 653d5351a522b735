/**
 * Row conditions compiled to SQL predicates on the entity's own table. Columns come from the model
 * (validated names), principal values are always bound parameters. A value that cannot match the
 * column's type (no user id, an attribute of the wrong type) makes the condition false, never an error.
 */
import { sql, type RawBuilder } from 'kysely';
import type { TenantContext } from '../db/index.ts';
import { conditionSystemFields, fieldColumns, type EntityDef, type RowCondition } from '../model/index.ts';
import { isUuid } from '../shared/index.ts';

const matchesNothing = sql<unknown>`false`;

/** The predicate of named conditions of an entity's policy, all of which must hold (AND). */
export function compileConditions(entity: EntityDef, names: readonly string[], context: TenantContext): RawBuilder<unknown> {
  const declared = entity.access?.conditions ?? {};
  const parts: RawBuilder<unknown>[] = [];
  for (const name of names) {
    const entry = Object.hasOwn(declared, name) ? declared[name] : undefined;
    // A stored tenant role may name a condition the model no longer declares: it matches nothing.
    if (!entry) return matchesNothing;
    for (const condition of Array.isArray(entry) ? entry : [entry as RowCondition]) parts.push(compileCondition(entity, condition, context));
  }
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` and `)})`;
}

/** OR of alternatives (each an AND of conditions). */
export function anyOf(predicates: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return predicates.length === 1 ? predicates[0]! : sql`(${sql.join(predicates, sql` or `)})`;
}

function compileCondition(entity: EntityDef, condition: RowCondition, context: TenantContext): RawBuilder<unknown> {
  const def = entity.fields[condition.field];
  const column = sql.ref(def ? fieldColumns(condition.field, def)[0]!.name : conditionSystemFields[condition.field]!);
  const kind = def ? def.kind : 'reference';
  if ('is' in condition) return accepts(kind, condition.is) ? sql`${column} = ${normalize(kind, condition.is)}` : matchesNothing;
  if ('equals' in condition) {
    const value = principalValue(context, condition.equals);
    return accepts(kind, value) ? sql`${column} = ${normalize(kind, value)}` : matchesNothing;
  }
  const value = principalValue(context, condition.in);
  const values = Array.isArray(value) ? value.filter((item) => accepts(kind, item)).map((item) => normalize(kind, item)) : [];
  return values.length > 0 ? sql`${column} = any(${values})` : matchesNothing;
}

function principalValue(context: TenantContext, reference: string): unknown {
  if (reference === 'principal.userId') return context.userId ?? undefined;
  const name = reference.slice('principal.attributes.'.length);
  const attributes = context.attributes ?? {};
  return Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}

function accepts(kind: string, value: unknown): boolean {
  switch (kind) {
    case 'reference':
      return typeof value === 'string' && isUuid(value);
    case 'integer':
      return Number.isSafeInteger(value) && Math.abs(value as number) <= 2_147_483_647;
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string' && value.length <= 10_000 && !value.includes('\u0000');
  }
}

function normalize(kind: string, value: unknown): unknown {
  if (kind === 'reference') return (value as string).toLowerCase();
  return typeof value === 'string' ? value.normalize('NFC') : value;
}
