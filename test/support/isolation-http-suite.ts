/**
 * Tenant isolation over HTTP, generated from the model registry: for every exposed tenant entity,
 * tenant B attacks tenant A's records with every route, filter, sort, count, cursor, body and
 * header the API accepts, and gets nothing of A's, not even the knowledge that a record exists.
 * After every test the owner connection confirms that A's rows are exactly as they were.
 * Defined once, run on two platforms: the real one (RLS and code filters) and one whose connection
 * is exempt from RLS (the code filters alone), so each layer of the defence is shown to hold.
 */
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kebabCase, type EntityDef } from '../../src/kernel/model/index.ts';
import type { ApiRecord } from '../../src/kernel/records/index.ts';
import { newId } from '../../src/kernel/shared/index.ts';
import { findTenantTables } from './isolation-catalog-checks.ts';
import { filterCasesFrom, listQueryArbitrary, listUrl, observable, requestAs, sortKeysOf } from './isolation-http.ts';
import { uniqueKeys, updatableInput, writableInput } from './isolation-samples.ts';
import { isolationRegistry, knownTenantEntities } from './isolation-setup.ts';
import { httpRecordWriter, liveIdsOf, rowCountsByTenant, seedIsolationWorld, snapshotTenantRows, twinValues, type IsolationWorld } from './isolation-world.ts';
import type { TestPlatform } from './platform.ts';
import { awaitSyncFence } from './sync-fence.ts';

type Request = ReturnType<typeof requestAs>;
type KnownIds = { a: Set<string>; b: Set<string> };

const exposedTenantEntities = isolationRegistry.entities.filter((entity) => entity.scope === 'tenant' && entity.expose);

interface SuiteContext {
  platform(): TestPlatform;
  world(): IsolationWorld;
  owner(): Kysely<any>;
  asA: Request;
  asB: Request;
  /** A test that writes A's rows on purpose (as A) makes that state the baseline of its attack. */
  acceptChangesOfA(): Promise<void>;
}

/**
 * Registers the whole HTTP isolation suite (hooks included) on the platform `start` composes, and
 * returns an accessor to that platform for tests the calling file adds.
 */
export function defineHttpIsolationSuite(start: () => Promise<TestPlatform>): () => TestPlatform {
  let t: TestPlatform;
  let world: IsolationWorld;
  let tenantTables: string[];
  let baselineOfA: Record<string, string[]>;
  const ctx: SuiteContext = {
    platform: () => t,
    world: () => world,
    owner: () => t.database.owner.db,
    asA: (...args) => requestAs(t.platform, world.a)(...args),
    asB: (...args) => requestAs(t.platform, world.b)(...args),
    async acceptChangesOfA() {
      baselineOfA = await snapshotTenantRows(ctx.owner(), world.a.id, tenantTables);
    },
  };

  beforeAll(async () => {
    t = await start();
    world = await seedIsolationWorld({
      registry: t.platform.registry,
      owner: ctx.owner(),
      writer: httpRecordWriter(t.platform),
      createTenant: (slug) => t.platform.tenants.createTenant({ slug, name: `Isolation ${slug}` }),
    });
    tenantTables = await findTenantTables(ctx.owner());
  });
  afterAll(() => t?.close());
  beforeEach(() => ctx.acceptChangesOfA());
  afterEach(async () => {
    expect(await snapshotTenantRows(ctx.owner(), world.a.id, tenantTables), "tenant A's rows changed").toEqual(baselineOfA);
  });

  describe('the isolation suite', () => {
    it('iterates over the registry the platform composes', () => {
      expect(isolationRegistry.entities.map((entity) => entity.name).sort()).toEqual(t.platform.registry.entities.map((entity) => entity.name).sort());
    });

    it('covers at least ktWidget, ktCategory, product and outlet', () => {
      expect(exposedTenantEntities.map((entity) => entity.name)).toEqual(expect.arrayContaining([...knownTenantEntities]));
      for (const name of knownTenantEntities) expect(world.records.get(name)?.a.live.length).toBeGreaterThanOrEqual(2);
    });
  });

  describe.each(exposedTenantEntities)('$plural', (declared) => {
    defineReadAttacks(ctx, declared);
    defineWriteAttacks(ctx, declared);
  });
  defineSyncAttacks(ctx);
  return () => t;
}

const syncedEntities = isolationRegistry.entities.filter((entity) => entity.sync);
const syncUser = newId();

