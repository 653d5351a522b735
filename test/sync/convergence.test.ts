/**
 * Sync convergence (issue 4), through the sync client (src/client) over real HTTP. Property: several
 * simulated offline devices make random edits, go offline and online, and sync in random orders, at
 * once, with pushes delivered twice, late or answered 503; at the end every device equals the server
 * for its scope, no acknowledged write is lost, and every push applied exactly once.
 * Replay a failure: fast-check prints its seed and path; run with CONVERGENCE_SEED=<seed> and
 * CONVERGENCE_PATH=<path>. Steps that run at once interleave as the server schedules them, so a replay
 * repeats the steps, not always their interleaving. CONVERGENCE_RUNS=<n> explores more runs.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../src/client/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { expectDevicesEqualServer, expectExactlyOnce, expectHistoriesKept, expectPendingEditsVisible } from '../support/sync-convergence-checks.ts';
import { awaitSyncFence } from '../support/sync-fence.ts';
import { createSimDevice, simUser, type PushDelivery, type SimDevice, type SimUser } from '../support/sync-sim-client.ts';
import { runStep, stepArbitrary, type SimWorld } from '../support/sync-sim-steps.ts';

let t: TestPlatform;
let baseUrl: string;

beforeAll(async () => {
  // Rate limits off: the property sends thousands of requests from one address.
  t = await startTestPlatform({ RATE_LIMIT_ENABLED: false });
  baseUrl = await t.platform.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

const profiles = (): SimUser[] => [simUser('owner', 'owner'), simUser('north manager', 'manager', ['north']), simUser('south-east manager', 'manager', ['south', 'east']), simUser('member', 'member')];
const ownerHeaders = (tenant: string) => ({ 'x-tenant': tenant, 'x-dev-roles': 'owner', 'x-dev-user': randomUUID() });

async function newWorld(deviceCount: number) {
  const tenant = await t.createTenant();
  const log: PushDelivery[] = [];
  const devices = profiles()
    .slice(0, deviceCount)
    .map((user) => createSimDevice({ baseUrl, tenant: tenant.slug, user, log }));
  // Retention purges old change rows, long below the fence. Purging rows the cluster-wide fence has not
  // passed yet makes even a pull without a cursor answer 410 until the fence passes them.
  const purge = async () => {
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await t.platform.sync.purge(tenant.id, new Date(Date.now() + 60_000));
  };
  return { tenant, world: { baseUrl, devices, log, purge } satisfies SimWorld };
}

/** Every device online and synced (pushes), the fence past every write, every device synced again (pulls). */
async function settle(tenantId: string, devices: readonly SimDevice[]): Promise<void> {
  for (const device of devices) {
    device.online = true;
    device.fault = 'none';
  }
  for (const device of devices) await device.client.sync();
  await awaitSyncFence(t.database.owner.db, tenantId);
  for (const device of devices) await device.client.sync();
}

const outcomeOf = (event: SyncEvent) => (event.type === 'reset' ? `reset:${event.reason}` : event.type === 'rejected' ? `rejected:${event.problem.code}` : event.type);

describe('sync convergence', () => {
  it('converges for every device, loses no acknowledged write and applies each push once, whatever the order and the network', async () => {
    const seen = new Map<string, number>();
    const seed = process.env.CONVERGENCE_SEED ? Number(process.env.CONVERGENCE_SEED) : 20261121;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 4 }), fc.array(stepArbitrary, { minLength: 15, maxLength: 60, size: 'max' }), async (deviceCount, steps) => {
        const { tenant, world } = await newWorld(deviceCount);
        for (const step of steps) {
          await runStep(world, step);
          await expectPendingEditsVisible(world.devices);
        }
        await settle(tenant.id, world.devices);
        await expectDevicesEqualServer(baseUrl, tenant.slug, world.devices);
        await expectExactlyOnce(t.database.owner.db, tenant.id, world.log, world.devices);
        await expectHistoriesKept(t.database.owner.db, tenant.id, baseUrl, ownerHeaders(tenant.slug), world.log);
        for (const event of world.devices.flatMap((device) => device.events)) seen.set(outcomeOf(event), (seen.get(outcomeOf(event)) ?? 0) + 1);
      }),
      {
        seed,
        numRuns: Number(process.env.CONVERGENCE_RUNS ?? 25),
        ...(process.env.CONVERGENCE_PATH ? { path: process.env.CONVERGENCE_PATH } : {}),
        // Shrinking a failure replays whole scenarios against the server: bounded so a failure reports in time.
        interruptAfterTimeLimit: 150_000,
        markInterruptAsFailure: false,
      },
    );
    // Not vacuous: the runs met every outcome the protocol has.
    for (const outcome of ['applied', 'duplicate', 'conflict', 'rejected', 'reset:first_sync', 'reset:scope_changed', 'reset:must_refetch']) {
      expect([...seen.keys()].some((key) => key === outcome || key.startsWith(`${outcome}:`)), outcome).toBe(true);
    }
  }, 180_000);
});

