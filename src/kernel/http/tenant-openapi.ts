/**
 * The OpenAPI document as one tenant sees it: the platform's document with each entity's `ext`
 * object spelled out from the tenant's custom fields (types, constraints, labels; required ones
 * required on create; unknown keys refused on writes, as kernel/records refuses them). Entity
 * schemas are found by their titles (`Outlet`, `OutletCreate`, `OutletUpdate`) wherever the document
 * holds them, inline or in components, so the walk does not depend on how the generator lays it out.
 */
import type { TSchema } from 'typebox';
import { customFieldDef, nullable, valueSchema, type CustomField, type EntityDef } from '../model/index.ts';

type Shape = 'read' | 'create' | 'update';
type JsonObject = Record<string, unknown>;

/** The tenant's document: a copy of `base` with `ext` described for every entity that has custom fields. */
export function tenantOpenApiDocument(base: object, entities: readonly EntityDef[], customFields: readonly CustomField[]): object {
  const byTitle = new Map<string, { shape: Shape; fields: readonly CustomField[] }>();
  for (const entity of entities) {
    const fields = customFields.filter((custom) => custom.entity === entity.name);
    if (fields.length === 0) continue;
    const title = entity.name[0]!.toUpperCase() + entity.name.slice(1);
    byTitle.set(title, { shape: 'read', fields });
    byTitle.set(`${title}Create`, { shape: 'create', fields });
    byTitle.set(`${title}Update`, { shape: 'update', fields });
  }
  const document = structuredClone(base) as JsonObject;
  if (byTitle.size > 0) describeExt(document, byTitle);
  return document;
}

function describeExt(node: unknown, byTitle: ReadonlyMap<string, { shape: Shape; fields: readonly CustomField[] }>): void {
  if (Array.isArray(node)) {
    for (const item of node) describeExt(item, byTitle);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as JsonObject;
  const target = typeof object.title === 'string' ? byTitle.get(object.title) : undefined;
  const properties = object.properties as JsonObject | undefined;
  if (target && properties && typeof properties.ext === 'object' && properties.ext !== null) {
    properties.ext = extSchema(properties.ext as JsonObject, target.shape, target.fields);
  }
  for (const value of Object.values(object)) describeExt(value, byTitle);
}

function extSchema(declared: JsonObject, shape: Shape, fields: readonly CustomField[]): JsonObject {
  const properties: Record<string, TSchema> = {};
  for (const custom of fields) {
    const schema = valueSchema(customFieldDef(custom));
    // A write may clear an optional field with null; a read shows null for a value never set.
    properties[custom.key] = shape === 'create' && custom.required ? schema : nullable(schema);
  }
  const required = shape === 'create' ? fields.filter((custom) => custom.required).map((custom) => custom.key) : [];
  return {
    type: 'object',
    description: typeof declared.description === 'string' ? declared.description : "The tenant's custom fields",
    properties,
    ...(required.length > 0 ? { required } : {}),
    // Writes with an unknown key are refused (records.invalid_custom_field); reads may carry values
    // of a field removed since, so they stay open.
    additionalProperties: shape === 'read',
  };
}