/** Offline sync: every synced entity of the registry, pulled and pushed by tenant B. */
function defineSyncAttacks(ctx: SuiteContext): void {
  const asUser = { 'x-dev-user': syncUser };
  const pullAll = async (request: Request, cursor?: string) => {
    for (const tenant of [ctx.world().a, ctx.world().b]) await awaitSyncFence(ctx.owner(), tenant.id);
    const ids = new Map<string, string[]>();
    let next = cursor;
    for (let page = 0; page < 100; page++) {
      const response = await request('POST', '/v1/sync/pull', { body: { limit: 7, ...(next ? { cursor: next } : {}) }, headers: asUser });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { changes: Record<string, { upserts: ApiRecord[]; deletes: string[] }>; cursor: string; hasMore: boolean };
      for (const [name, changes] of Object.entries(body.changes)) ids.set(name, [...(ids.get(name) ?? []), ...changes.upserts.map((record) => record.id), ...changes.deletes]);
      next = body.cursor;
      if (!body.hasMore) return { ids, cursor: next };
    }
    throw new Error('pull never ended');
  };

  describe('ingestion', () => {
    /** An identity spec of the entity: each writable field from the NDJSON property of its name, the key from `id`. */
    const identitySpec = (entity: EntityDef, name: string) => ({
      specVersion: 1,
      name,
      entity: entity.name,
      system: 'ISOLATION',
      source: { format: 'ndjson' },
      key: { from: 'id' },
      fields: Object.fromEntries(Object.entries(entity.fields).filter(([name, def]) => !def.readOnly && name !== entity.states?.field).map(([name]) => [name, { from: name }])),
    });
    const upload = async (as: Request, entity: EntityDef, lines: unknown[], name = `iso-${kebabCase(entity.name)}`) => {
      const saved = await as('PUT', `/v1/ingest/specs/${name}`, { body: identitySpec(entity, name) });
      expect([200, 201], saved.body).toContain(saved.statusCode);
      const body = lines.map((line) => JSON.stringify(line)).join('\n');
      const response = await as('POST', `/v1/ingest/runs?spec=${name}&mode=full`, { body, headers: { 'content-type': 'application/x-ndjson' } });
      expect(response.statusCode, response.body).toBe(202);
      return response.json() as { id: string };
    };

    for (const declared of exposedTenantEntities) {
      it(`tenant B's full load of tenant A's ${declared.plural} (A's ids as keys, A's tenant id in every column) writes only into B`, async () => {
        const { a, b } = ctx.world();
        const ofA = ctx.world().records.get(declared.name)!.a.live.map((record) => ({ ...record, tenantId: a.id, tenant_id: a.id }));
        const run = await upload(ctx.asB, declared, ofA);
        const done = await ctx.platform().platform.ingest.executeRun({ tenantId: b.id }, run.id).catch((error: unknown) => ctx.platform().platform.ingest.getRun({ tenantId: b.id }, run.id).then((failed) => ({ ...failed, thrown: error })));
        expect(['succeeded', 'failed']).toContain(done.status);
        if (done.status === 'succeeded') expect(done.counts.created + done.counts.merged + done.counts.rejected).toBe(ofA.length);
        // What B loaded is B's: none of A's ids became B's records.
        const listed = await ctx.asB('GET', listUrl(declared, { limit: '200' }));
        const idsOfB = new Set((listed.json().data as ApiRecord[]).map((record) => record.id));
        for (const record of ofA) expect(idsOfB.has(record.id)).toBe(false);
      });
    }

    it("tenant B cannot see tenant A's specs, runs, rejects or cases", async () => {
      const entity = exposedTenantEntities[0]!;
      const run = await upload(ctx.asA, entity, [{ id: 'not-a-record' }], 'iso-only-in-a');
      await ctx.acceptChangesOfA();
      for (const url of [`/v1/ingest/runs/${run.id}`, `/v1/ingest/runs/${run.id}/rejects`, `/v1/ingest/runs/${run.id}/changes`, '/v1/ingest/specs/iso-only-in-a']) {
        const response = await ctx.asB('GET', url);
        expect(response.statusCode, url).toBe(404);
      }
      const runsOfB = (await ctx.asB('GET', '/v1/ingest/runs')).json().data as { id: string }[];
      expect(runsOfB.map((entry) => entry.id)).not.toContain(run.id);
    });
  });

  describe('offline sync', () => {
    it('syncs at least ktWidget, ktTicket, product and outlet', () => {
      expect(syncedEntities.map((entity) => entity.name)).toEqual(expect.arrayContaining(['ktWidget', 'ktTicket', 'product', 'outlet']));
    });

    it("tenant B's first and later pulls carry only B's records of every synced entity", async () => {
      const first = await pullAll(ctx.asB);
      // Tenant A writes after B's cursor: B's next pull must not carry it.
      const { entity, values } = (() => {
        const target = syncedEntities.find((candidate) => ctx.world().records.get(candidate.name))!;
        return { entity: target, values: writableInput(target, ctx.world().samples.records(target, ctx.world().a.id, 1, ctx.world().referencePool('a'))[0]!) };
      })();
      const created = await ctx.asA('POST', `/v1/${entity.path}`, { body: values });
      expect(created.statusCode, created.body).toBe(201);
      await ctx.acceptChangesOfA();
      const later = await pullAll(ctx.asB, first.cursor);
      for (const synced of syncedEntities) {
        // Ids are unique per tenant (B may hold one of A's ids for a record of its own): B's rows are what count.
        const ofB = await sql<{ id: string }>`select id from ${sql.table(synced.table)} where tenant_id = ${ctx.world().b.id}`.execute(ctx.owner());
        const known = new Set(ofB.rows.map((row) => row.id));
        const ids = first.ids.get(synced.name) ?? [];
        expect(ids.filter((id) => !known.has(id)), `${synced.name}: ids that are not tenant B's`).toEqual([]);
        expect(ids.length, `${synced.name}: B's own records arrive`).toBeGreaterThan(0);
        expect((later.ids.get(synced.name) ?? []).filter((id) => !known.has(id)), `${synced.name}: later ids that are not tenant B's`).toEqual([]);
      }
      expect(later.ids.get(entity.name) ?? []).not.toContain(created.json().id);
    });

    it("tenant A's cursor is refused for tenant B, and B's for A", async () => {
      const ofA = await pullAll(ctx.asA);
      const ofB = await pullAll(ctx.asB);
      for (const [request, cursor] of [[ctx.asB, ofA.cursor], [ctx.asA, ofB.cursor]] as const) {
        const response = await request('POST', '/v1/sync/pull', { body: { cursor }, headers: asUser });
        expect(response.statusCode).toBe(400);
        expect(response.json().code).toBe('sync.invalid_cursor');
      }
    });

    it("tenant B's pushed mutations of tenant A's records answer as for unknown ids and change nothing of A's", async () => {
      let mutationId = 0;
      const clientId = newId();
      for (const entity of syncedEntities) {
        const data = ctx.world().records.get(entity.name);
        if (!data) continue;
        const actions = ctx.platform().platform.records.actionsOf(entity);
        for (const victim of [...data.a.live, ...data.a.deleted]) {
          const attempts = (recordId: string) => [
            { entity: entity.name, op: 'update', recordId, baseVersion: victim.version, data: {} },
            { entity: entity.name, op: 'delete', recordId, baseVersion: victim.version },
            ...actions.map((runnable) => ({ entity: entity.name, op: 'action', recordId, action: runnable.action, input: (runnable.input as { examples?: unknown[] } | undefined)?.examples?.[0] ?? {} })),
          ];
          const victimAttempts = attempts(victim.id);
          const controlAttempts = attempts(newId());
          const mutations = [...victimAttempts, ...controlAttempts].map((mutation) => ({ ...mutation, id: ++mutationId }));
          const response = await ctx.asB('POST', '/v1/sync/push', { body: { clientId, mutations }, headers: asUser });
          expect(response.statusCode, response.body).toBe(200);
          const results = (response.json() as { results: { status: string; problem?: { code: string }; serverRecord?: unknown }[] }).results;
          const seen = (result: (typeof results)[number]) => [result.status, result.problem?.code, result.serverRecord === undefined];
          const half = victimAttempts.length;
          expect(results.slice(0, half).map(seen), `${entity.name} ${victim.id}`).toEqual(results.slice(half).map(seen));
          expect(results.filter((result) => result.status === 'applied' && results.indexOf(result) < half)).toEqual([]);
        }
      }
    });
  });
}

