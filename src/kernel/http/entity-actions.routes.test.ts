import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenant: string;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = (await t.createTenant('actions')).slug;
});
afterAll(() => t.close());

const request = (method: 'GET' | 'POST' | 'PATCH', url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant, ...options.headers }, ...(options.body === undefined ? {} : { payload: options.body as object }) });

const newTicket = async (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
  const created = await request('POST', '/v1/kt-tickets', { body: { subject: 'Broken pump', ...body }, headers });
  expect(created.statusCode, created.body).toBe(201);
  return created.json() as { id: string; status: string; version: number; priority: number };
};

describe('custom actions and state machines', () => {
  it('moves a record through its transitions, one version and one audit row per action', async () => {
    const ticket = await newTicket();
    expect(ticket.status).toBe('open');
    const started = await request('POST', `/v1/kt-tickets/${ticket.id}/start`);
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ status: 'inProgress', version: 2 });
    expect(started.headers.etag).toBe('"2"');

    const resolved = await request('POST', `/v1/kt-tickets/${ticket.id}/resolve`, { body: { resolution: 'Replaced the seal' }, headers: { 'if-match': '"2"' } });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolution: 'Replaced the seal', version: 3 });

    const audit = await request('GET', `/v1/audit-events?entity=ktTicket&recordId=${ticket.id}`);
    expect(audit.statusCode, audit.body).toBe(200);
    const events = (audit.json().data as { action: string; changes: Record<string, unknown> }[]).reverse();
    expect(events.map((event) => event.action)).toEqual(['create', 'start', 'resolve']);
    expect(events[2]!.changes).toEqual({ status: { before: 'inProgress', after: 'resolved' }, resolution: { before: null, after: 'Replaced the seal' } });
  });

  it('refuses a transition the current state does not allow, naming the allowed ones', async () => {
    const ticket = await newTicket();
    const response = await request('POST', `/v1/kt-tickets/${ticket.id}/reopen`);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'records.illegal_transition', state: 'open', allowedActions: ['start', 'resolve', 'cancel'] });
    expect((await request('GET', `/v1/kt-tickets/${ticket.id}`)).json()).toMatchObject({ status: 'open', version: 1 });
  });

  it('lets the state change only through actions: not by PATCH, not by creating a record in a later state', async () => {
    const ticket = await newTicket();
    const patched = await request('PATCH', `/v1/kt-tickets/${ticket.id}`, { body: { status: 'resolved' }, headers: { 'if-match': '*' } });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors[0].pointer).toBe('/status');
    const created = await request('POST', '/v1/kt-tickets', { body: { subject: 'Skip the queue', status: 'resolved' } });
    expect(created.statusCode).toBe(400);
    expect(created.json().errors[0].pointer).toBe('/status');
    // The record service refuses it too, for callers that do not pass through the HTTP schema (sync, ingestion).
    const entity = t.platform.registry.get('ktTicket');
    const context = { tenantId: (await t.platform.tenants.getTenant(tenant)).id };
    await expect(t.platform.records.update(context, entity, ticket.id, undefined, { status: 'resolved' })).rejects.toMatchObject({ code: 'records.transition_required' });
    await expect(t.platform.records.create(context, entity, { subject: 'x', status: 'cancelled' })).rejects.toMatchObject({ code: 'records.transition_required' });
  });

  it('validates the input of an action and writes nothing when it is bad', async () => {
    const ticket = await newTicket();
    for (const body of [undefined, {}, { resolution: '' }, { resolution: 'ok', extra: true }]) {
      const response = await request('POST', `/v1/kt-tickets/${ticket.id}/resolve`, { body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().code).toBe('http.validation_failed');
    }
    const bodyOnEmptyAction = await request('POST', `/v1/kt-tickets/${ticket.id}/start`, { body: { sneaky: 1 } });
    expect(bodyOnEmptyAction.statusCode).toBe(400);
    expect((await request('GET', `/v1/kt-tickets/${ticket.id}`)).json()).toMatchObject({ status: 'open', version: 1, resolution: null });
  });

  it("runs an app's rule for a non-transition action and leaves the record unchanged when the rule refuses", async () => {
    const ticket = await newTicket();
    for (let step = 1; step <= 3; step++) {
      const response = await request('POST', `/v1/kt-tickets/${ticket.id}/escalate`);
      expect(response.json()).toMatchObject({ priority: step, status: 'open' });
    }
    const refused = await request('POST', `/v1/kt-tickets/${ticket.id}/escalate`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('kt.top_priority');
    expect((await request('GET', `/v1/kt-tickets/${ticket.id}`)).json()).toMatchObject({ priority: 3, version: 4 });
  });

  it('applies the If-Match precondition and replays an action sent twice with one Idempotency-Key', async () => {
    const ticket = await newTicket();
    const stale = await request('POST', `/v1/kt-tickets/${ticket.id}/escalate`, { headers: { 'if-match': '"7"' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'records.version_mismatch', currentVersion: 1 });
    const key = randomUUID();
    const first = await request('POST', `/v1/kt-tickets/${ticket.id}/escalate`, { headers: { 'idempotency-key': key } });
    const second = await request('POST', `/v1/kt-tickets/${ticket.id}/escalate`, { headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect((await request('GET', `/v1/kt-tickets/${ticket.id}`)).json()).toMatchObject({ priority: 1, version: 2 });
  });

  it("grants each action by its own permission, within the role's row scope", async () => {
    const me = randomUUID();
    const member = { 'x-dev-roles': 'member', 'x-dev-user': me };
    const mine = await newTicket({ assignee: me });
    const theirs = await newTicket({ assignee: randomUUID() });
    expect((await request('POST', `/v1/kt-tickets/${mine.id}/start`, { headers: member })).statusCode).toBe(200);
    const cancel = await request('POST', `/v1/kt-tickets/${mine.id}/cancel`, { headers: member });
    expect(cancel.statusCode).toBe(403);
    expect(cancel.json().code).toBe('access.denied');
    // Outside the row scope the record does not exist for this principal.
    const other = await request('POST', `/v1/kt-tickets/${theirs.id}/start`, { headers: member });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('records.not_found');
    expect((await request('POST', `/v1/kt-tickets/${mine.id}/cancel`, { headers: { 'x-dev-roles': 'viewer' } })).statusCode).toBe(403);
    expect((await request('POST', `/v1/kt-tickets/${theirs.id}/cancel`, { headers: { 'x-dev-roles': 'manager' } })).json()).toMatchObject({ status: 'cancelled' });
  });

  it('answers 404 for an unknown record or action, and serves only actions that can run', async () => {
    expect((await request('POST', `/v1/kt-tickets/${randomUUID()}/start`)).json().code).toBe('records.not_found');
    expect((await request('POST', `/v1/kt-tickets/not-a-uuid/start`)).statusCode).toBe(400);
    const unknown = await request('POST', `/v1/kt-tickets/${randomUUID()}/explode`);
    expect(unknown.statusCode).toBe(404);
    const spec = (await t.platform.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = Object.keys(spec.paths as object);
    expect(paths).toEqual(expect.arrayContaining(['/v1/kt-tickets/{id}/start', '/v1/kt-tickets/{id}/resolve', '/v1/kt-tickets/{id}/escalate']));
    // ktWidget declares `approve` for its permissions but no handler: no route to run it.
    expect(paths).not.toContain('/v1/kt-widgets/{id}/approve');
  });
});
