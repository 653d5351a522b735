/**
 * Principal attributes derived from the tenant's data (AttributeSource, declared by apps): read in
 * the request's own transaction, once per request context, only when a row condition of the entity
 * at hand names them. Attributes the context already carries win (the development header in tests).
 * This reads an app's entity table by the names its model declares, like kernel/records does; the
 * values become bound parameters of the compiled predicate.
 */
import { sql } from 'kysely';
import type { TenantContext, TenantTx } from '../db/index.ts';
import { fieldColumns, type AttributeSource, type EntityDef, type RowCondition } from '../model/index.ts';
import { isUuid } from '../shared/index.ts';

const attributePrefix = 'principal.attributes.';

/** Attribute names the entity's declared conditions compare with. */
export function attributesNamedBy(entity: EntityDef): Set<string> {
  const names = new Set<string>();
  for (const entry of Object.values(entity.access?.conditions ?? {})) {
    for (const condition of (Array.isArray(entry) ? entry : [entry]) as RowCondition[]) {
      const reference = 'equals' in condition ? condition.equals : 'in' in condition ? condition.in : undefined;
      if (reference?.startsWith(attributePrefix)) names.add(reference.slice(attributePrefix.length));
    }
  }
  return names;
}

export function checkAttributeSource(source: AttributeSource): string[] {
  const problems: string[] = [];
  for (const field of [source.userField, source.valueField]) if (!source.entity.fields[field]) problems.push(`attribute ${source.name}: ${source.entity.name} has no field "${field}"`);
  if (source.entity.scope !== 'tenant') problems.push(`attribute ${source.name}: ${source.entity.name} is not tenant data`);
  return problems;
}

export function createAttributeResolver(sources: readonly AttributeSource[]) {
  const problems = sources.flatMap(checkAttributeSource);
  if (problems.length > 0) throw new Error(`Invalid attribute sources: ${problems.join('; ')}`);
  const byName = new Map(sources.map((source) => [source.name, source]));
  const resolved = new WeakMap<TenantContext, Map<string, unknown[]>>();
  // Per entity, once: the derived attributes its conditions name (the request path only filters them).
  const namedBy = new Map<string, string[]>();

  /** The context with the derived attributes the entity's conditions need filled in. */
  return async function withDerivedAttributes(tx: TenantTx, context: TenantContext, entity: EntityDef): Promise<TenantContext> {
    if (byName.size === 0) return context;
    const given = context.attributes ?? {};
    let named = namedBy.get(entity.name);
    if (!named) namedBy.set(entity.name, (named = [...attributesNamedBy(entity)].filter((name) => byName.has(name))));
    const wanted = named.filter((name) => !Object.hasOwn(given, name));
    if (wanted.length === 0) return context;
    const cache = resolved.get(context) ?? new Map<string, unknown[]>();
    resolved.set(context, cache);
    const derived: Record<string, unknown> = {};
    for (const name of wanted) {
      if (!cache.has(name)) cache.set(name, await readValues(tx, context, byName.get(name)!));
      derived[name] = cache.get(name);
    }
    return { ...context, attributes: { ...derived, ...given } };
  };
}

async function readValues(tx: TenantTx, context: TenantContext, source: AttributeSource): Promise<unknown[]> {
  // No user (an API key, trusted work): no derived values, so conditions on them match nothing.
  if (!context.userId || !isUuid(context.userId)) return [];
  const column = (field: string) => sql.ref(fieldColumns(field, source.entity.fields[field]!)[0]!.name);
  const result = await sql<{ value: unknown }>`
    select distinct ${column(source.valueField)} as value from ${sql.table(source.entity.table)}
    where tenant_id = ${context.tenantId} and ${column(source.userField)} = ${context.userId} and deleted_at is null`.execute(tx);
  return result.rows.map((row) => row.value).filter((value) => value !== null);
}