/** Every id of a list, following cursors; fails on anything but 200. */
async function listIds(request: Request, entity: EntityDef, parameters: Record<string, string>): Promise<{ ids: string[]; total?: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let total: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const response = await request('GET', listUrl(entity, { ...parameters, ...(cursor ? { cursor } : {}) }));
    expect(response.statusCode, `${listUrl(entity, parameters)}: ${response.body}`).toBe(200);
    const page = response.json() as { data: ApiRecord[]; nextCursor: string | null; total?: number };
    ids.push(...page.data.map((record) => record.id));
    total ??= page.total;
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { ids, ...(total === undefined ? {} : { total }) };
}

/** All of A's ids (deleted too) and B's live ids, read with the owner connection. */
async function knownIds(ctx: SuiteContext, entity: EntityDef): Promise<KnownIds> {
  const allOfA = await sql<{ id: string }>`select id from ${sql.table(entity.table)} where tenant_id = ${ctx.world().a.id}`.execute(ctx.owner());
  return { a: new Set(allOfA.rows.map((row) => row.id)), b: await liveIdsOf(ctx.owner(), entity, ctx.world().b.id) };
}

function expectOnlyB(ids: readonly string[], known: KnownIds, context: string): void {
  expect(ids.filter((id) => known.a.has(id)), `${context}: ids of tenant A`).toEqual([]);
  expect(ids.filter((id) => !known.b.has(id)), `${context}: ids that are not tenant B's live records`).toEqual([]);
  expect(new Set(ids).size, `${context}: duplicates`).toBe(ids.length);
}

