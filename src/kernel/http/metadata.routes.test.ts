/** GET /v1/metadata over app.inject(): the model as one principal sees it, with the tenant's custom fields. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';
import { parseAcceptLanguage, preferredLocales } from './accept-language.ts';

let t: TestPlatform;
let http: FastifyInstance;
let tenant: Tenant;

beforeAll(async () => {
  t = await startTestPlatform();
  http = t.platform.http;
  tenant = await t.createTenant();
  const shelf = { type: 'text', labels: { en: 'Shelf', fr: 'Rayon' }, required: true, constraints: { maxLength: 10 } };
  expect((await http.inject({ method: 'PUT', url: '/v1/custom-fields/ktWidget/shelf', headers: { 'x-tenant': tenant.slug }, payload: shelf })).statusCode).toBe(201);
});
afterAll(() => t?.close());

interface FieldView { name: string; label: string; readOnly: boolean; custom: boolean; required: boolean; constraints: Record<string, unknown> }
interface EntityView { name: string; label: string; fields: FieldView[]; permissions: string[]; actions: string[]; states?: unknown }

const metadata = async (options: { roles?: string; headers?: Record<string, string>; url?: string; as?: Tenant } = {}) => {
  const response = await http.inject({
    method: 'GET',
    url: options.url ?? '/v1/metadata',
    headers: { 'x-tenant': (options.as ?? tenant).slug, ...(options.roles ? { 'x-dev-roles': options.roles } : {}), ...options.headers },
  });
  return response;
};
const entitiesOf = async (roles?: string) => {
  const response = await metadata(roles ? { roles } : {});
  expect(response.statusCode).toBe(200);
  return Object.fromEntries((response.json().entities as EntityView[]).map((entity) => [entity.name, entity]));
};
const fieldNames = (entity: EntityView | undefined) => entity?.fields.map((field) => field.name) ?? [];

describe('GET /v1/metadata', () => {
  it('describes every exposed entity to an owner, with its actions, lifecycle, permissions and custom fields', async () => {
    const entities = await entitiesOf();
    expect(Object.keys(entities)).toEqual(expect.arrayContaining(['ktWidget', 'ktCategory', 'ktMemo', 'ktTicket', 'ktCountry', 'product']));
    expect(entities.ktWidget).toMatchObject({ label: 'ktWidget', actions: ['approve'], permissions: ['read', 'create', 'update', 'delete', 'approve'] });
    expect(entities.ktTicket!.states).toMatchObject({ field: 'status', initial: ['open'] });
    expect(entities.ktCountry!.permissions).toEqual(['read']); // shared reference data is read-only
    const shelf = entities.ktWidget!.fields.at(-1);
    expect(shelf).toMatchObject({ name: 'shelf', type: 'text', label: 'Shelf', required: true, custom: true, constraints: { maxLength: 10 } });
    expect(entities.ktWidget!.fields.find((field) => field.name === 'code')).toMatchObject({ custom: false, required: true });
    expect(fieldNames(entities.ktCategory)).not.toContain('shelf');
  });

  it('leaves out what the roles hide, marks what they may not write, and lists only what they grant', async () => {
    const viewer = await entitiesOf('viewer');
    expect(viewer.ktMemo).toBeUndefined(); // no policy: only owners and admins
    expect(viewer.ktWidget!.permissions).toEqual(['read']);
    expect(fieldNames(viewer.ktWidget)).not.toEqual(expect.arrayContaining(['ownerEmail']));
    expect(fieldNames(viewer.ktWidget)).not.toContain('price');
    const member = await entitiesOf('member');
    expect(member.ktWidget!.permissions).toEqual(['read', 'create', 'update']);
    expect(member.ktWidget!.fields.find((field) => field.name === 'status')).toMatchObject({ readOnly: true });
    expect(member.ktWidget!.fields.find((field) => field.name === 'name')).toMatchObject({ readOnly: false });
    expect(fieldNames(member.ktWidget)).not.toContain('ownerEmail');
    expect(member.ktCategory!.permissions).toEqual(['read']);
    expect((await entitiesOf('nobody-in-particular')).ktWidget).toBeUndefined(); // an unknown role grants nothing
  });

  it('gives labels in the locale asked for, else Accept-Language, else the tenant\'s locale, else English', async () => {
    const labelOfShelf = async (options: Parameters<typeof metadata>[0]) => {
      const response = await metadata({ ...options, url: `/v1/metadata/ktWidget${options?.url ?? ''}` });
      const body = response.json() as { locale: string; entity: EntityView };
      return [body.locale, body.entity.fields.find((field) => field.name === 'shelf')?.label];
    };
    expect(await labelOfShelf({ url: '?locale=fr-CA' })).toEqual(['fr-ca', 'Rayon']);
    expect(await labelOfShelf({ headers: { 'accept-language': 'de-DE, fr;q=0.8, en;q=0.5' } })).toEqual(['de-de', 'Rayon']);
    expect(await labelOfShelf({ url: '?locale=en', headers: { 'accept-language': 'fr' } })).toEqual(['en', 'Shelf']);
    expect(await labelOfShelf({})).toEqual(['en', 'Shelf']);
    const french = await t.platform.tenants.createTenant({ slug: `fr-${Date.now()}`, name: 'Française', locale: 'fr' });
    await http.inject({ method: 'PUT', url: '/v1/custom-fields/ktWidget/shelf', headers: { 'x-tenant': french.slug }, payload: { type: 'text', labels: { en: 'Shelf', fr: 'Rayon' } } });
    expect(await labelOfShelf({ as: french })).toEqual(['fr', 'Rayon']);
    expect(await labelOfShelf({ as: french, headers: { 'accept-language': 'de' } })).toEqual(['de', 'Rayon']);
  });

  it('answers If-None-Match with 304 until something it describes changes', async () => {
    const first = await metadata();
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.vary).toContain('Accept-Language');
    const again = await metadata({ headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await metadata({ roles: 'viewer', headers: { 'if-none-match': etag } })).statusCode).toBe(200); // another principal, another body
    await http.inject({ method: 'PUT', url: '/v1/custom-fields/ktCategory/aisle', headers: { 'x-tenant': tenant.slug }, payload: { type: 'integer', labels: { en: 'Aisle' } } });
    const changed = await metadata({ headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('describes one entity, and answers an unknown one with 404 and an unreadable one with 403', async () => {
    const one = await metadata({ url: '/v1/metadata/ktWidget' });
    expect(one.statusCode).toBe(200);
    expect(one.json().entity).toEqual((await entitiesOf()).ktWidget);
    const unknown = await metadata({ url: '/v1/metadata/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('http.entity_not_found');
    const denied = await metadata({ url: '/v1/metadata/ktMemo', roles: 'member' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('access.denied');
    expect((await metadata({ url: '/v1/metadata?locale=not a locale' })).json().code).toBe('http.validation_failed');
    const anonymous = await http.inject({ method: 'GET', url: '/v1/metadata' });
    expect(anonymous.json().code).toBe('tenancy.tenant_required');
  });
});

describe('GET /v1/openapi.json', () => {
  const schemaTitled = (document: unknown, title: string): Record<string, any> | undefined => {
    if (document === null || typeof document !== 'object') return undefined;
    if ((document as { title?: unknown }).title === title && 'properties' in document) return document as Record<string, any>;
    for (const value of Object.values(document)) {
      const found = schemaTitled(value, title);
      if (found) return found;
    }
    return undefined;
  };

  it("spells out the tenant's custom fields in ext, required on create, and leaves other tenants' documents alone", async () => {
    const response = await metadata({ url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const create = schemaTitled(document, 'KtWidgetCreate')!.properties.ext;
    expect(create).toMatchObject({ type: 'object', required: ['shelf'], additionalProperties: false, properties: { shelf: { type: 'string', maxLength: 10, title: 'Shelf' } } });
    expect(schemaTitled(document, 'KtWidgetUpdate')!.properties.ext).toMatchObject({ additionalProperties: false, properties: { shelf: { type: ['string', 'null'] } } });
    expect(schemaTitled(document, 'KtWidget')!.properties.ext.properties.shelf.type).toEqual(['string', 'null']);
    expect(schemaTitled(document, 'KtCategoryCreate')!.properties.ext.properties?.shelf).toBeUndefined();

    const other = await t.createTenant();
    const plain = (await metadata({ url: '/v1/openapi.json', as: other })).json();
    expect(schemaTitled(plain, 'KtWidgetCreate')!.properties.ext.properties.shelf).toBeUndefined();
    expect(JSON.stringify(plain)).not.toContain('"title":"Shelf"');
  });

  it('revalidates with If-None-Match and needs a tenant', async () => {
    const first = await metadata({ url: '/v1/openapi.json' });
    const again = await metadata({ url: '/v1/openapi.json', headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect((await http.inject({ method: 'GET', url: '/v1/openapi.json' })).json().code).toBe('tenancy.tenant_required');
  });
});

describe('locale preference', () => {
  it('reads Accept-Language by weight, ignoring wildcards, zero weights and junk', () => {
    expect(parseAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5')).toEqual(['fr-ch', 'fr', 'en', 'de']);
    expect(parseAcceptLanguage('en;q=0.1, pt-BR;q=0.9, xx;q=0, bad tag, ;;;')).toEqual(['pt-br', 'en']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
  });

  it('puts an explicit locale before the header, and the tenant\'s locale after both', () => {
    expect(preferredLocales({ locale: 'it', acceptLanguage: 'fr', tenantLocale: 'de' })).toEqual(['it', 'de']);
    expect(preferredLocales({ acceptLanguage: 'fr, de', tenantLocale: 'de' })).toEqual(['fr', 'de']);
    expect(preferredLocales({})).toEqual([]);
  });
});
