import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { awaitSyncFence } from '../../../test/support/sync-fence.ts';

let t: TestPlatform;
let tenant: string;
let tenantId: string;

beforeAll(async () => {
  t = await startTestPlatform();
  const created = await t.createTenant('sync-pull');
  tenant = created.slug;
  tenantId = created.id;
});
afterAll(() => t.close());

type Headers = Record<string, string>;
const manager = (territories: string[], user = managerId): Headers => ({ 'x-dev-roles': 'manager', 'x-dev-user': user, 'x-dev-attributes': JSON.stringify({ territories }) });
const managerId = randomUUID();

const call = (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Headers = {}) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });

interface Pulled {
  changes: Record<string, { upserts: { id: string; version: number; territory?: string; name?: string }[]; deletes: string[] }>;
  cursor: string;
  hasMore: boolean;
  reset: boolean;
}

async function pull(headers: Headers, body: Record<string, unknown> = {}): Promise<Pulled> {
  const response = await call('POST', '/v1/sync/pull', body, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Pulled;
}

/** Pulls until hasMore is false; returns every page. */
async function pullAll(headers: Headers, cursor?: string, body: Record<string, unknown> = {}): Promise<Pulled[]> {
  await awaitSyncFence(t.database.owner.db, tenantId);
  const pages: Pulled[] = [];
  let next = cursor;
  for (let round = 0; round < 200; round++) {
    const page = await pull(headers, { ...body, ...(next ? { cursor: next } : {}) });
    pages.push(page);
    next = page.cursor;
    if (!page.hasMore) return pages;
  }
  throw new Error('pull never ended');
}

const widgetIds = (pages: Pulled[]) => pages.flatMap((page) => page.changes.ktWidget?.upserts.map((record) => record.id) ?? []);
const tombstones = (pages: Pulled[]) => pages.flatMap((page) => page.changes.ktWidget?.deletes ?? []);
let serial = 0;
const newWidget = async (territory: string) => {
  const response = await call('POST', '/v1/kt-widgets', { code: `SYNC-${++serial}`, name: `Widget ${serial}`, territory });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number };
};

