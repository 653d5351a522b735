/**
 * Derives the JSON Schemas (TypeBox) of an entity: the read shape, the create and update bodies.
 * Write bodies refuse unknown properties (including tenantId, version and every system column),
 * so nothing is silently dropped and nothing the server owns can be mass-assigned.
 */
import Type, { type TSchema } from 'typebox';
import { customFieldLimits } from './custom-field.ts';
import type { EntityDef } from './entity.ts';
import type { FieldDef } from './fields.ts';

const localeKey = '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

export function valueSchema(def: FieldDef): TSchema {
  const meta = {
    ...(def.description ? { description: def.description } : {}),
    ...(def.label ? { title: def.label } : {}),
    ...(def.default === undefined ? {} : { default: def.default }),
  };
  switch (def.kind) {
    case 'text':
      return Type.String({ ...meta, maxLength: def.maxLength, ...(def.minLength === undefined ? {} : { minLength: def.minLength }), ...(def.pattern ? { pattern: def.pattern } : {}) });
    case 'integer':
      return Type.Integer({ ...meta, minimum: def.minimum, maximum: def.maximum });
    case 'decimal': {
      const whole = def.precision! - def.scale!;
      const fraction = def.scale! > 0 ? `(\\.[0-9]{1,${def.scale}})?` : '';
      return Type.String({ ...meta, pattern: `^-?[0-9]{1,${whole}}${fraction}$`, examples: ['12.50'] });
    }
    case 'money':
      return Type.Object(
        {
          amount: Type.Integer({ description: 'Integer amount in minor units (cents)', minimum: def.minimum, maximum: Number.MAX_SAFE_INTEGER }),
          currency: def.currency ? Type.Literal(def.currency) : Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
        },
        { ...meta, additionalProperties: false },
      );
    case 'boolean':
      return Type.Boolean(meta);
    case 'date':
      return Type.String({ ...meta, format: 'date' });
    case 'timestamp':
      return Type.String({ ...meta, format: 'date-time' });
    case 'enum':
      return Type.Enum([...def.values!], meta);
    case 'json':
      return Type.Object({}, { ...meta, additionalProperties: true });
    case 'reference':
      return Type.String({ ...meta, format: 'uuid', description: def.description ?? `Id of a ${def.entity}` });
    case 'localizedText':
      return Type.Object({}, {
        ...meta,
        patternProperties: { [localeKey]: Type.String({ maxLength: def.maxLength }) },
        additionalProperties: false,
        minProperties: def.required ? 1 : 0,
      });
  }
}

/**
 * `type: [T, 'null']` rather than anyOf: equivalent for validation, and fast-json-stringify
 * serializes it without trying each branch.
 */
export function nullable(schema: TSchema): TSchema {
  const plain = schema as Record<string, unknown>;
  if (Array.isArray(plain.enum)) return { ...plain, type: ['string', 'null'], enum: [...plain.enum, null] } as TSchema;
  return { ...plain, type: [plain.type, 'null'] } as TSchema;
}

/**
 * `ext` in a write body: the tenant's custom fields by key, each a scalar or null (clears it). Only
 * the shape is checked here; kernel/records checks keys and values against the tenant's definitions.
 */
function extWriteSchema(description: string): TSchema {
  return Type.Object({}, { additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } as unknown as TSchema, maxProperties: customFieldLimits.perEntity, description });
}

export interface EntitySchemas {
  read: TSchema;
  /** The read shape with every property but id optional (sparse fieldsets), for responses. */
  readPartial: TSchema;
  create: TSchema;
  update: TSchema;
}

export function deriveSchemas(entity: EntityDef): EntitySchemas {
  const read: Record<string, TSchema> = {
    id: Type.String({ format: 'uuid' }),
    version: Type.Integer({ minimum: 1, description: 'Row version; the ETag and the If-Match precondition' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    createdBy: nullable(Type.String({ format: 'uuid' })),
    updatedBy: nullable(Type.String({ format: 'uuid' })),
    ext: Type.Object({}, { additionalProperties: true, description: 'Tenant custom fields' }),
  };
  const create: Record<string, TSchema> = {
    id: Type.Optional(Type.String({ format: 'uuid', description: 'Client-made id (UUID); made by the server when absent' })),
    ext: Type.Optional(extWriteSchema("The tenant's custom fields (GET /v1/metadata): key -> value; required ones must be given")),
  };
  const update: Record<string, TSchema> = {
    ext: Type.Optional(extWriteSchema("The tenant's custom fields to change (a merge: keys not sent keep their value; null clears one)")),
  };
  for (const [property, def] of Object.entries(entity.fields)) {
    const schema = valueSchema(def);
    // Defaults document writes only: a serializer would write a missing property's default into a
    // sparse read (fields=name answering enabled: true for a record whose enabled is false).
    const { default: _default, ...readSchema } = schema as TSchema & { default?: unknown };
    read[property] = def.required ? (readSchema as TSchema) : nullable(readSchema as TSchema);
    if (def.readOnly) continue;
    if (property === entity.states?.field) {
      // The state changes only through transitions; a record starts in one of the initial states.
      const initial = Type.Enum([...entity.states.initial], {
        ...(def.label ? { title: def.label } : {}),
        ...(def.default === undefined ? {} : { default: def.default }),
        description: `Initial state; later states are reached through the actions ${Object.keys(entity.states.transitions).join(', ')}`,
      });
      create[property] = def.default === undefined ? initial : Type.Optional(initial);
      continue;
    }
    // A required field with a default may be left out on create (the default applies), never nulled.
    create[property] = def.required ? (def.default === undefined ? schema : Type.Optional(schema)) : Type.Optional(nullable(schema));
    update[property] = Type.Optional(def.required ? schema : nullable(schema));
  }
  const title = entity.name[0]!.toUpperCase() + entity.name.slice(1);
  const partial = Object.fromEntries(Object.entries(read).map(([key, schema]) => [key, key === 'id' ? schema : Type.Optional(schema)]));
  return {
    read: Type.Object(read, { title, additionalProperties: false, description: entity.description }),
    readPartial: Type.Object(partial, { title, additionalProperties: false, description: entity.description }),
    create: Type.Object(create, { title: `${title}Create`, additionalProperties: false }),
    update: Type.Object(update, { title: `${title}Update`, additionalProperties: false, minProperties: 1 }),
  };
}
