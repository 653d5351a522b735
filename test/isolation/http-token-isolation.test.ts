/**
 * Tenant isolation with real credentials: two tenants signed up and logged in over HTTP, their data
 * written with their own access tokens, and tenant B attacking tenant A's records (list, get,
 * update, delete, filters with A's values) with a Bearer access token and with an API key, no
 * development header anywhere. A representative subset of the full suite (isolation-http-suite.ts),
 * which covers every route and query shape with the development header.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntityDef } from '../../src/kernel/model/index.ts';
import type { ApiRecord } from '../../src/kernel/records/index.ts';
import { newId } from '../../src/kernel/shared/index.ts';
import { findTenantTables } from '../support/isolation-catalog-checks.ts';
import { filterCasesFrom, listUrl, observable, type Method } from '../support/isolation-http.ts';
import { isolationRegistry } from '../support/isolation-setup.ts';
import { updatableInput } from '../support/isolation-samples.ts';
import { liveIdsOf, seedIsolationWorld, serviceRecordWriter, snapshotTenantRows, type IsolationTenant, type IsolationWorld, type RecordWriter } from '../support/isolation-world.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const exposed = isolationRegistry.entities.filter((entity) => entity.scope === 'tenant' && entity.expose);
const password = 'violet-otter-marmalade-71';

let t: TestPlatform;
let world: IsolationWorld;
let tables: string[];
let baseline: Record<string, string[]>;
/** Authorization header values per tenant: an owner's access token and an admin API key. */
const credentials = new Map<string, { token: string; apiKey: string }>();

async function signUpAndLogIn(slug: string): Promise<IsolationTenant> {
  const email = `${slug}-owner@example.com`;
  const signUp = await t.platform.http.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { email, password, name: 'Owner', tenant: { slug, name: slug } } });
  expect(signUp.statusCode).toBe(202);
  const login = await t.platform.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, tenant: slug } });
  expect(login.statusCode, login.body).toBe(200);
  const { accessToken, tenantId } = login.json() as { accessToken: string; tenantId: string };
  const key = await t.platform.http.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: `Bearer ${accessToken}` }, payload: { name: 'Attacker integration', role: 'admin' } });
  expect(key.statusCode, key.body).toBe(201);
  credentials.set(tenantId, { token: accessToken, apiKey: key.json().key });
  return { id: tenantId, slug };
}

