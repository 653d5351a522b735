import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ktCategory, ktWidget } from '../../../test/model/kernel-test.model.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { openDatabase, withTenant, type Database, type TenantContext } from '../db/index.ts';
import { createRegistry } from '../model/index.ts';
import { createRecordService, type RecordService } from '../records/index.ts';
import { createTenantDirectory, type TenantDirectory } from '../tenancy/index.ts';
import { createAuditLog, lockChainAfter, maskedValue, platformChainId, type AuditLog } from './index.ts';

let database: TestDatabase;
let app: Database;
let audit: AuditLog;
let records: RecordService;
let tenants: TenantDirectory;
let counter = 0;
const newTenant = () => tenants.createTenant({ slug: `audit-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Audited' });
const owner = () => database.owner.db;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 8 });
  audit = createAuditLog(app.db);
  records = createRecordService(app.db, createRegistry(testModules.flatMap((module) => module.entities)), { listeners: [audit.listener] });
  tenants = createTenantDirectory(app.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** Every entry of the tenant's log but the batch events: one per change. */
async function auditRows(tenantId: string) {
  const result = await sql<{ seq: number; action: string; entity: string | null; record_id: string | null; changes: Record<string, { before: unknown; after: unknown }>; row: string }>`
    select seq, action, entity, record_id, changes, to_jsonb(a)::text as row from audit_entries a where tenant_id = ${tenantId} and action <> 'audit.batch' order by seq`.execute(owner());
  return result.rows;
}

describe('audit rows of record writes', () => {
  it("keeps what the writer says about a write in the event's details, in the chain; of an entity not audited, only such writes, without their fields", async () => {
    const tenant = await newTenant();
    const context: TenantContext = { tenantId: tenant.id };
    const said = { ingest: { operation: 'create', row: 7, run: 'r1', sourceKey: 'K7', system: 'ERP' } };
    const [created] = await records.createMany(context, ktCategory, [{ code: 'D-1', title: 'Said' }, { code: 'D-2', title: 'Unsaid' }], undefined, [said]);
    await records.updateMany(context, ktCategory, [{ id: created!.id, input: { title: 'Said again' }, details: { ingest: { ...said.ingest, operation: 'update' } } }]);
    const unaudited = { ...ktCategory, audited: false };
    await records.createMany(context, unaudited, [{ code: 'D-3', title: 'Quiet' }, { code: 'D-4', title: 'Quiet but said' }], undefined, [undefined, said]);
    const rows = await sql<{ action: string; changes: Record<string, unknown>; details: Record<string, unknown>; batch_seq: number | null }>`
      select action, changes, details, batch_seq from audit_entries where tenant_id = ${tenant.id} order by seq`.execute(owner());
    // The two creates told at once: a batch and its two items; one write told alone: an event.
    expect(rows.rows.map((row) => [row.action, Object.keys(row.changes).length > 0, row.details, row.batch_seq])).toEqual([
      ['audit.batch', false, { items: 2, itemsHash: expect.stringMatching(/^[0-9a-f]{64}$/) }, null],
      ['create', true, said, 1],
      ['create', true, {}, 1],
      ['update', true, { ingest: { ...said.ingest, operation: 'update' } }, null],
      ['create', false, said, null],
    ]);
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: 5, headSeq: 5 });
  });

  it('stores the values of a bulk append exactly as hashed, tabs, newlines, backslashes and quotes included', async () => {
    const tenant = await newTenant();
    const context: TenantContext = { tenantId: tenant.id, requestId: 'req\tone\nline', ip: '203.0.113.9' };
    const titles = ['tab\there', 'new\nline\r\n', 'back\\slash \\t \\n', 'quote " and \'', 'line sep \u2028 para \u2029', 'emoji 🧾 é'];
    const said = { ingest: { operation: 'create', row: 1, run: 'r\t1', sourceKey: 'K\n"1"\\', system: 'ERP' } };
    const created = await records.createMany(context, ktCategory, titles.map((title, index) => ({ code: `T-${index}`, title })), undefined, titles.map(() => said));
    const rows = await sql<{ record_id: string; changes: { title: { after: string } }; details: unknown; request_id: string }>`
      select record_id, changes, details, request_id from audit_entries where tenant_id = ${tenant.id} and batch_seq is not null order by seq`.execute(owner());
    expect(rows.rows.map((row) => [row.record_id, row.changes.title.after, row.details, row.request_id])).toEqual(created.map((record, index) => [record.id, titles[index], said, context.requestId]));
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: titles.length + 1 });
  });

  it('writes exactly one row per change over a batch of 10,000 writes, in one intact chain per tenant', async () => {
    const started = Date.now();
    const chosen = await Promise.all([1, 2, 3, 4].map(() => newTenant()));
    // Per tenant: 2,000 creates in 4 transactions, then 375 updates and 125 deletes in their own: 2,500 writes.
    const expected = new Map<string, string[]>();
    await Promise.all(
      chosen.map(async (tenant) => {
        const context: TenantContext = { tenantId: tenant.id };
        const ids: string[] = [];
        for (let batch = 0; batch < 4; batch++) {
          await withTenant(app.db, context, async (tx) => {
            for (let index = 0; index < 500; index++) {
              const created = await records.create(context, ktCategory, { code: `C-${batch}-${index}`, title: `Category ${index}` }, tx);
              ids.push(created.id);
            }
          });
        }
        const writes = ids.map((id) => `create:${id}`);
        for (const id of ids.slice(0, 375)) {
          await records.update(context, ktCategory, id, 1, { title: `Renamed ${id}` });
          writes.push(`update:${id}`);
        }
        for (const id of ids.slice(375, 500)) {
          await records.remove(context, ktCategory, id, 1);
          writes.push(`delete:${id}`);
        }
        expected.set(tenant.id, writes);
      }),
    );
    let total = 0;
    for (const tenant of chosen) {
      const rows = await auditRows(tenant.id);
      total += rows.length;
      expect(rows.map((row) => `${row.action}:${row.record_id}`).sort()).toEqual([...expected.get(tenant.id)!].sort());
      expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
      const report = await audit.verifyChain(tenant.id);
      expect(report).toMatchObject({ intact: true, checked: 2_500, headSeq: 2_500 });
    }
    expect(total).toBe(10_000);
    console.log(`10,000 audited writes in ${Date.now() - started} ms`);
  }, 60_000);

  it('records only the changed fields, before and after, with the actor, request id and address', async () => {
    const tenant = await newTenant();
    const userId = '0190f5a4-1111-7000-8000-000000000001';
    const context: TenantContext = { tenantId: tenant.id, userId, requestId: 'req-audit-1', ip: '203.0.113.7' };
    const created = await records.create(context, ktWidget, { code: 'AW-1', name: 'First', quantity: 3, price: { amount: 1250, currency: 'EUR' } });
    await records.update({ ...context, userId: null, apiKeyId: '0190f5a4-2222-7000-8000-000000000002' }, ktWidget, created.id, 1, { name: 'Second', quantity: 3 });
    const page = await audit.list(context, { recordId: created.id });
    const [update, create] = page.data;
    expect(create).toMatchObject({ seq: 1, action: 'create', entity: 'ktWidget', actor: { kind: 'user', id: userId }, requestId: 'req-audit-1', ip: '203.0.113.7' });
    expect(create!.changes).toMatchObject({ code: { before: null, after: 'AW-1' }, price: { before: null, after: { amount: 1250, currency: 'EUR' } } });
    expect(update).toMatchObject({ seq: 2, action: 'update', actor: { kind: 'api_key' }, changes: { name: { before: 'First', after: 'Second' } } });
    expect(Object.keys(update!.changes)).toEqual(['name']); // quantity was sent but did not change
    expect(update!.prevHash).toBe(create!.hash);
  });

  it('leaves no audit row behind a write that rolls back', async () => {
    const tenant = await newTenant();
    const context = { tenantId: tenant.id };
    await expect(
      withTenant(app.db, context, async (tx) => {
        await records.create(context, ktCategory, { code: 'GONE', title: 'Rolled back' }, tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await auditRows(tenant.id)).toEqual([]);
  });

  it('never stores the value of a personal-data field, only that it changed', async () => {
    const tenant = await newTenant();
    const context = { tenantId: tenant.id };
    const secrets = ['alice.secret@example.com', 'bob.hidden@example.org'];
    const created = await records.create(context, ktWidget, { code: 'PD-1', name: 'Personal', ownerEmail: secrets[0] });
    await records.update(context, ktWidget, created.id, 1, { ownerEmail: secrets[1] });
    await records.update(context, ktWidget, created.id, 2, { ownerEmail: null });
    await records.remove(context, ktWidget, created.id);
    const rows = await auditRows(tenant.id);
    expect(rows).toHaveLength(4);
    for (const row of rows) for (const secret of secrets) expect(row.row).not.toContain(secret.split('@')[0]);
    expect(rows.map((row) => row.changes.ownerEmail)).toEqual([
      { before: null, after: maskedValue },
      { before: maskedValue, after: maskedValue },
      { before: maskedValue, after: null },
      undefined, // the delete lists the fields the record had; the e-mail was already cleared
    ]);
    expect(rows[3]!.changes.name).toEqual({ before: 'Personal', after: null });
  });

  it('keeps one valid chain while many transactions of one tenant append at once', async () => {
    const tenant = await newTenant();
    const context = { tenantId: tenant.id };
    await Promise.all(Array.from({ length: 40 }, (_, index) => records.create(context, ktCategory, { code: `P-${index}`, title: 'Parallel' })));
    const rows = await auditRows(tenant.id);
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: 40 });
  });

  it('lets a writer that holds a later transaction open until an earlier one commits say which locks the chain first', async () => {
    const tenant = await newTenant();
    const context = { tenantId: tenant.id };
    let laterStarted!: () => void;
    const started = new Promise<void>((resolve) => (laterStarted = resolve));
    // The earlier transaction appends after the later one has started appending: had the later one
    // taken the chain lock, the earlier would wait for it (here: until its lock timeout) while the
    // later waits for the earlier's commit.
    const earlier = withTenant(app.db, context, async (tx) => {
      await sql`set local lock_timeout = '3s'`.execute(tx);
      await started;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await records.create(context, ktCategory, { code: 'E-1', title: 'Earlier' }, tx);
    });
    const later = withTenant(app.db, context, async (tx) => {
      lockChainAfter(tx, earlier);
      laterStarted();
      await records.create(context, ktCategory, { code: 'L-1', title: 'Later' }, tx);
      await earlier;
    });
    await Promise.all([earlier, later]);
    const rows = await auditRows(tenant.id);
    expect(rows.map((row) => [row.seq, (row.changes.code as { after: unknown }).after])).toEqual([[1, 'E-1'], [2, 'L-1']]);
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: 2 });
  });
});

describe('reading batches', () => {
  it('lists events and batch items as one log, newest first, paged and filtered as events alone were', async () => {
    const tenant = await newTenant();
    const userId = '0190f5a4-4444-7000-8000-000000000004';
    const context: TenantContext = { tenantId: tenant.id };
    const asUser: TenantContext = { ...context, userId };
    const first = await records.create(context, ktCategory, { code: 'R-0', title: 'Before' }); // seq 1
    const batched = await records.createMany(asUser, ktCategory, [1, 2, 3].map((index) => ({ code: `R-${index}`, title: `Batched ${index}` }))); // seq 2, items 3-5
    await records.update(context, ktCategory, first.id, 1, { title: 'After' }); // seq 6
    const all: number[] = [];
    for (let cursor: string | undefined, pages = 0; pages < 10; pages++) {
      const page = await audit.list(context, { limit: 2, ...(cursor ? { cursor } : {}) });
      all.push(...page.data.map((event) => event.seq));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(all).toEqual([6, 5, 4, 3, 2, 1]);
    const item = await audit.get(context, 4);
    expect(item).toMatchObject({ seq: 4, batch: 2, action: 'create', entity: 'ktCategory', recordId: batched[1]!.id, actor: { kind: 'user', id: userId }, changes: { title: { before: null, after: 'Batched 2' } } });
    expect(await audit.get(context, 2)).toMatchObject({ seq: 2, batch: null, action: 'audit.batch', entity: null, details: { items: 3 }, hash: item.hash });
    const seqs = async (query: Parameters<AuditLog['list']>[1]) => (await audit.list(context, query)).data.map((event) => event.seq);
    expect(await seqs({ action: 'create' })).toEqual([5, 4, 3, 1]);
    expect(await seqs({ actorId: userId })).toEqual([5, 4, 3, 2]);
    expect(await seqs({ actorId: userId, action: 'create', limit: 2 })).toEqual([5, 4]);
    expect(await seqs({ entity: 'ktCategory', recordId: batched[2]!.id })).toEqual([5]);
    expect(await seqs({ entity: 'ktCategory', recordId: first.id })).toEqual([6, 1]);
    expect(await seqs({ from: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await seqs({ actorId: userId, to: new Date(Date.now() - 3_600_000).toISOString() })).toEqual([]);
    expect(await seqs({ actorId: userId, from: new Date(Date.now() - 3_600_000).toISOString() })).toEqual([5, 4, 3, 2]);
  });
});

describe('security events', () => {
  it('appends a security event to the chain of the transaction tenant, with the actor given', async () => {
    const tenant = await newTenant();
    const userId = '0190f5a4-3333-7000-8000-000000000003';
    const event = await withTenant(app.db, { tenantId: tenant.id }, (tx) =>
      audit.recordSecurityEvent(tx, { action: 'auth.login_succeeded', actor: { kind: 'user', id: userId }, details: { method: 'password' } }, { requestId: 'req-login', ip: '198.51.100.1' }),
    );
    expect(event).toMatchObject({ seq: 1, action: 'auth.login_succeeded', actor: { kind: 'user', id: userId }, changes: {}, details: { method: 'password' }, requestId: 'req-login', ip: '198.51.100.1' });
    expect(await audit.get({ tenantId: tenant.id }, 1)).toEqual(event);
  });

  it('puts events with no tenant on the platform chain, which no tenant reads', async () => {
    const first = await audit.recordPlatformSecurityEvent({ action: 'auth.login_failed', actor: { kind: 'anonymous', id: null }, details: { reason: 'unknown_account' }, ip: '192.0.2.9' });
    const second = await audit.recordPlatformSecurityEvent({ action: 'auth.login_failed', actor: { kind: 'anonymous', id: null }, details: { reason: 'unknown_account' } });
    expect(second.seq).toBe(first.seq + 1);
    expect(second.prevHash).toBe(first.hash);
    expect(await audit.verifyChain(platformChainId)).toMatchObject({ intact: true });
    const tenant = await newTenant();
    expect((await audit.list({ tenantId: tenant.id }, {})).data).toEqual([]);
  });

  it('refuses a malformed event before writing anything', async () => {
    const tenant = await newTenant();
    await expect(withTenant(app.db, { tenantId: tenant.id }, (tx) => audit.recordSecurityEvent(tx, { action: 'Login Failed!' }))).rejects.toMatchObject({ code: 'audit.invalid_event' });
    await expect(audit.recordPlatformSecurityEvent({ action: 'auth.x', actor: { kind: 'root' as never, id: null } })).rejects.toMatchObject({ code: 'audit.invalid_event' });
    expect(await auditRows(tenant.id)).toEqual([]);
  });
});

describe('append-only by database privileges', () => {
  it.each(['audit_events', 'audit_event_items'])('refuses UPDATE, DELETE and TRUNCATE of %s to the runtime role, even with its tenant set', async (table) => {
    const tenant = await newTenant();
    const context = { tenantId: tenant.id };
    await records.create(context, ktCategory, { code: 'AO-1', title: 'Append only' });
    await records.createMany(context, ktCategory, [{ code: 'AO-2', title: 'Append only' }, { code: 'AO-3', title: 'Append only' }]);
    const attempts = [
      sql`update ${sql.table(table)} set action = 'tampered' where tenant_id = ${tenant.id}`,
      sql`delete from ${sql.table(table)} where tenant_id = ${tenant.id}`,
      sql`truncate ${sql.table(table)}`,
    ];
    for (const statement of attempts) {
      await expect(withTenant(app.db, context, (tx) => statement.execute(tx))).rejects.toMatchObject({ code: '42501' });
    }
    expect(await auditRows(tenant.id)).toHaveLength(3);
  });

  it('removes a deleted tenant\'s audit rows with the tenant, batch items included, and no other tenant\'s', async () => {
    const doomed = await newTenant();
    const kept = await newTenant();
    for (const tenant of [doomed, kept]) {
      await records.create({ tenantId: tenant.id }, ktCategory, { code: 'DEL-1', title: 'Deleted with the tenant' });
      await records.createMany({ tenantId: tenant.id }, ktCategory, [{ code: 'DEL-2', title: 'Batched' }, { code: 'DEL-3', title: 'Batched' }]);
    }
    await tenants.deleteTenant(doomed.id);
    expect(await auditRows(doomed.id)).toEqual([]);
    const items = async (tenantId: string) => Number((await sql<{ count: string }>`select count(*) from audit_event_items where tenant_id = ${tenantId}`.execute(owner())).rows[0]!.count);
    expect(await items(doomed.id)).toBe(0);
    expect(await auditRows(kept.id)).toHaveLength(3);
    expect(await items(kept.id)).toBe(2);
  });
});
