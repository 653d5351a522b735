/**
 * "A rep sees the outlets of their territories": the territories come from the tenant's data
 * (repTerritory rows), not from the token, so an assignment change applies to the next request and
 * moves rows in and out of the rep's offline copy.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { awaitSyncFence } from '../../../test/support/sync-fence.ts';

let t: TestPlatform;
let tenant: { id: string; slug: string };
const rep = randomUUID();
const asRep = { 'x-dev-roles': 'member', 'x-dev-user': rep };

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
const create = async (path: string, body: Record<string, unknown>) => {
  const response = await call('POST', `/v1/${path}`, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number };
};

let north: { id: string };
let south: { id: string };
let northOutlet: { id: string };
let southOutlet: { id: string };

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant('retail-scope');
  north = await create('territories', { code: 'N', name: 'North' });
  south = await create('territories', { code: 'S', name: 'South' });
  northOutlet = await create('outlets', { code: 'N-1', name: 'North shop', channel: 'kiosk', territory: north.id });
  southOutlet = await create('outlets', { code: 'S-1', name: 'South shop', channel: 'kiosk', territory: south.id });
});
afterAll(() => t.close());

const outletIds = async () => ((await call('GET', '/v1/outlets', undefined, asRep)).json().data as { id: string }[]).map((outlet) => outlet.id);

describe('territory scope of a rep', () => {
  it('shows a rep with no assignment no outlet, then exactly those of the assigned territory', async () => {
    expect(await outletIds()).toEqual([]);
    const assignment = await create('rep-territories', { rep, territory: north.id });
    expect(await outletIds()).toEqual([northOutlet.id]);
    expect((await call('GET', `/v1/outlets/${southOutlet.id}`, undefined, asRep)).statusCode).toBe(404);
    // Reassigned: the next request follows the data.
    expect((await call('DELETE', `/v1/rep-territories/${assignment.id}`)).statusCode).toBe(204);
    await create('rep-territories', { rep, territory: south.id });
    expect(await outletIds()).toEqual([southOutlet.id]);
  });

  it("lets a rep update only their territories' outlets, and not move one out of them", async () => {
    const updated = await call('PATCH', `/v1/outlets/${southOutlet.id}`, { name: 'South shop (renamed)' }, { ...asRep, 'if-match': '*' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await call('PATCH', `/v1/outlets/${northOutlet.id}`, { name: 'Not mine' }, { ...asRep, 'if-match': '*' })).statusCode).toBe(404);
    const moved = await call('PATCH', `/v1/outlets/${southOutlet.id}`, { territory: north.id }, { ...asRep, 'if-match': '*' });
    expect(moved.statusCode).toBe(403);
    expect(moved.json().code).toBe('access.field_not_writable');
  });

  it('resets the offline copy of a rep whose territories changed, so the new territory moves in and the old one out', async () => {
    await awaitSyncFence(t.database.owner.db, tenant.id);
    const first = (await call('POST', '/v1/sync/pull', {}, asRep)).json() as { changes: Record<string, { upserts: { id: string }[] }>; cursor: string; hasMore: boolean };
    expect(first.changes.outlet?.upserts.map((outlet) => outlet.id)).toEqual([southOutlet.id]);
    const assignments = (await call('GET', `/v1/rep-territories?rep=${rep}`)).json().data as { id: string }[];
    for (const assignment of assignments) await call('DELETE', `/v1/rep-territories/${assignment.id}`);
    await create('rep-territories', { rep, territory: north.id });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    const next = (await call('POST', '/v1/sync/pull', { cursor: first.cursor }, asRep)).json() as { changes: Record<string, { upserts: { id: string }[] }>; reset: boolean };
    expect(next.reset).toBe(true);
    expect(next.changes.outlet?.upserts.map((outlet) => outlet.id)).toEqual([northOutlet.id]);
  });

  it('gives an API key (no user) no territory, hence no outlet of a territory-scoped role', async () => {
    const noUser = await call('GET', '/v1/outlets', undefined, { 'x-dev-roles': 'member' });
    expect(noUser.statusCode).toBe(200);
    expect(noUser.json().data).toEqual([]);
  });
});

describe('territory of field work', () => {
  it("takes the outlet's territory (another one is refused), so the manager of that territory sees the order", async () => {
    const manager = randomUUID();
    await create('rep-territories', { rep: manager, territory: south.id });
    const wrong = await call('POST', '/v1/orders', { number: 'SO-T-1', outlet: southOutlet.id, rep, territory: north.id, orderDate: '2026-11-20' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'retail.territory_mismatch', errors: [{ pointer: '/territory' }] });
    const order = await call('POST', '/v1/orders', { number: 'SO-T-1', outlet: southOutlet.id, rep, orderDate: '2026-11-20' });
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json().territory).toBe(south.id);
    const seen = await call('GET', `/v1/orders/${order.json().id}`, undefined, { 'x-dev-roles': 'manager', 'x-dev-user': manager });
    expect(seen.statusCode).toBe(200);
    const moved = await call('PATCH', `/v1/orders/${order.json().id}`, { territory: north.id }, { 'if-match': '*' });
    expect(moved.json().code).toBe('retail.territory_mismatch');
  });
});
