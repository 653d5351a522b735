/**
 * Random steps of simulated sync devices (fast-check): local edits of kt-tickets (merge policy, a
 * lifecycle) and kt-widgets (version policy, territory-scoped for managers), the network going down and
 * up, syncs in any order or at once, pushes delivered twice or late, scope changes and a purged log.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { SyncClientError, type ClientRecord } from '../../src/client/index.ts';
import type { PushDelivery, PushFault, SimDevice } from './sync-sim-client.ts';

export const territories = ['north', 'south', 'east', 'west'] as const;
export const ticketActions = ['start', 'resolve', 'cancel', 'reopen', 'escalate'] as const;

export type Step =
  | { kind: 'createTicket'; device: number; subject: string; assignee: number }
  | { kind: 'createWidget'; device: number; code: number; territory: string; mine: boolean }
  | { kind: 'updateTicket'; device: number; pick: number; changes: { subject?: string; resolution?: string; assignee?: number } }
  | { kind: 'updateWidget'; device: number; pick: number; changes: { name?: string; quantity?: number; territory?: string } }
  | { kind: 'delete'; device: number; entity: 'ktTicket' | 'ktWidget'; pick: number }
  | { kind: 'action'; device: number; pick: number; action: (typeof ticketActions)[number]; resolution: string }
  | { kind: 'toggleNetwork'; device: number }
  | { kind: 'sync'; device: number }
  | { kind: 'syncAtOnce'; devices: number[] }
  | { kind: 'syncTwiceAtOnce'; device: number }
  | { kind: 'fault'; device: number; fault: Exclude<PushFault, 'none'> }
  | { kind: 'replayOldPush'; device: number; pick: number }
  | { kind: 'editWhileSyncing'; device: number; pick: number; name: string }
  | { kind: 'moveTerritories'; device: number; territories: string[] }
  | { kind: 'purgeLog' };

const device = fc.nat({ max: 3 });
const pick = fc.nat({ max: 40 });
const word = fc.constantFrom('Leak', 'Door', 'Light', 'Paint', 'Noise');

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('createTicket' as const), device, subject: word, assignee: fc.nat({ max: 5 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('createWidget' as const), device, code: fc.nat({ max: 7 }), territory: fc.constantFrom(...territories), mine: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('updateTicket' as const),
      device,
      pick,
      changes: fc.record({ subject: word, resolution: word, assignee: fc.nat({ max: 5 }) }, { requiredKeys: [] }).filter((changes) => Object.keys(changes).length > 0),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('updateWidget' as const),
      device,
      pick,
      changes: fc.record({ name: word, quantity: fc.nat({ max: 9 }), territory: fc.constantFrom(...territories) }, { requiredKeys: [] }).filter((changes) => Object.keys(changes).length > 0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), device, entity: fc.constantFrom('ktTicket' as const, 'ktWidget' as const), pick }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('action' as const), device, pick, action: fc.constantFrom(...ticketActions), resolution: word }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggleNetwork' as const), device }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('sync' as const), device }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('syncAtOnce' as const), devices: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('syncTwiceAtOnce' as const), device }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fault' as const), device, fault: fc.constantFrom('ghost' as const, 'lost' as const, 'flaky' as const, 'unavailable' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replayOldPush' as const), device, pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('editWhileSyncing' as const), device, pick, name: word }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('moveTerritories' as const), device, territories: fc.subarray([...territories], { minLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purgeLog' as const) }) },
);

export interface SimWorld {
  baseUrl: string;
  devices: SimDevice[];
  log: PushDelivery[];
  purge(): Promise<void>;
}

/** Failures a sync may meet on the simulated network; anything else fails the test. */
const expectedFailures = new Set(['sync_client.network', 'http.unavailable']);

/** Syncs a device; a failure the simulated network explains is swallowed (the queue is kept). */
export async function syncQuietly(device: SimDevice): Promise<void> {
  try {
    await device.client.sync();
  } catch (error) {
    if (!(error instanceof SyncClientError) || !expectedFailures.has(error.code)) throw error;
  } finally {
    if (device.fault === 'unavailable') device.fault = 'none';
  }
}

