/** GET /v1/ingest/runs/{id}/changes over HTTP on the real database: a run's writes from the lineage its audit events carry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import type { ApiRecord } from '../records/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import type { IngestRun, MappingSpec, RunChange } from './index.ts';

const spec: MappingSpec = {
  specVersion: 1,
  name: 'erp-outlets',
  entity: 'outlet',
  system: 'ERP-CHANGES',
  source: { format: 'ndjson' },
  key: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
  fields: {
    code: { from: 'KUNNR', transforms: [{ op: 'stripLeadingZeros' }] },
    name: { from: 'NAME1' },
    channel: { constant: 'kiosk' },
  },
};

let t: TestPlatform;
let tenant: Tenant;
let other: Tenant;

const request = (url: string, as: Tenant = tenant, body?: unknown) =>
  t.platform.http.inject({
    method: body === undefined ? 'GET' : 'POST',
    url,
    headers: { 'x-tenant': as.slug, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
const push = async (records: { KUNNR: string; NAME1: string }[], mode: 'delta' | 'full'): Promise<IngestRun> => {
  const response = await request(`/v1/ingest/batches?spec=erp-outlets&wait=true&mode=${mode}`, tenant, { records });
  expect(response.statusCode, response.body).toBe(200);
  const run = response.json() as IngestRun;
  expect(run.status).toBe('succeeded');
  return run;
};
const changesOf = async (runId: string, query = ''): Promise<{ data: RunChange[]; nextAfter: number | null }> => {
  const response = await request(`/v1/ingest/runs/${runId}/changes${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const outletsByCode = async (): Promise<Map<string, ApiRecord>> => {
  const page = await t.platform.records.list({ tenantId: tenant.id }, t.platform.registry.find('outlet')!, { limit: '200' }, { defaultLimit: 50, maxLimit: 200 });
  return new Map(page.data.map((record) => [record.code as string, record]));
};
const expectProblem = async (url: string, status: number, as: Tenant = tenant) => {
  const response = await request(url, as);
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.body).not.toMatch(/select |audit_events|at .*\.ts:/i);
};

let first: IngestRun;
let second: IngestRun;

beforeAll(async () => {
  t = await startTestPlatform({ DATA_DIR: makeTempDir('ingest-changes-') });
  tenant = await t.createTenant();
  other = await t.createTenant();
  for (const as of [tenant, other]) {
    const saved = await t.platform.http.inject({ method: 'PUT', url: '/v1/ingest/specs/erp-outlets', headers: { 'x-tenant': as.slug, 'content-type': 'application/json' }, payload: JSON.stringify(spec) });
    expect(saved.statusCode, saved.body).toBe(201);
  }
  first = await push([{ KUNNR: '0000300001', NAME1: 'Alpha' }, { KUNNR: '0000300002', NAME1: 'Beta' }, { KUNNR: '0000300003', NAME1: 'Gamma' }], 'delta');
  // Alpha unchanged, Beta renamed, Gamma left out of a full load: one update, one deactivation.
  second = await push([{ KUNNR: '0000300001', NAME1: 'Alpha' }, { KUNNR: '0000300002', NAME1: 'Beta Two' }], 'full');
});
afterAll(() => t?.close());

describe('GET /v1/ingest/runs/{id}/changes', () => {
  it("lists a run's writes in the order they were written, each with its record, source key, row and operation", async () => {
    const outlets = await outletsByCode();
    const { data, nextAfter } = await changesOf(first.id);
    expect(nextAfter).toBeNull();
    expect(data.map(({ seq: _seq, occurredAt: _at, ...change }) => change)).toEqual(
      ['300001', '300002', '300003'].map((key, index) => ({ operation: 'create', action: 'create', entity: 'outlet', recordId: outlets.get(key)!.id, system: 'ERP-CHANGES', sourceKey: key, row: index + 1 })),
    );
    expect(data.map((change) => change.seq)).toEqual([...data.map((change) => change.seq)].sort((a, b) => a - b));
    // Each change is the audit event it was read from.
    for (const change of data) {
      const event = (await request(`/v1/audit-events/${change.seq}`)).json() as { recordId: string; details: { ingest: { run: string } } };
      expect(event.recordId).toBe(change.recordId);
      expect(event.details.ingest.run).toBe(first.id);
    }
  });

  it("lists only the run's own writes: not unchanged rows, not another run's writes; a full load's missing record has no row", async () => {
    const outlets = await outletsByCode();
    const { data } = await changesOf(second.id);
    expect(data.map(({ operation, recordId, sourceKey, row }) => ({ operation, recordId, sourceKey, row }))).toEqual([
      { operation: 'update', recordId: outlets.get('300002')!.id, sourceKey: '300002', row: 2 },
      { operation: 'deactivate', recordId: outlets.get('300003')!.id, sourceKey: '300003', row: null },
    ]);
    expect((await changesOf(second.id, '?operation=deactivate')).data.map((change) => change.sourceKey)).toEqual(['300003']);
    expect((await changesOf(second.id, '?operation=create')).data).toEqual([]);
  });

  it('pages by the seq of the last change: every write once, in order', async () => {
    const all = (await changesOf(first.id)).data;
    const seen: RunChange[] = [];
    let after: number | null = null;
    do {
      const page = await changesOf(first.id, `?limit=2${after === null ? '' : `&after=${after}`}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      after = page.nextAfter;
    } while (after !== null);
    expect(seen).toEqual(all);
  });

  it('answers bad paging, an unknown operation or run with a problem, and shows another tenant nothing', async () => {
    for (const query of ['?after=-1', '?after=abc', '?after=999999', '?limit=0', '?limit=5001', '?operation=merge']) await expectProblem(`/v1/ingest/runs/${first.id}/changes${query}`, 400);
    await expectProblem('/v1/ingest/runs/00000000-0000-4000-8000-000000000000/changes', 404);
    await expectProblem('/v1/ingest/runs/not-a-run/changes', 404);
    await expectProblem(`/v1/ingest/runs/${first.id}/changes`, 404, other);
  });
});
