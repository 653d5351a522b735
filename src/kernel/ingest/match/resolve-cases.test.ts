/** Deciding review and conflict cases, dismissing them and unlinking merges, through the service and over HTTP, on the real database. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../test/support/platform.ts';
import { withTenant, type TenantContext } from '../../db/index.ts';
import { fuzzyLoads } from './fuzzy-loads.fixture.ts';

let t: TestPlatform;
let loads: ReturnType<typeof fuzzyLoads>;

beforeAll(async () => {
  t = await startTestPlatform();
  loads = fuzzyLoads(t);
});
afterAll(() => t?.close());

const countOf = async (context: TenantContext, query: string) =>
  withTenant(t.platform.database.db, context, async (tx) => Number((await sql<{ count: string }>`select count(*) from ${sql.raw(query)}`.execute(tx)).rows[0]!.count));

/** A tenant with an app-entered kiosk and a load that queued a likely duplicate of it (same name, another house number). */
async function queuedReview() {
  const context = await loads.tenant({ survivorship: { street: 'local' } });
  const candidate = await loads.local(context, { code: 'L-1', name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', postalCode: '10115', city: 'Berlin', email: 'local@example.com' });
  const run = await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;030 1234567;;');
  expect(run.counts).toMatchObject({ queued: 1 });
  const [review] = await t.platform.ingest.listCases(context);
  return { context, candidate, review: review! };
}

describe('review cases', () => {
  it('merges a review into its candidate per survivorship, audited and in the sync log, and the merge can be unlinked', async () => {
    const { context, candidate, review } = await queuedReview();
    const audited = await countOf(context, 'audit_entries');
    const outcome = await t.platform.ingest.resolveCase(context, review.id, 'merge');
    expect(outcome).toMatchObject({ caseId: review.id, decision: 'merge', recordId: candidate.id, mergeId: expect.any(String) });
    const [merged] = await loads.outlets(context);
    // street is `local` by the spec's rules; the other source-owned fields follow the source; email is not source-owned.
    expect(merged).toMatchObject({ id: candidate.id, code: '200001', street: 'Bahnhofstraße 5', phone: '+49301234567', email: 'local@example.com' });
    expect(await loads.xrefOf(context, '200001')).toBe(candidate.id);
    expect(await t.platform.ingest.listCases(context)).toEqual([]);
    expect(await countOf(context, 'audit_entries')).toBe(audited + 1);
    expect(await countOf(context, `sync_changes where record_id = '${candidate.id}'`)).toBe(2);
    await expect(t.platform.ingest.resolveCase(context, review.id, 'merge')).rejects.toMatchObject({ code: 'ingest.case_closed' });

    const unlinked = await t.platform.ingest.unlinkMerge(context, outcome.mergeId!);
    expect(unlinked).toMatchObject({ recordId: candidate.id, restored: expect.arrayContaining(['code', 'phone']), kept: [] });
    const byId = new Map((await loads.outlets(context)).map((record) => [record.id, record]));
    expect(byId.get(candidate.id)).toMatchObject({ code: 'L-1', name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', phone: null, email: 'local@example.com' });
    expect(byId.get(unlinked.splitRecordId)).toMatchObject({ code: '200001', street: 'Bahnhofstr. 7', phone: '+49301234567' });
    expect(await loads.xrefOf(context, '200001')).toBe(unlinked.splitRecordId);
    await expect(t.platform.ingest.unlinkMerge(context, outcome.mergeId!)).rejects.toMatchObject({ code: 'ingest.merge_reverted' });
    // The next load of the key updates its own record, unchanged.
    expect((await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;030 1234567;;')).counts).toMatchObject({ unchanged: 1 });
  });

  it('loads a review as a distinct record from the kept row', async () => {
    const { context, candidate, review } = await queuedReview();
    const outcome = await t.platform.ingest.resolveCase(context, review.id, 'distinct');
    expect(outcome.recordId).not.toBe(candidate.id);
    expect(await loads.outlets(context)).toEqual([expect.objectContaining({ id: outcome.recordId, code: '200001', street: 'Bahnhofstr. 7', phone: '+49301234567' }), expect.objectContaining({ id: candidate.id, code: 'L-1' })]);
    expect(await loads.xrefOf(context, '200001')).toBe(outcome.recordId);
  });

  it('dismisses a case without writing, and refuses decisions that do not fit the case', async () => {
    const { context, review } = await queuedReview();
    await expect(t.platform.ingest.resolveCase(context, review.id, 'takeSource')).rejects.toMatchObject({ code: 'ingest.decision_not_applicable' });
    await t.platform.ingest.dismissCase(context, review.id);
    expect(await loads.outlets(context)).toHaveLength(1);
    await expect(t.platform.ingest.dismissCase(context, review.id)).rejects.toMatchObject({ code: 'ingest.case_closed' });
    await expect(t.platform.ingest.resolveCase(context, 'not-a-case', 'merge')).rejects.toMatchObject({ code: 'ingest.case_not_found' });
    // A dismissed review's row goes through matching again with the next load.
    expect((await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;')).counts).toMatchObject({ queued: 1 });
  });

  it('closes an open review when a later load writes its key (here: now linked by an exact key)', async () => {
    const context = await loads.tenant({ exact: ['taxId'] });
    const candidate = await loads.local(context, { code: 'L-1', name: 'Kiosk am Eck', street: 'Bahnhofstraße 5', postalCode: '10115', taxId: 'DE136695976' });
    expect((await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;')).counts).toMatchObject({ queued: 1 });
    expect((await loads.load(context, '200001;Kiosk am Eck;Bahnhofstr. 7;10115;Berlin;;;DE136695976')).counts).toMatchObject({ merged: 1, queued: 0 });
    expect(await t.platform.ingest.listCases(context)).toEqual([]);
    expect(await t.platform.ingest.listMerges(context, { recordId: candidate.id })).toEqual([expect.objectContaining({ sourceKey: '200001', match: 'exact', status: 'active' })]);
  });
});

describe('unlinking', () => {
  it('restores what the merge wrote and keeps what changed since, listing both', async () => {
    const context = await loads.tenant();
    const survivor = await loads.local(context, { code: 'L-9', name: 'Müller Getränkemarkt GmbH', street: 'Hauptstraße 12', postalCode: '70173', city: 'Stuttgart' });
    expect((await loads.load(context, '100001;Mueller Getraenkemarkt;Hauptstr. 12;70173;Stuttgart;;;')).counts).toMatchObject({ merged: 1 });
    await t.platform.records.update(context, loads.outlet, survivor.id, undefined, { name: 'Müller Markt (edited)' });
    const [merge] = await t.platform.ingest.listMerges(context, { sourceKey: '100001' });
    const outcome = await t.platform.ingest.unlinkMerge(context, merge!.id);
    expect(outcome.kept).toEqual(['name']);
    expect(outcome.restored).toEqual(expect.arrayContaining(['code', 'street']));
    const byId = new Map((await loads.outlets(context)).map((record) => [record.id, record]));
    expect(byId.get(survivor.id)).toMatchObject({ code: 'L-9', name: 'Müller Markt (edited)', street: 'Hauptstraße 12' });
    expect(byId.get(outcome.splitRecordId)).toMatchObject({ code: '100001', name: 'Mueller Getraenkemarkt', street: 'Hauptstr. 12' });
  });
});

describe('conflict cases', () => {
  async function conflict() {
    const context = await loads.tenant();
    expect((await loads.load(context, '300001;Kiosk Nord;Nordweg 1;20095;Hamburg;;;')).counts).toMatchObject({ created: 1 });
    const [record] = await loads.outlets(context);
    await t.platform.records.update(context, loads.outlet, record!.id, undefined, { street: 'Nordweg 1a (local)' });
    expect((await loads.load(context, '300001;Kiosk Nord;Nordweg 3;20095;Hamburg;;;')).counts).toMatchObject({ conflicts: 1 });
    const [found] = await t.platform.ingest.listCases(context);
    return { context, record: record!, found: found! };
  }

  it("takes the source's value when asked, and the next load agrees", async () => {
    const { context, record, found } = await conflict();
    expect(await t.platform.ingest.resolveCase(context, found.id, 'takeSource')).toMatchObject({ decision: 'takeSource', recordId: record.id, mergeId: null });
    expect((await loads.outlets(context))[0]).toMatchObject({ street: 'Nordweg 3' });
    expect((await loads.load(context, '300001;Kiosk Nord;Nordweg 3;20095;Hamburg;;;')).counts).toMatchObject({ unchanged: 1, conflicts: 0 });
  });

  it('keeps the local value, and a later load with another change leaves it alone', async () => {
    const { context, found } = await conflict();
    await expect(t.platform.ingest.resolveCase(context, found.id, 'merge')).rejects.toMatchObject({ code: 'ingest.decision_not_applicable' });
    await t.platform.ingest.resolveCase(context, found.id, 'keepLocal');
    expect((await loads.load(context, '300001;Kiosk Nord;Nordweg 3;20095;Hamburg;040 123456;;')).counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await loads.outlets(context))[0]).toMatchObject({ street: 'Nordweg 1a (local)', phone: '+4940123456' });
  });
});

describe('HTTP', () => {
  it('resolves, dismisses, lists merges and unlinks over the ingest routes, with problem codes', async () => {
    const { context, candidate, review } = await queuedReview();
    const tenant = await t.platform.tenants.getTenant(context.tenantId);
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug }, ...(payload ? { payload } : {}) });
    const bad = await call('POST', `/v1/ingest/cases/${review.id}/resolve`, { decision: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('http.validation_failed');
    const missing = await call('POST', '/v1/ingest/cases/01890a5d-ac96-774b-bcce-b302099a8057/dismiss');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().code).toBe('ingest.case_not_found');
    const listed = (await call('GET', '/v1/ingest/cases')).json().data;
    expect(listed).toEqual([expect.objectContaining({ id: review.id, kind: 'review', candidateId: candidate.id, score: expect.any(Number) })]);
    const resolved = await call('POST', `/v1/ingest/cases/${review.id}/resolve`, { decision: 'merge' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ recordId: candidate.id, mergeId: expect.any(String) });
    const again = await call('POST', `/v1/ingest/cases/${review.id}/dismiss`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ingest.case_closed');
    const merges = (await call('GET', `/v1/ingest/merges?recordId=${candidate.id}`)).json().data;
    expect(merges).toEqual([expect.objectContaining({ id: resolved.json().mergeId, match: 'review', status: 'active' })]);
    const unlinked = await call('POST', `/v1/ingest/merges/${merges[0].id}/unlink`);
    expect(unlinked.statusCode).toBe(200);
    expect(unlinked.json()).toMatchObject({ recordId: candidate.id, splitRecordId: expect.any(String) });
    expect((await call('POST', `/v1/ingest/merges/${merges[0].id}/unlink`)).json().code).toBe('ingest.merge_reverted');
    const other = await t.createTenant();
    const foreign = await t.platform.http.inject({ method: 'POST', url: `/v1/ingest/merges/${merges[0].id}/unlink`, headers: { 'x-tenant': other.slug } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('ingest.merge_not_found');
  });
});