const send = (authorization: string, method: Method, url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
  t.platform.http.inject({ method, url, headers: { authorization: `Bearer ${authorization}`, ...options.headers }, ...(options.body === undefined ? {} : { payload: options.body as object }) });

/** Writes through the REST routes with the tenant's own access token (the record service for entities not exposed). */
function tokenRecordWriter(): RecordWriter {
  const service = serviceRecordWriter(t.platform.records);
  const call = async (tenant: IsolationTenant, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await send(credentials.get(tenant.id)!.token, method, url, { body, headers });
    if (response.statusCode >= 300) throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.statusCode === 204 ? undefined : (response.json() as ApiRecord);
  };
  return {
    create: (tenant, entity, input, key) => (entity.expose ? call(tenant, 'POST', `/v1/${entity.path}`, input, key ? { 'idempotency-key': key } : {}).then((record) => record!) : service.create(tenant, entity, input, key)),
    get: (tenant, entity, id) => (entity.expose ? call(tenant, 'GET', `/v1/${entity.path}/${id}`).then((record) => record!) : service.get(tenant, entity, id)),
    remove: async (tenant, entity, id) => void (entity.expose ? await call(tenant, 'DELETE', `/v1/${entity.path}/${id}`) : await service.remove(tenant, entity, id)),
  };
}

beforeAll(async () => {
  t = await startTestPlatform({ TENANT_DEV_HEADER: false, AUTH_RATE_LIMIT_MAX: 1000 });
  world = await seedIsolationWorld({ registry: t.platform.registry, owner: t.database.owner.db, writer: tokenRecordWriter(), createTenant: signUpAndLogIn });
  tables = await findTenantTables(t.database.owner.db);
});
afterAll(() => t?.close());
beforeEach(async () => {
  baseline = await snapshotTenantRows(t.database.owner.db, world.a.id, tables);
});
afterEach(async () => {
  expect(await snapshotTenantRows(t.database.owner.db, world.a.id, tables), "tenant A's rows changed").toEqual(baseline);
});

async function allIds(authorization: string, entity: EntityDef, parameters: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const response = await send(authorization, 'GET', listUrl(entity, { ...parameters, ...(cursor ? { cursor } : {}) }));
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { data: ApiRecord[]; nextCursor: string | null };
    ids.push(...page.data.map((record) => record.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

describe.each([
  ['an access token', 'token'],
  ['an API key', 'apiKey'],
] as const)('tenant B attacking with %s', (_label, kind) => {
  const attacker = () => credentials.get(world.b.id)![kind];

  it('really authenticates as tenant B (no development header is accepted here)', async () => {
    const dev = await t.platform.http.inject({ method: 'GET', url: '/v1/products', headers: { 'x-tenant': world.a.slug } });
    expect(dev.statusCode).toBe(401);
    expect((await send(attacker(), 'GET', '/v1/products')).statusCode).toBe(200);
  });

  describe.each(exposed)('$plural', (entity) => {
    const victims = () => {
      const records = world.records.get(entity.name)!;
      return [...records.a.live, ...records.a.deleted];
    };

    it('lists only B\'s records, and filters with A\'s values find none of A\'s', async () => {
      const ownIds = await liveIdsOf(t.database.owner.db, entity, world.b.id);
      const all = await allIds(attacker(), entity, { limit: '2' });
      expect(new Set(all)).toEqual(ownIds);
      const ofA = new Set(victims().map((record) => record.id));
      const { cases } = filterCasesFrom(entity, world.records.get(entity.name)!.a.live);
      for (const filter of cases.slice(0, 40)) {
        const ids = await allIds(attacker(), entity, { [filter.parameter]: filter.value, limit: '200' });
        expect(ids.filter((id) => ofA.has(id)), `${filter.parameter}=${filter.value}`).toEqual([]);
      }
    });

    it('gets, updates and deletes none of A\'s records: each answers like a random id', async () => {
      for (const victim of victims()) {
        // A valid body (A's own values), so the answer is about the id, not the body.
        const body = updatableInput(entity, world.records.get(entity.name)!.valuesOf.get(victim.id)!);
        for (const [method, headers, payload] of [
          ['GET', {}, undefined],
          ['PATCH', { 'if-match': '*' }, body],
          ['PATCH', { 'if-match': `"${victim.version}"` }, body],
          ['DELETE', {}, undefined],
          ['DELETE', { 'if-match': `"${victim.version}"` }, undefined],
        ] as const) {
          const attack = await send(attacker(), method, `/v1/${entity.path}/${victim.id}`, { headers, body: payload });
          const control = await send(attacker(), method, `/v1/${entity.path}/${newId()}`, { headers, body: payload });
          expect(attack.statusCode, `${method} ${victim.id}`).toBe(404);
          expect(observable(attack)).toEqual(observable(control));
        }
      }
    });
  });

  it("cannot reach A's audit log, members or API keys", async () => {
    const events = (await send(attacker(), 'GET', '/v1/audit-events?limit=200')).json().data as { recordId: string | null }[];
    const ofA = new Set(exposed.flatMap((entity) => world.records.get(entity.name)!.a.live.map((record) => record.id)));
    expect(events.filter((event) => event.recordId !== null && ofA.has(event.recordId))).toEqual([]);
    if (kind === 'token') {
      const members = (await send(attacker(), 'GET', '/v1/members')).json().items as { userId: string }[];
      const ofTenantA = await sql<{ user_id: string }>`select user_id from identity_memberships where tenant_id = ${world.a.id}`.execute(t.database.owner.db);
      expect(members.filter((member) => ofTenantA.rows.some((row) => row.user_id === member.userId))).toEqual([]);
      const keyOfA = await sql<{ id: string }>`select id from identity_api_keys where tenant_id = ${world.a.id} limit 1`.execute(t.database.owner.db);
      expect((await send(attacker(), 'DELETE', `/v1/api-keys/${keyOfA.rows[0]!.id}`)).json().code).toBe('identity.api_key_not_found');
    }
  });

  it("cannot use A's API key id with B's secret, nor B's key against A", async () => {
    const [, , , secretOfB] = /^tnt_([0-9a-f]{32})_([0-9a-f]{32})_(.+)$/.exec(credentials.get(world.b.id)!.apiKey)!;
    const [, tenantOfA, keyOfA] = /^tnt_([0-9a-f]{32})_([0-9a-f]{32})_(.+)$/.exec(credentials.get(world.a.id)!.apiKey)!;
    const forged = await send(`tnt_${tenantOfA}_${keyOfA}_${secretOfB}`, 'GET', '/v1/products');
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('identity.invalid_token');
  });
});