describe('sync pull', () => {
  it("gives a first sync of exactly the rows in the principal's scope, paged, then nothing new", async () => {
    const north = [await newWidget('north'), await newWidget('north'), await newWidget('north')];
    await newWidget('south');
    const pages = await pullAll(manager(['north']), undefined, { limit: 2 });
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]!.reset).toBe(true);
    expect(pages.slice(1).every((page) => !page.reset)).toBe(true);
    expect(new Set(widgetIds(pages))).toEqual(new Set(north.map((widget) => widget.id)));
    const again = await pull(manager(['north']), { cursor: pages.at(-1)!.cursor });
    expect(again).toMatchObject({ changes: {}, hasMore: false, reset: false });
  });

  it('sends later creates and updates once each, and a tombstone for a deleted row', async () => {
    const [first] = await pullAll(manager(['east']));
    const created = await newWidget('east');
    const updated = await call('PATCH', `/v1/kt-widgets/${created.id}`, { name: 'Renamed' }, { 'if-match': '*' });
    expect(updated.statusCode).toBe(200);
    const afterUpdate = await pullAll(manager(['east']), first!.cursor);
    expect(afterUpdate.flatMap((page) => page.changes.ktWidget?.upserts ?? [])).toEqual([expect.objectContaining({ id: created.id, name: 'Renamed', version: 2 })]);
    expect((await call('DELETE', `/v1/kt-widgets/${created.id}`)).statusCode).toBe(204);
    const afterDelete = await pullAll(manager(['east']), afterUpdate.at(-1)!.cursor);
    expect(tombstones(afterDelete)).toEqual([created.id]);
    expect(widgetIds(afterDelete)).toEqual([]);
  });

  it('moves rows in and out of scope when they change: a tombstone for what left, nothing for what was never there', async () => {
    const leaving = await newWidget('west');
    const arriving = await newWidget('elsewhere');
    const stranger = await newWidget('elsewhere');
    const [first] = await pullAll(manager(['west']));
    await call('PATCH', `/v1/kt-widgets/${leaving.id}`, { territory: 'elsewhere' }, { 'if-match': '*' });
    await call('PATCH', `/v1/kt-widgets/${arriving.id}`, { territory: 'west' }, { 'if-match': '*' });
    await call('PATCH', `/v1/kt-widgets/${stranger.id}`, { name: 'Still elsewhere' }, { 'if-match': '*' });
    const pages = await pullAll(manager(['west']), first!.cursor);
    expect(tombstones(pages)).toEqual([leaving.id]);
    expect(widgetIds(pages)).toEqual([arriving.id]);
  });

  it('still sends the tombstone when a row moved out and then changed again before the pull', async () => {
    const row = await newWidget('harbour');
    const [first] = await pullAll(manager(['harbour']));
    await call('PATCH', `/v1/kt-widgets/${row.id}`, { territory: 'inland' }, { 'if-match': '*' });
    await call('PATCH', `/v1/kt-widgets/${row.id}`, { name: 'Changed again, out of scope' }, { 'if-match': '*' });
    const pages = await pullAll(manager(['harbour']), first!.cursor);
    expect(tombstones(pages)).toContain(row.id);
    expect(widgetIds(pages)).toEqual([]);
  });

  it('resets the client when its scope changed (new territories): drop the copy, take the new scope', async () => {
    await newWidget('alpha');
    const beta = await newWidget('beta');
    const [first] = await pullAll(manager(['alpha']));
    const pages = await pullAll(manager(['beta']), first!.cursor);
    expect(pages[0]!.reset).toBe(true);
    expect(widgetIds(pages)).toContain(beta.id);
    expect(widgetIds(pages).length).toBe(widgetIds(pages).filter((id) => id === beta.id).length + 0);
  });

  it('keeps to the byte budget, one record at least per page, and loses nothing', async () => {
    const many = [];
    for (let index = 0; index < 5; index++) many.push(await newWidget('budget'));
    const pages = await pullAll(manager(['budget']), undefined, { maxBytes: 1024 });
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(new Set(widgetIds(pages))).toEqual(new Set(many.map((widget) => widget.id)));
    expect(widgetIds(pages).length).toBe(many.length);
  });

  it('refuses a forged, edited or foreign cursor with sync.invalid_cursor', async () => {
    const [first] = await pullAll(manager(['north']));
    const [payload, signature] = first!.cursor.split('.');
    const edited = `${Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"l"', '"s"')).toString('base64url')}.${signature}`;
    for (const cursor of ['garbage', `${payload}.AAAAAAAAAAAAAAAAAAAAAA`, edited]) {
      const response = await call('POST', '/v1/sync/pull', { cursor }, manager(['north']));
      expect(response.statusCode, cursor).toBe(400);
      expect(response.json().code).toBe('sync.invalid_cursor');
    }
    const otherUser = await call('POST', '/v1/sync/pull', { cursor: first!.cursor }, manager(['north'], randomUUID()));
    expect(otherUser.json().code).toBe('sync.invalid_cursor');
    const other = await t.createTenant();
    const otherTenant = await t.platform.http.inject({ method: 'POST', url: '/v1/sync/pull', headers: { 'x-tenant': other.slug, ...manager(['north']) }, payload: { cursor: first!.cursor } });
    expect(otherTenant.statusCode).toBe(400);
    expect(otherTenant.json().code).toBe('sync.invalid_cursor');
  });

  it('answers 410 sync.must_refetch for a cursor older than the retained log', async () => {
    const [first] = await pullAll(manager(['retained']));
    await newWidget('retained');
    const purged = await t.platform.sync.purge(tenantId, new Date(Date.now() + 60_000));
    expect(purged).toBeGreaterThan(0);
    const response = await call('POST', '/v1/sync/pull', { cursor: first!.cursor }, manager(['retained']));
    expect(response.statusCode).toBe(410);
    expect(response.json()).toMatchObject({ code: 'sync.must_refetch', mustRefetch: true });
    const fresh = await pullAll(manager(['retained']));
    expect(fresh[0]!.reset).toBe(true);
  });

  it('refuses a principal that may read nothing that syncs, and bad page sizes', async () => {
    const role = await call('POST', '/v1/access/roles', { name: 'memo-reader', permissions: [{ entity: 'ktMemo', actions: ['read'] }] });
    expect(role.statusCode, role.body).toBe(201);
    const nothing = await call('POST', '/v1/sync/pull', {}, { 'x-dev-roles': 'memo-reader', 'x-dev-user': randomUUID() });
    expect(nothing.statusCode).toBe(403);
    expect(nothing.json().code).toBe('sync.no_scope');
    for (const body of [{ limit: 0 }, { limit: 100_000 }, { maxBytes: 10 }, { cursor: '' }, { extra: 1 }, []]) {
      const response = await call('POST', '/v1/sync/pull', body, manager(['north']));
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