/** References to tenant records a client may write (read-only ones are the server's: orderLine.promotion). */
const tenantReferencesOf = (entity: EntityDef) =>
  Object.entries(entity.fields).filter(([, def]) => def.kind === 'reference' && !def.readOnly && isolationRegistry.get(def.entity!).scope === 'tenant');

function entityHelpers(ctx: SuiteContext, declared: EntityDef) {
  const entity = () => ctx.platform().platform.registry.get(declared.name);
  const data = () => ctx.world().records.get(declared.name)!;
  return {
    entity,
    data,
    /** A's records, live and soft-deleted. */
    victims: () => [...data().a.live, ...data().a.deleted],
    /** A fresh, valid create body for tenant B (unique values unused in B). */
    freshBodyForB: () => writableInput(entity(), ctx.world().samples.records(entity(), ctx.world().b.id, 1, ctx.world().referencePool('b'))[0]!),
    /** A fresh body for A, and its copy for B (references remapped), whose unique values B has not used. */
    freshPair: () => {
      const world = ctx.world();
      for (let attempt = 0; attempt < 20; attempt++) {
        const values = world.samples.records(entity(), world.a.id, 1, world.referencePool('a'))[0]!;
        const twin = twinValues(world, entity(), values);
        if (world.samples.claim(entity(), world.b.id, twin)) return { forA: writableInput(entity(), values), forB: writableInput(entity(), twin) };
      }
      throw new Error(`no fresh ${declared.name} pair`);
    },
  };
}

