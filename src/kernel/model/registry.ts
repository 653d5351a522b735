/**
 * The model registry: every entity of the running composition, checked as a whole (unique names,
 * references that resolve). Derivations, routes and the isolation suite iterate over it.
 */
import type { EntityDef } from './entity.ts';

export interface ModelRegistry {
  readonly entities: readonly EntityDef[];
  get(name: string): EntityDef;
  find(name: string): EntityDef | undefined;
  /** Entities in an order where every referenced entity comes before the ones referencing it. */
  inDependencyOrder(): EntityDef[];
}

export function createRegistry(entities: readonly EntityDef[]): ModelRegistry {
  const byName = new Map<string, EntityDef>();
  const problems: string[] = [];
  const tables = new Set<string>();
  for (const entity of entities) {
    if (byName.has(entity.name)) problems.push(`entity "${entity.name}" is defined twice`);
    if (tables.has(entity.table)) problems.push(`table "${entity.table}" is used twice`);
    byName.set(entity.name, entity);
    tables.add(entity.table);
  }
  for (const entity of entities) {
    for (const [key, def] of Object.entries(entity.fields)) {
      if (def.kind !== 'reference') continue;
      const target = byName.get(def.entity!);
      if (!target) problems.push(`${entity.name}.${key} references unknown entity "${def.entity}"`);
      else if (entity.scope === 'global' && target.scope === 'tenant') {
        problems.push(`${entity.name}.${key}: a global entity cannot reference the tenant entity "${target.name}"`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid model: ${problems.join('; ')}`);

  const ordered = topologicalOrder(entities, byName);
  return {
    entities,
    get(name) {
      const entity = byName.get(name);
      if (!entity) throw new Error(`Unknown entity "${name}"`);
      return entity;
    },
    find: (name) => byName.get(name),
    inDependencyOrder: () => [...ordered],
  };
}

function topologicalOrder(entities: readonly EntityDef[], byName: Map<string, EntityDef>): EntityDef[] {
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: EntityDef[] = [];
  const visit = (entity: EntityDef): void => {
    if (done.has(entity.name) || visiting.has(entity.name)) return; // self/cyclic references: nullable FKs
    visiting.add(entity.name);
    for (const def of Object.values(entity.fields)) {
      if (def.kind === 'reference' && def.entity !== entity.name) visit(byName.get(def.entity!)!);
    }
    visiting.delete(entity.name);
    done.add(entity.name);
    order.push(entity);
  };
  entities.forEach(visit);
  return order;
}
