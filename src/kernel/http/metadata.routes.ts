/**
 * GET /v1/metadata and GET /v1/metadata/{entity}: what a dynamic client needs to render the tenant's
 * forms and lists for this principal. Each exposed entity it may read, with labels in its locale
 * (`locale` parameter, else Accept-Language, then the tenant's locale, then English), its fields
 * (hidden ones left out, read-only ones marked), actions and lifecycle, the actions its roles grant
 * (`permissions`; row conditions may still limit them to some rows), and the tenant's custom fields
 * (`custom: true`). One tenant transaction: the custom fields in one query, permissions per entity
 * (a query each only for a principal holding tenant-defined roles). An ETag over the body lets a
 * client revalidate with If-None-Match (304). GET /v1/openapi.json is the OpenAPI document with the
 * tenant's custom fields in each entity's `ext` (tenant-openapi.ts), made once per set of fields.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { withRequestRoles, type AccessControl, type EntityPermissions } from '../access/index.ts';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { crudActions, customFieldMetadata, deriveMetadata, type CustomField, type EntityDef, type EntityMetadata, type LocalePreference, type ModelRegistry } from '../model/index.ts';
import { AppError } from '../shared/index.ts';
import { preferredLocales } from './accept-language.ts';
import { matchesIfNoneMatch } from './entity.routes.ts';
import { problemResponses } from './problem.ts';
import { tenantOpenApiDocument } from './tenant-openapi.ts';

/** What metadata needs of kernel/tenancy's custom fields. */
export interface MetadataCustomFields {
  /** Every custom field of the tenant, in the caller's tenant transaction. */
  allFieldsOf(tx: TenantTx, tenantId: string): Promise<readonly CustomField[]>;
}

export interface MetadataRoutesOptions {
  db: Kysely<any>;
  registry: ModelRegistry;
  /** The same access control the record service applies. */
  access: AccessControl;
  customFields: MetadataCustomFields;
  /** The tenant's default locale (tenants.locale), the fallback after the request's own. */
  tenantLocale(tenantId: string): Promise<string | undefined>;
  /** TENANT_DEV_HEADER: the development principal and its X-Dev-* headers. */
  devHeaders: boolean;
}

export interface PrincipalEntityMetadata extends EntityMetadata {
  /** The actions the principal's roles grant on the entity (read, create, update, delete, custom ones). */
  permissions: string[];
}

/** An entity's metadata as one principal sees it, custom fields included; undefined when it may not read it. */
export function describeEntityFor(entity: EntityDef, permissions: EntityPermissions, customFields: readonly CustomField[], locales: LocalePreference): PrincipalEntityMetadata | undefined {
  if (!permissions.can('read')) return undefined;
  const metadata = deriveMetadata(entity, locales);
  const declared = metadata.fields
    .filter((field) => !permissions.hiddenFields.has(field.name))
    .map((field) => (permissions.readOnlyFields.has(field.name) ? { ...field, readOnly: true } : field));
  const custom = customFields.filter((field) => field.entity === entity.name).map((field) => customFieldMetadata(field, locales));
  // Shared reference data is read-only over the API whatever the roles say.
  const actions = entity.scope === 'tenant' ? [...crudActions, ...entity.actions] : ['read'];
  return { ...metadata, fields: [...declared, ...custom], permissions: actions.filter((action) => permissions.can(action)) };
}

const fieldSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  label: Type.String(),
  required: Type.Boolean(),
  readOnly: Type.Boolean(),
  unique: Type.Boolean(),
  personalData: Type.Boolean(),
  searchable: Type.Boolean(),
  filters: Type.Array(Type.String()),
  sortable: Type.Boolean(),
  constraints: Type.Object({}, { additionalProperties: true }),
  custom: Type.Boolean({ description: 'A tenant custom field: read and written at ext.<name>' }),
});
const entitySchema = Type.Object({
  name: Type.String(),
  plural: Type.String(),
  label: Type.String(),
  path: Type.String(),
  scope: Type.String(),
  fields: Type.Array(fieldSchema),
  actions: Type.Array(Type.String(), { description: 'Custom actions, POST <path>/{id}/<action>' }),
  states: Type.Optional(
    Type.Object({
      field: Type.String(),
      initial: Type.Array(Type.String()),
      transitions: Type.Record(Type.String(), Type.Object({ from: Type.Array(Type.String()), to: Type.String() })),
    }),
  ),
  permissions: Type.Array(Type.String(), { description: 'Actions your roles grant; row conditions may limit them to some rows' }),
});
const query = Type.Object(
  { locale: Type.Optional(Type.String({ maxLength: 35, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'Label locale, such as fr or pt-BR; overrides Accept-Language' })) },
  { additionalProperties: false },
);
const headers = Type.Object({ 'if-none-match': Type.Optional(Type.String({ description: 'The ETag of a copy you hold: 304 when unchanged' })) });