function defineReadAttacks(ctx: SuiteContext, declared: EntityDef): void {
  const { entity, data, victims } = entityHelpers(ctx, declared);
  const { asA, asB } = ctx;

  it(`tenant B lists and counts only its own ${declared.plural}`, async () => {
    const known = await knownIds(ctx, entity());
    for (const parameters of [{ includeTotal: 'true' }, { includeTotal: 'true', limit: '1' }, { fields: 'id', includeTotal: 'true' }] as Record<string, string>[]) {
      const { ids, total } = await listIds(asB, entity(), parameters);
      expectOnlyB(ids, known, JSON.stringify(parameters));
      expect(new Set(ids)).toEqual(known.b);
      expect(total).toBe(known.b.size);
    }
  });

  it(`tenant B cannot read tenant A's ${declared.plural} by id`, async () => {
    for (const victim of victims()) {
      const conditional = [`"${victim.version}"`, `W/"${victim.version}"`, '*'].map((tag) => ['', { 'if-none-match': tag }] as const);
      for (const [suffix, headers] of [['', {}], ['?fields=id', {}], ...conditional] as const) {
        const attack = await asB('GET', `/v1/${declared.path}/${victim.id}${suffix}`, { headers });
        const control = await asB('GET', `/v1/${declared.path}/${newId()}${suffix}`, { headers });
        expect(attack.statusCode).toBe(404);
        expect(attack.json().code).toBe('records.not_found');
        expect(observable(attack)).toEqual(observable(control));
      }
    }
  });

  it(`tenant B cannot filter its way to tenant A's ${declared.plural} (every filterable field, every operator, A's values)`, async () => {
    const known = await knownIds(ctx, entity());
    const { cases, uncovered } = filterCasesFrom(entity(), data().a.live);
    expect(uncovered, 'filters without a value of A to try').toEqual([]);
    const tenantReferences = new Set(tenantReferencesOf(entity()).map(([property]) => property));
    for (const filter of cases) {
      const context = `${filter.parameter}=${filter.value}`;
      const parameters = { [filter.parameter]: filter.value, includeTotal: 'true', limit: '200' };
      const seenByA = await listIds(asA, entity(), parameters);
      if (filter.matches) expect(seenByA.ids, `A's own ${context}`).toContain(filter.matches);
      const seenByB = await listIds(asB, entity(), parameters);
      expectOnlyB(seenByB.ids, known, context);
      expect(seenByB.total, `${context}: total`).toBe(seenByB.ids.length);
      if (filter.property === 'createdAt' || filter.property === 'updatedAt') continue;
      // B's twins carry A's values: B finds its own copies where A finds the originals.
      const twins = seenByA.ids.map((id) => data().twinOf.get(id)).filter((id): id is string => id !== undefined && known.b.has(id));
      if (tenantReferences.has(filter.property)) expect(seenByB.ids, `${context}: B has no row pointing at A's records`).toEqual([]);
      else expect(seenByB.ids, `${context}: B's twins`).toEqual(expect.arrayContaining(twins));
    }
  });

  it(`tenant B cannot filter, sort or select ${declared.plural} by tenant`, async () => {
    const tenantId = ctx.world().a.id;
    const attempts: Record<string, string>[] = [{ tenantId }, { tenant_id: tenantId }, { 'tenantId[in]': tenantId }, { sort: 'tenantId' }, { sort: 'tenant_id' }, { fields: 'tenantId' }, { fields: 'tenant_id' }];
    for (const parameters of attempts) {
      const response = await asB('GET', listUrl(entity(), parameters));
      expect(response.statusCode, JSON.stringify(parameters)).toBe(400);
      expect(response.json().data).toBeUndefined();
    }
  });

  it(`tenant B cannot sort its way to tenant A's ${declared.plural} (every sortable field, both directions)`, async () => {
    const known = await knownIds(ctx, entity());
    for (const sort of sortKeysOf(entity()).flatMap((key) => [key, `-${key}`])) {
      const whole = await listIds(asB, entity(), { sort, includeTotal: 'true', limit: '200' });
      expectOnlyB(whole.ids, known, `sort=${sort}`);
      expect(new Set(whole.ids)).toEqual(known.b);
      expect(whole.total).toBe(known.b.size);
      const paged = await listIds(asB, entity(), { sort, limit: '2' });
      expectOnlyB(paged.ids, known, `sort=${sort}, paged`);
      expect(new Set(paged.ids)).toEqual(known.b);
    }
  });

  it(`tenant B cannot page into tenant A's ${declared.plural} with A's cursor`, async () => {
    const known = await knownIds(ctx, entity());
    for (const sort of sortKeysOf(entity()).flatMap((key) => [key, `-${key}`])) {
      const first = await asA('GET', listUrl(entity(), { sort, limit: '1' }));
      const cursor = (first.json() as { nextCursor: string | null }).nextCursor;
      expect(cursor, `A has more than one ${declared.name}`).toBeTruthy();
      const response = await asB('GET', listUrl(entity(), { sort, limit: '200', cursor: cursor! }));
      if (response.statusCode === 400) {
        expect(response.json().code).toBe('records.invalid_cursor');
        continue;
      }
      expect(response.statusCode).toBe(200);
      expectOnlyB((response.json() as { data: ApiRecord[] }).data.map((record) => record.id), known, `cursor of A, sort=${sort}`);
    }
  });

  it(`for generated filters, sorts and page sizes, tenant B sees only its own ${declared.plural}`, async () => {
    const known = await knownIds(ctx, entity());
    const world = ctx.world();
    const pool = (name: string) => {
      const target = world.records.get(name);
      return target ? [...target.a.live, ...target.b.live].map((record) => record.id) : (world.globals.get(name) ?? []);
    };
    await fc.assert(
      fc.asyncProperty(listQueryArbitrary(entity(), victims(), pool), async (query) => {
        const parameters: Record<string, string> = { limit: String(query.limit), includeTotal: 'true' };
        if (query.sort) parameters.sort = query.sort;
        if (query.filter) parameters[query.filter[0]] = query.filter[1];
        const { ids, total } = await listIds(asB, entity(), parameters);
        expectOnlyB(ids, known, JSON.stringify(parameters));
        expect(total).toBe(ids.length);
      }),
      { seed: 4242, numRuns: 25 },
    );
  });
}