describe('sync client against the server', () => {
  const rest = async (tenant: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...ownerHeaders(tenant), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as Record<string, any>) };
  };
  const oneDevice = async (user: SimUser = simUser('owner', 'owner')) => {
    const tenant = await t.createTenant();
    const device = createSimDevice({ baseUrl, tenant: tenant.slug, user, log: [] });
    return { tenant, device };
  };

  it('queues a create, an update and an action made offline and applies them on sync, the view showing them at once', async () => {
    const { tenant, device } = await oneDevice();
    device.online = false;
    const created = await device.client.create('ktTicket', { subject: 'Leaking tap' });
    await device.client.update('ktTicket', created.id, { subject: 'Leaking tap, kitchen' });
    expect(await device.client.action('ktTicket', created.id, 'resolve', { resolution: 'New washer' })).toMatchObject({ subject: 'Leaking tap, kitchen', status: 'resolved', version: 0 });
    await expect(device.client.sync()).rejects.toMatchObject({ code: 'sync_client.network' });
    expect((await device.client.pending()).map((mutation) => [mutation.id, mutation.op])).toEqual([[1, 'create'], [2, 'update'], [3, 'action']]);
    device.online = true;
    const report = await device.client.sync();
    expect(report).toMatchObject({ pushed: 3, applied: 3, conflicts: 0, rejected: 0 });
    const server = await rest(tenant.slug, 'GET', `/v1/kt-tickets/${created.id}`);
    expect(server.body).toMatchObject({ subject: 'Leaking tap, kitchen', status: 'resolved', resolution: 'New washer', version: 3 });
    expect(await device.client.get('ktTicket', created.id)).toEqual(server.body);
    expect(await device.client.pending()).toEqual([]);
  });

  it('surfaces a conflict for an edit of a widget changed on the server since, and takes the server copy; its own successive edits never conflict', async () => {
    const { tenant, device } = await oneDevice();
    const widget = (await rest(tenant.slug, 'POST', '/v1/kt-widgets', { code: 'STALE-1', name: 'Original' })).body!;
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.client.sync();
    expect(await device.client.get('ktWidget', widget.id)).toMatchObject({ name: 'Original', version: 1 });
    expect((await rest(tenant.slug, 'PATCH', `/v1/kt-widgets/${widget.id}`, { name: 'Changed on the server' }, { 'if-match': '"1"' })).status).toBe(200);
    await device.client.update('ktWidget', widget.id, { name: 'Changed offline' });
    const mine = await device.client.create('ktWidget', { code: 'MINE-1', name: 'Mine' });
    await device.client.update('ktWidget', mine.id, { name: 'Mine, renamed' });
    await device.client.update('ktWidget', mine.id, { quantity: 4 });
    const report = await device.client.sync();
    expect(report).toMatchObject({ applied: 3, conflicts: 1 });
    const conflict = device.events.find((event) => event.type === 'conflict');
    expect(conflict).toMatchObject({ mutation: { recordId: widget.id, baseVersion: 1 }, problem: { code: 'records.version_mismatch' }, serverRecord: { name: 'Changed on the server', version: 2 } });
    expect(await device.client.get('ktWidget', widget.id)).toMatchObject({ name: 'Changed on the server', version: 2 });
    expect(await device.client.get('ktWidget', mine.id)).toMatchObject({ name: 'Mine, renamed', quantity: 4, version: 3 });
  });

  it('recovers from 410 sync.must_refetch: drops the local copy, pulls from scratch and keeps the queue', async () => {
    const { tenant, device } = await oneDevice();
    await rest(tenant.slug, 'POST', '/v1/kt-widgets', { code: 'KEPT-1', name: 'Kept' });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.client.sync();
    const removed = (await rest(tenant.slug, 'POST', '/v1/kt-widgets', { code: 'GONE-1', name: 'Gone' })).body!;
    await device.client.sync();
    await awaitSyncFence(t.database.owner.db, tenant.id);
    expect(await t.platform.sync.purge(tenant.id, new Date(Date.now() + 60_000))).toBeGreaterThan(0);
    expect((await rest(tenant.slug, 'DELETE', `/v1/kt-widgets/${removed.id}`)).status).toBe(204);
    await rest(tenant.slug, 'POST', '/v1/kt-widgets', { code: 'NEW-1', name: 'New' });
    device.fault = 'unavailable';
    const pending = await device.client.create('ktTicket', { subject: 'Made while the log was purged' });
    await expect(device.client.sync()).rejects.toMatchObject({ code: 'http.unavailable' });
    device.fault = 'none';
    expect(device.events.filter((event) => event.type === 'reset').map((event) => event.type === 'reset' && event.reason)).toEqual(['first_sync', 'must_refetch']);
    expect(await device.client.get('ktTicket', pending.id)).toMatchObject({ subject: 'Made while the log was purged' });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.client.sync();
    await expectDevicesEqualServer(baseUrl, tenant.slug, [device]);
    expect((await device.client.list('ktWidget')).map((widget) => widget.code).sort()).toEqual(['KEPT-1', 'NEW-1']);
  });

  it('recovers from 400 sync.invalid_cursor (a cursor this server did not issue) the same way', async () => {
    const { tenant, device } = await oneDevice();
    await rest(tenant.slug, 'POST', '/v1/kt-tickets', { subject: 'Here before' });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.store.transaction(async (tx) => tx.writeState({ clientId: randomUUID(), cursor: 'forged.AAAAAAAAAAAAAAAAAAAAAA', lastMutationId: 0 }));
    await device.client.sync();
    expect(device.events).toEqual([{ type: 'reset', reason: 'invalid_cursor' }]);
    await expectDevicesEqualServer(baseUrl, tenant.slug, [device]);
  });

  it('pulls every change of one large push, across pages, when the change numbers cross a power of ten', async () => {
    const { tenant, device } = await oneDevice();
    const reader = createSimDevice({ baseUrl, tenant: tenant.slug, user: simUser('reader', 'owner'), log: [], pullLimit: 3 });
    await reader.client.sync();
    // Change rows are numbered by a sequence: start it just below 100 so this batch's rows run 96..105.
    await sql`select setval(pg_get_serial_sequence('sync_changes', 'seq'), 95)`.execute(t.database.owner.db);
    const created: string[] = [];
    for (let index = 0; index < 10; index++) created.push((await device.client.create('ktTicket', { subject: `Batch ${index}` })).id);
    expect(await device.client.sync()).toMatchObject({ pushed: 10, applied: 10 });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await reader.client.sync();
    expect((await reader.client.list('ktTicket')).map((ticket) => ticket.id).sort()).toEqual(created.sort());
  });

  it('delivers a tombstone for a record that left the scope and then changed again before the device pulled', async () => {
    const { tenant, device } = await oneDevice(simUser('north manager', 'manager', ['north']));
    const widget = (await rest(tenant.slug, 'POST', '/v1/kt-widgets', { code: 'MOVER-1', name: 'Mover', territory: 'north' })).body!;
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.client.sync();
    expect(await device.client.get('ktWidget', widget.id)).toBeDefined();
    await rest(tenant.slug, 'PATCH', `/v1/kt-widgets/${widget.id}`, { territory: 'south' }, { 'if-match': '*' });
    await rest(tenant.slug, 'PATCH', `/v1/kt-widgets/${widget.id}`, { name: 'Moved, then renamed' }, { 'if-match': '*' });
    await awaitSyncFence(t.database.owner.db, tenant.id);
    await device.client.sync();
    expect(await device.client.get('ktWidget', widget.id)).toBeUndefined();
  });
});