const entityNotFound = (name: string) => new AppError('not_found', 'http.entity_not_found', 'Entity not found', { detail: `No exposed entity "${name}".` });

/** The route registrar of client metadata (for HttpDependencies.routes). */
export function metadataRoutes(options: MetadataRoutesOptions) {
  const { db, registry, access, customFields } = options;
  const exposed = registry.entities.filter((entity) => entity.expose);

  /** Permissions and custom fields in one tenant transaction, the tenant's locale beside it. */
  const gather = async (request: FastifyRequest, entities: readonly EntityDef[]) => {
    const context: TenantContext = withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
    const [tenantLocale, found] = await Promise.all([
      options.tenantLocale(context.tenantId),
      withTenant(db, context, async (tx) => {
        const permissions: EntityPermissions[] = [];
        for (const entity of entities) permissions.push(await access.permissionsOn(tx, context, entity));
        return { permissions, custom: await customFields.allFieldsOf(tx, context.tenantId) };
      }),
    ]);
    const locales = preferredLocales({ locale: (request.query as { locale?: string }).locale, acceptLanguage: request.headers['accept-language'], tenantLocale });
    return { ...found, locales };
  };

  const send = (request: FastifyRequest, reply: FastifyReply, body: object) => {
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'Accept-Language');
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.send(body);
  };

  /** Serialized tenant documents by the custom fields they describe (tenants alike share one). */
  const documents = new Map<string, { body: string; etag: string }>();
  const tenantDocument = (app: FastifyInstance, custom: readonly CustomField[]) => {
    const key = JSON.stringify(custom);
    let document = documents.get(key);
    if (document === undefined) {
      const body = JSON.stringify(tenantOpenApiDocument(app.swagger(), exposed, custom));
      document = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      if (documents.size >= 64) documents.delete(documents.keys().next().value!);
      documents.set(key, document);
    }
    return document;
  };

  return (app: FastifyInstance): void => {
    const tags = ['metadata'];
    app.get('/v1/openapi.json', {
      config: { tenant: true },
      schema: { tags, summary: "The OpenAPI document with this tenant's custom fields", headers, response: { 200: Type.Object({}, { additionalProperties: true }), 304: Type.Null(), ...problemResponses } },
      handler: async (request, reply) => {
        const context: TenantContext = withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
        const custom = await withTenant(db, context, (tx) => customFields.allFieldsOf(tx, context.tenantId));
        const document = tenantDocument(app, custom);
        reply.header('etag', document.etag).header('cache-control', 'private, no-cache');
        if (matchesIfNoneMatch(request.headers['if-none-match'], document.etag)) return reply.code(304).send();
        return reply.type('application/json; charset=utf-8').send(document.body);
      },
    });
    app.get('/v1/metadata', {
      config: { tenant: true },
      schema: {
        tags,
        summary: 'Entities, fields, actions and permissions for the caller',
        querystring: query,
        headers,
        response: { 200: Type.Object({ locale: Type.String(), entities: Type.Array(entitySchema) }), 304: Type.Null(), ...problemResponses },
      },
      handler: async (request, reply) => {
        const { permissions, custom, locales } = await gather(request, exposed);
        const entities = exposed.flatMap((entity, index) => describeEntityFor(entity, permissions[index]!, custom, locales) ?? []);
        return send(request, reply, { locale: locales[0] ?? 'en', entities });
      },
    });
    app.get('/v1/metadata/:entity', {
      config: { tenant: true },
      schema: {
        tags,
        summary: 'One entity for the caller',
        params: Type.Object({ entity: Type.String({ maxLength: 100, description: 'Entity name, such as product' }) }, { additionalProperties: false }),
        querystring: query,
        headers,
        response: { 200: Type.Object({ locale: Type.String(), entity: entitySchema }), 304: Type.Null(), ...problemResponses },
      },
      handler: async (request, reply) => {
        const name = (request.params as { entity: string }).entity;
        const entity = exposed.find((candidate) => candidate.name === name);
        if (!entity) throw entityNotFound(name);
        const { permissions, custom, locales } = await gather(request, [entity]);
        permissions[0]!.require('read');
        return send(request, reply, { locale: locales[0] ?? 'en', entity: describeEntityFor(entity, permissions[0]!, custom, locales)! });
      },
    });
  };
}
