/**
 * The end-state checks of the sync convergence property: every device equals the server for its
 * scope; every push the server applied is in the record's history once (versions, audit rows, sync
 * clients' last mutation ids); the last acknowledged write of each field is what the server holds.
 */
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { ClientRecord, MutationResult, QueuedMutation } from '../../src/client/index.ts';
import { userHeaders, type PushDelivery, type SimDevice } from './sync-sim-client.ts';
import { auditCounts, lastMutationIds, listAs, rowVersions, type ApiRow } from './sync-server-view.ts';

export const syncedEntities = [
  { name: 'ktTicket', plural: 'kt-tickets', table: 'kt_tickets', fields: ['subject', 'status', 'resolution', 'priority', 'assignee'] },
  { name: 'ktWidget', plural: 'kt-widgets', table: 'kt_widgets', fields: ['code', 'name', 'quantity', 'territory', 'assignee'] },
] as const;

/** Fields each ticket action writes on the server. */
const actionFields: Record<string, string[]> = { start: ['status'], cancel: ['status'], reopen: ['status'], resolve: ['status', 'resolution'], escalate: ['priority'] };

interface Settlement {
  device: string;
  clientId: string;
  mutation: QueuedMutation;
  result: MutationResult;
}

const byId = (rows: Iterable<ClientRecord | ApiRow>) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

/** Every settled (not duplicate) push result, with its mutation. */
export function settlementsOf(log: readonly PushDelivery[]): Settlement[] {
  return log.flatMap(({ device, request, response }) =>
    response.results.flatMap((result) => {
      const mutation = request.mutations.find((candidate) => candidate.id === result.id)!;
      return result.status === 'duplicate' ? [] : [{ device, clientId: request.clientId, mutation, result }];
    }),
  );
}

/** Each device's view is exactly the server's rows in the device user's scope (as the REST list shows them). */
export async function expectDevicesEqualServer(baseUrl: string, tenant: string, devices: readonly SimDevice[]): Promise<void> {
  for (const device of devices) {
    expect(await device.client.pending(), `${device.user.label}: queue after the final sync`).toEqual([]);
    for (const entity of syncedEntities) {
      const server = await listAs(baseUrl, userHeaders(tenant, device.user), entity.plural);
      expect(byId(await device.client.list(entity.name)), `${device.user.label}: ${entity.name}`).toEqual(byId(server.values()));
    }
  }
}

/** Each (client, mutation id) settled once; each device saw one outcome per mutation it made; a duplicate answer stands for an earlier settlement of the same mutation. */
export async function expectExactlyOnce(owner: Kysely<any>, tenantId: string, log: readonly PushDelivery[], devices: readonly SimDevice[]): Promise<void> {
  const settled = settlementsOf(log);
  const lastSettled = new Map<string, number>();
  const seen = new Map<string, QueuedMutation>();
  for (const { clientId, mutation } of settled) {
    const key = `${clientId}#${mutation.id}`;
    expect(seen.has(key), `mutation ${key} settled twice`).toBe(false);
    seen.set(key, mutation);
    lastSettled.set(clientId, Math.max(lastSettled.get(clientId) ?? 0, mutation.id));
  }
  expect(Object.fromEntries(await lastMutationIds(owner, tenantId))).toEqual(Object.fromEntries(lastSettled));
  for (const device of devices) {
    const clientId = await device.client.clientId();
    const made = device.store.dump().state?.lastMutationId ?? 0;
    const outcomes = device.events.flatMap((event) => ('mutation' in event ? [event.mutation.id] : [])).sort((a, b) => a - b);
    expect(outcomes, `${device.user.label}: one outcome per mutation`).toEqual(Array.from({ length: made }, (_, index) => index + 1));
    for (const event of device.events) {
      if (event.type !== 'duplicate') continue;
      const original = seen.get(`${clientId}#${event.mutation.id}`);
      expect(original, `${device.user.label}: duplicate of a mutation never settled`).toBeDefined();
      expect({ ...original, baseVersion: undefined }).toEqual({ ...event.mutation, baseVersion: undefined });
    }
  }
}