async function pickRecord(device: SimDevice, entity: string, index: number): Promise<ClientRecord | undefined> {
  const rows = (await device.client.list(entity)).sort((a, b) => a.id.localeCompare(b.id));
  return rows.length === 0 ? undefined : rows[index % rows.length];
}

/** A user id for an assignee choice: another device's user, or the device's own. */
const assigneeOf = (world: SimWorld, self: SimDevice, choice: number) => (world.devices[choice] ?? self).user.userId;

/** Local edits of a record that vanished meanwhile are refused by the client: not a failure. */
async function locally(edit: () => Promise<unknown>): Promise<void> {
  try {
    await edit();
  } catch (error) {
    if (!(error instanceof SyncClientError) || error.code !== 'sync_client.not_found') throw error;
  }
}

export async function runStep(world: SimWorld, step: Step): Promise<void> {
  if (step.kind === 'purgeLog') return world.purge();
  if (step.kind === 'syncAtOnce') {
    await Promise.all([...new Set(step.devices.map((index) => world.devices[index % world.devices.length]!))].map(syncQuietly));
    return;
  }
  const device = world.devices[step.device % world.devices.length]!;
  const { client } = device;
  const member = device.user.roles === 'member';
  switch (step.kind) {
    case 'createTicket':
      await client.create('ktTicket', { subject: step.subject, assignee: assigneeOf(world, device, step.assignee) });
      return;
    case 'createWidget': {
      // Mostly in a manager's own territories (else refused: out of scope), sometimes anywhere.
      const own = device.user.territories;
      const territory = step.mine && own ? own[step.code % own.length]! : step.territory;
      await client.create('ktWidget', { code: `W-${step.code}`, name: `Widget ${step.code}`, territory, ...(member ? { assignee: device.user.userId } : {}) });
      return;
    }
    case 'updateTicket': {
      const ticket = await pickRecord(device, 'ktTicket', step.pick);
      const { assignee, ...rest } = step.changes;
      if (ticket) await locally(() => client.update('ktTicket', ticket.id, { ...rest, ...(assignee === undefined ? {} : { assignee: assigneeOf(world, device, assignee) }) }));
      return;
    }
    case 'updateWidget': {
      const widget = await pickRecord(device, 'ktWidget', step.pick);
      if (widget) await locally(() => client.update('ktWidget', widget.id, step.changes));
      return;
    }
    case 'delete': {
      const record = await pickRecord(device, step.entity, step.pick);
      if (record) await locally(() => client.delete(step.entity, record.id));
      return;
    }
    case 'action': {
      const ticket = await pickRecord(device, 'ktTicket', step.pick);
      if (ticket) await locally(() => client.action('ktTicket', ticket.id, step.action, step.action === 'resolve' ? { resolution: step.resolution } : {}));
      return;
    }
    case 'toggleNetwork':
      device.online = !device.online;
      return;
    case 'sync':
      return syncQuietly(device);
    case 'syncTwiceAtOnce':
      await Promise.all([syncQuietly(device), syncQuietly(device)]);
      return;
    case 'fault':
      device.fault = step.fault;
      return;
    case 'replayOldPush':
      return replayOldPush(world, device, step.pick);
    case 'editWhileSyncing': {
      const widget = await pickRecord(device, 'ktWidget', step.pick);
      await Promise.all([syncQuietly(device), widget ? locally(() => client.update('ktWidget', widget.id, { name: step.name })) : undefined]);
      return;
    }
    case 'moveTerritories':
      if (device.user.territories) device.user.territories = step.territories;
      return;
  }
}

/** Sends a push that reached the server before once more, after later ones: every mutation in it is a duplicate. */
async function replayOldPush(world: SimWorld, device: SimDevice, index: number): Promise<void> {
  if (device.sentPushes.length === 0 || !device.online) return;
  const body = device.sentPushes[index % device.sentPushes.length]!;
  const response = await fetch(`${world.baseUrl}/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...device.headers() }, body });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { results: { status: string }[] };
  world.log.push({ device: device.user.label, request: JSON.parse(body), response: answer as never });
  expect(answer.results.map((result) => result.status)).toEqual(answer.results.map(() => 'duplicate'));
}