function defineWriteAttacks(ctx: SuiteContext, declared: EntityDef): void {
  const { entity, data, victims, freshBodyForB, freshPair } = entityHelpers(ctx, declared);
  const { asA, asB } = ctx;
  const base = `/v1/${declared.path}`;

  /** Every If-Match a client may send for a record: A's version, a stale one, weak, any (*) and none. */
  const ifMatchVariants = (version: number): Record<string, string>[] =>
    [`"${version}"`, `"${version + 1}"`, `W/"${version}"`, '*', undefined].map((tag): Record<string, string> => (tag === undefined ? {} : { 'if-match': tag }));

  it(`tenant B cannot update tenant A's ${declared.plural}, even with A's current version`, async () => {
    for (const victim of victims()) {
      const body = updatableInput(entity(), freshBodyForB());
      for (const headers of ifMatchVariants(victim.version!)) {
        const attack = await asB('PATCH', `${base}/${victim.id}`, { body, headers });
        const control = await asB('PATCH', `${base}/${newId()}`, { body, headers });
        expect(attack.statusCode, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
        if (headers['if-match'] === `"${victim.version}"`) expect(attack.statusCode).toBe(404);
        expect(observable(attack), JSON.stringify(headers)).toEqual(observable(control));
      }
    }
  });

  it(`tenant B cannot delete tenant A's ${declared.plural}`, async () => {
    for (const victim of victims()) {
      for (const headers of ifMatchVariants(victim.version!)) {
        const attack = await asB('DELETE', `${base}/${victim.id}`, { headers });
        const control = await asB('DELETE', `${base}/${newId()}`, { headers });
        expect(attack.statusCode, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
        if (headers['if-match'] === undefined || headers['if-match'] === `"${victim.version}"`) expect(attack.statusCode).toBe(404);
        expect(observable(attack), JSON.stringify(headers)).toEqual(observable(control));
      }
    }
  });

  it(`tenant B cannot run the custom actions of tenant A's ${declared.plural}`, async () => {
    const runnable = ctx.platform().platform.records.actionsOf(entity());
    for (const { action, input } of runnable) {
      // The documented example input, so that the attack gets past validation to the record lookup.
      const body = ((input as { examples?: unknown[] } | undefined)?.examples?.[0] ?? {}) as object;
      for (const victim of victims()) {
        for (const headers of ifMatchVariants(victim.version!)) {
          const attack = await asB('POST', `${base}/${victim.id}/${kebabCase(action)}`, { body, headers });
          const control = await asB('POST', `${base}/${newId()}/${kebabCase(action)}`, { body, headers });
          expect(attack.statusCode, `${action} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(400);
          expect(observable(attack), `${action} ${JSON.stringify(headers)}`).toEqual(observable(control));
        }
      }
    }
  });

  it(`tenant B cannot create a ${declared.name} carrying tenant A's tenant_id, nor move one of its own to A`, async () => {
    const { a, b } = ctx.world();
    const before = await rowCountsByTenant(ctx.owner(), entity().table);
    const own = data().b.live[0]!;
    for (const key of ['tenantId', 'tenant_id']) {
      const response = await asB('POST', base, { body: { ...freshBodyForB(), [key]: a.id } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'http.validation_failed', errors: expect.arrayContaining([expect.objectContaining({ pointer: `/${key}` })]) });
      const moved = await asB('PATCH', `${base}/${own.id}`, { body: { [key]: a.id }, headers: { 'if-match': `"${own.version}"` } });
      expect(moved.statusCode).toBe(400);
    }
    expect(await rowCountsByTenant(ctx.owner(), entity().table)).toEqual(before);
    const stillB = await sql<{ tenant_id: string; version: number }>`select tenant_id, version from ${sql.table(entity().table)} where id = ${own.id}`.execute(ctx.owner());
    expect(stillB.rows).toEqual([{ tenant_id: b.id, version: own.version }]);
  });

  const tenantReferences = tenantReferencesOf(declared);
  if (tenantReferences.length > 0) {
    it(`tenant B cannot point a ${declared.name} at tenant A's records (answered as for a missing record)`, async () => {
      const before = await rowCountsByTenant(ctx.owner(), entity().table);
      const own = data().b.live[data().b.live.length - 1]!;
      const headers = { 'if-match': `"${own.version}"` };
      for (const [property, def] of tenantReferences) {
        for (const target of ctx.world().records.get(def.entity!)!.a.live) {
          const body = freshBodyForB();
          const attack = await asB('POST', base, { body: { ...body, [property]: target.id } });
          const control = await asB('POST', base, { body: { ...body, [property]: newId() } });
          expect(attack.statusCode, `${property}: ${attack.body}`).toBe(422);
          expect(attack.json().code).toBe('records.reference_not_found');
          expect(observable(attack)).toEqual(observable(control));
          const patchAttack = await asB('PATCH', `${base}/${own.id}`, { body: { [property]: target.id }, headers });
          const patchControl = await asB('PATCH', `${base}/${own.id}`, { body: { [property]: newId() }, headers });
          expect(patchAttack.statusCode).toBe(422);
          expect(observable(patchAttack)).toEqual(observable(patchControl));
        }
      }
      expect(await rowCountsByTenant(ctx.owner(), entity().table)).toEqual(before);
    });
  }

  if (uniqueKeys(declared).length > 0) {
    it(`tenant B can create a ${declared.name} with the unique values of one of tenant A's, without a conflict`, async () => {
      const pair = freshPair();
      const original = await asA('POST', base, { body: pair.forA });
      expect(original.statusCode).toBe(201);
      await ctx.acceptChangesOfA();
      const copy = await asB('POST', base, { body: pair.forB });
      expect(copy.statusCode, copy.body).toBe(201);
      expect(copy.json().id).not.toBe(original.json().id);
      // The constraint is real: the same values again conflict, with B's own copy.
      const again = await asB('POST', base, { body: pair.forB });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('records.unique_violation');
    });
  }

  it(`tenant B's Idempotency-Key never replays tenant A's ${declared.name} and never reports A's use of it`, async () => {
    const key = `iso-${declared.name}-${newId()}`;
    const otherKey = `iso-other-${declared.name}-${newId()}`;
    const bodyOfA = freshPair().forA;
    const first = await asA('POST', base, { body: bodyOfA, headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    expect((await asA('POST', base, { body: freshPair().forA, headers: { 'idempotency-key': otherKey } })).statusCode).toBe(201);
    await ctx.acceptChangesOfA();

    const sameBody = await asB('POST', base, { body: bodyOfA, headers: { 'idempotency-key': key } });
    expect(sameBody.headers['idempotent-replayed']).toBeUndefined();
    expect(sameBody.body).not.toContain(first.json().id);
    expect([201, 422]).toContain(sameBody.statusCode); // 422 when A's body points at A's records
    const otherBody = await asB('POST', base, { body: freshPair().forB, headers: { 'idempotency-key': otherKey } });
    expect(otherBody.statusCode, otherBody.body).toBe(201);
    expect(otherBody.headers['idempotent-replayed']).toBeUndefined();
  });

  it(`tenant B creating a ${declared.name} with the id of one of tenant A's answers as with an unused id`, async () => {
    const original = await asA('POST', base, { body: freshPair().forA });
    expect(original.statusCode).toBe(201);
    await ctx.acceptChangesOfA();
    const victimId = original.json().id as string;
    const attack = await asB('POST', base, { body: { ...freshBodyForB(), id: victimId } });
    const control = await asB('POST', base, { body: { ...freshBodyForB(), id: newId() } });
    expect(attack.statusCode, attack.body).toBe(control.statusCode);
    if (attack.statusCode !== 201) expect(observable(attack)).toEqual(observable(control));
    else {
      // B's record with that id is B's own; removing it leaves A's untouched (checked after the test).
      expect((await asB('DELETE', `${base}/${victimId}`)).statusCode).toBe(204);
      expect((await asA('GET', `${base}/${victimId}`)).statusCode).toBe(200);
    }
  });
}