/**
 * Per record: one version and one audit row per applied write (nothing applied twice or unrecorded),
 * and each field holds the value of the last applied write that set it (no acknowledged write lost).
 */
export async function expectHistoriesKept(owner: Kysely<any>, tenantId: string, baseUrl: string, ownerHeaders: Record<string, string>, log: readonly PushDelivery[]): Promise<void> {
  const applied = settlementsOf(log).filter(({ result }) => result.status === 'applied');
  const audits = await auditCounts(owner, tenantId, syncedEntities.map((entity) => entity.name));
  for (const entity of syncedEntities) {
    const rows = await rowVersions(owner, tenantId, entity.table);
    const finals = await listAs(baseUrl, ownerHeaders, entity.plural);
    const writes = new Map<string, Settlement[]>();
    for (const write of applied) if (write.mutation.entity === entity.name) writes.set(write.mutation.recordId, [...(writes.get(write.mutation.recordId) ?? []), write]);
    expect([...rows.keys()].sort(), `${entity.name}: rows written other than by pushes`).toEqual([...writes.keys()].sort());
    for (const [id, history] of writes) {
      const row = rows.get(id)!;
      expect({ id, version: row.version, audit: audits.get(id) ?? 0 }).toEqual({ id, version: history.length, audit: history.length });
      const versions = history.flatMap(({ result }) => (result.record ? [result.record.version] : []));
      expect(new Set(versions).size, `${id}: a version produced twice`).toBe(versions.length);
      expect(row.deleted).toBe(history.some(({ mutation }) => mutation.op === 'delete'));
      if (row.deleted) continue;
      const final = finals.get(id)!;
      for (const field of entity.fields) {
        const setting = history
          .filter(({ mutation }) => fieldsWritten(mutation, entity.fields).includes(field))
          .sort((a, b) => a.result.record!.version - b.result.record!.version)
          .at(-1);
        if (setting) expect(final[field], `${entity.name} ${id}.${field}: the last acknowledged write`).toEqual(setting.result.record![field]);
      }
      for (const { mutation, result } of history) for (const [field, value] of Object.entries(mutation.data ?? {})) expect(result.record![field], `${id}.${field} as pushed`).toEqual(value);
    }
  }
}

function fieldsWritten(mutation: QueuedMutation, fields: readonly string[]): readonly string[] {
  if (mutation.op === 'create') return fields;
  if (mutation.op === 'update') return Object.keys(mutation.data ?? {});
  if (mutation.op === 'action') return actionFields[mutation.action ?? ''] ?? [];
  return [];
}

/** While a mutation is pending, the device shows it: the fields of its pending creates and updates, no row after a pending delete. */
export async function expectPendingEditsVisible(devices: readonly SimDevice[]): Promise<void> {
  for (const device of devices) {
    const expected = new Map<string, { entity: string; id: string; fields: Record<string, unknown>; deleted: boolean; created: boolean }>();
    for (const mutation of await device.client.pending()) {
      const key = `${mutation.entity}:${mutation.recordId}`;
      const entry = expected.get(key) ?? { entity: mutation.entity, id: mutation.recordId, fields: {}, deleted: false, created: false };
      if (mutation.op === 'create') entry.created = true;
      if (mutation.op === 'delete') entry.deleted = true;
      if (mutation.op === 'create' || mutation.op === 'update') Object.assign(entry.fields, mutation.data);
      for (const field of mutation.op === 'action' ? (actionFields[mutation.action ?? ''] ?? []) : []) delete entry.fields[field];
      expected.set(key, entry);
    }
    for (const entry of expected.values()) {
      const view = await device.client.get(entry.entity, entry.id);
      if (entry.deleted) expect(view, `${device.user.label}: ${entry.entity} ${entry.id} deleted locally`).toBeUndefined();
      else if (entry.created) expect(view, `${device.user.label}: ${entry.entity} ${entry.id} created locally`).toBeDefined();
      if (view && !entry.deleted) expect(view, `${device.user.label}: pending edits of ${entry.entity} ${entry.id}`).toMatchObject(entry.fields);
    }
  }
}
