import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenant: string;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant('sync-push')).slug;
});
afterAll(() => t.close());

type Headers = Record<string, string>;
const userId = randomUUID();
const asUser = (roles = 'owner', user = userId): Headers => ({ 'x-dev-roles': roles, 'x-dev-user': user });

const call = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Headers = asUser()) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });

interface Result {
  id: number;
  status: string;
  record?: Record<string, unknown>;
  serverRecord?: Record<string, unknown>;
  problem?: { code: string; errors?: { pointer: string }[] };
  missing?: [number, number];
}

async function push(clientId: string, mutations: unknown[], headers?: Headers): Promise<{ lastMutationId: number; results: Result[] }> {
  const response = await call('POST', '/v1/sync/push', { clientId, mutations }, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('sync push', () => {
  it('applies a batch in order, once: a retried batch is all duplicates and changes nothing', async () => {
    const clientId = randomUUID();
    const ticket = randomUUID();
    const batch = [
      { id: 1, entity: 'ktTicket', op: 'create', recordId: ticket, data: { subject: 'Leaking tap', assignee: userId } },
      { id: 2, entity: 'ktTicket', op: 'update', recordId: ticket, baseVersion: 1, data: { subject: 'Leaking tap, kitchen' } },
      { id: 3, entity: 'ktTicket', op: 'action', recordId: ticket, action: 'start' },
    ];
    const first = await push(clientId, batch);
    expect(first.lastMutationId).toBe(3);
    expect(first.results.map((result) => result.status)).toEqual(['applied', 'applied', 'applied']);
    expect(first.results[2]!.record).toMatchObject({ id: ticket, status: 'inProgress', subject: 'Leaking tap, kitchen', version: 3 });
    const retry = await push(clientId, batch);
    expect(retry.results.map((result) => result.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect((await call('GET', `/v1/kt-tickets/${ticket}`)).json()).toMatchObject({ version: 3 });
    // Audited like any write, with the pushing user as actor.
    const audit = (await call('GET', `/v1/audit-events?recordId=${ticket}`)).json().data as { action: string; actor: { id: string } }[];
    expect(audit.map((event) => event.action).sort()).toEqual(['create', 'start', 'update']);
    expect(audit.every((event) => event.actor.id === userId)).toBe(true);
  });

  it('reports a bad mutation with a pointer and still applies the ones after it', async () => {
    const clientId = randomUUID();
    const good = randomUUID();
    const { results, lastMutationId } = await push(clientId, [
      { id: 1, entity: 'ktWidget', op: 'create', recordId: randomUUID(), data: { code: 'NO-NAME' } },
      { id: 2, entity: 'nope', op: 'create', recordId: randomUUID(), data: {} },
      { id: 3, entity: 'ktTicket', op: 'action', recordId: randomUUID(), action: 'explode' },
      { id: 4, entity: 'ktWidget', op: 'create', recordId: good, data: { code: 'GOOD-1', name: 'Good', tenantId: randomUUID() } },
      { id: 5, entity: 'ktWidget', op: 'create', recordId: good, data: { code: 'GOOD-1', name: 'Good' } },
    ]);
    expect(lastMutationId).toBe(5);
    expect(results.map((result) => [result.status, result.problem?.code])).toEqual([
      ['rejected', 'sync.invalid_mutation'],
      ['rejected', 'sync.unknown_entity'],
      ['rejected', 'sync.unknown_action'],
      ['rejected', 'sync.invalid_mutation'],
      ['applied', undefined],
    ]);
    expect(results[0]!.problem!.errors![0]!.pointer).toBe('/mutations/0/data/name');
    expect(results[3]!.problem!.errors![0]!.pointer).toBe('/mutations/3/data/tenantId');
  });

  it('meets a stale edit of version-checked data with a conflict and the server copy; merge entities take the changed fields', async () => {
    const clientId = randomUUID();
    const widget = (await call('POST', '/v1/kt-widgets', { code: 'CONFLICT-1', name: 'Original' })).json() as { id: string };
    const changed = await t.platform.http.inject({ method: 'PATCH', url: `/v1/kt-widgets/${widget.id}`, headers: { 'x-tenant': tenant, 'if-match': '"1"' }, payload: { name: 'Changed on the server' } });
    expect(changed.statusCode).toBe(200);
    const ticket = (await call('POST', '/v1/kt-tickets', { subject: 'Original' })).json() as { id: string };
    await t.platform.http.inject({ method: 'PATCH', url: `/v1/kt-tickets/${ticket.id}`, headers: { 'x-tenant': tenant, 'if-match': '*' }, payload: { resolution: 'server note' } });
    const { results } = await push(clientId, [
      { id: 1, entity: 'ktWidget', op: 'update', recordId: widget.id, baseVersion: 1, data: { name: 'Changed offline' } },
      { id: 2, entity: 'ktWidget', op: 'update', recordId: widget.id, data: { name: 'No base version' } },
      { id: 3, entity: 'ktTicket', op: 'update', recordId: ticket.id, baseVersion: 1, data: { subject: 'Changed offline' } },
      { id: 4, entity: 'ktTicket', op: 'action', recordId: ticket.id, action: 'reopen' },
    ]);
    expect(results[0]).toMatchObject({ status: 'conflict', problem: { code: 'records.version_mismatch' }, serverRecord: { id: widget.id, name: 'Changed on the server', version: 2 } });
    expect(results[1]).toMatchObject({ status: 'rejected', problem: { code: 'sync.invalid_mutation' } });
    expect(results[2]).toMatchObject({ status: 'applied', record: { subject: 'Changed offline', resolution: 'server note', version: 3 } });
    expect(results[3]).toMatchObject({ status: 'conflict', problem: { code: 'records.illegal_transition', state: 'open' }, serverRecord: { id: ticket.id, status: 'open' } });
  });

  it("applies each mutation with the pusher's own permissions and row scope", async () => {
    const clientId = randomUUID();
    const member = asUser('member');
    const theirs = (await call('POST', '/v1/kt-tickets', { subject: 'Not mine', assignee: randomUUID() })).json() as { id: string };
    const { results } = await push(
      clientId,
      [
        { id: 1, entity: 'ktTicket', op: 'action', recordId: theirs.id, action: 'start' },
        { id: 2, entity: 'ktCategory', op: 'create', recordId: randomUUID(), data: {} },
        { id: 3, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'Mine', assignee: userId } },
        { id: 4, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'Not in my scope', assignee: randomUUID() } },
      ],
      member,
    );
    expect(results.map((result) => [result.status, result.problem?.code])).toEqual([
      ['rejected', 'records.not_found'],
      ['rejected', 'sync.unknown_entity'],
      ['applied', undefined],
      ['rejected', 'access.denied'],
    ]);
  });

  it("refuses another user's client id and reports gaps in mutation ids", async () => {
    const clientId = randomUUID();
    const gapped = await push(clientId, [{ id: 3, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'After a gap' } }]);
    expect(gapped.results[0]).toMatchObject({ status: 'applied', missing: [1, 2] });
    const stolen = await call('POST', '/v1/sync/push', { clientId, mutations: [{ id: 4, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'x' } }] }, asUser('owner', randomUUID()));
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().code).toBe('sync.client_not_yours');
    const later = await push(clientId, [{ id: 4, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'Still mine' } }]);
    expect(later.lastMutationId).toBe(4);
  });

  it('refuses malformed and oversized batches as a whole, with problem+json', async () => {
    const clientId = randomUUID();
    const many = Array.from({ length: 501 }, (_, index) => ({ id: index + 1, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'x' } }));
    const cases: [unknown, number][] = [
      [{ clientId, mutations: [] }, 400],
      [{ clientId: 'not-a-uuid', mutations: [{ id: 1, entity: 'ktTicket', op: 'create', recordId: randomUUID() }] }, 400],
      [{ clientId, mutations: [{ id: 0, entity: 'ktTicket', op: 'create', recordId: randomUUID() }] }, 400],
      [{ clientId, mutations: [{ id: 1, entity: 'ktTicket', op: 'upsert', recordId: randomUUID() }] }, 400],
      [{ clientId, mutations: many }, 400],
      [{ clientId, mutations: [{ id: 1, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'x'.repeat(5 * 1024 * 1024) } }] }, 413],
    ];
    for (const [body, status] of cases) {
      const response = await call('POST', '/v1/sync/push', body);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const noUser = await t.platform.http.inject({ method: 'POST', url: '/v1/sync/push', headers: { 'x-tenant': tenant }, payload: { clientId, mutations: [{ id: 1, entity: 'ktTicket', op: 'create', recordId: randomUUID(), data: { subject: 'x' } }] } });
    expect(noUser.statusCode).toBe(403);
    expect(noUser.json().code).toBe('sync.client_needs_user');
  });
});
