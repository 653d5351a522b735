import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ktCategory } from '../../../test/model/kernel-test.model.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { testModules } from '../../../test/support/test-env.ts';
import { openDatabase, withTenant, type Database, type TenantTx } from '../db/index.ts';
import { createRegistry } from '../model/index.ts';
import { createRecordService, type RecordService } from '../records/index.ts';
import { createTenantDirectory, type Tenant, type TenantDirectory } from '../tenancy/index.ts';
import { canonicalJson } from './audit-chain.ts';
import { verifyTenantChain } from './chain-verification.ts';
import { createAuditLog, type AuditLog } from './index.ts';

let database: TestDatabase;
let app: Database;
let audit: AuditLog;
let records: RecordService;
let tenants: TenantDirectory;
let counter = 0;
const owner = () => database.owner.db;

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 4 });
  audit = createAuditLog(app.db);
  records = createRecordService(app.db, createRegistry(testModules.flatMap((module) => module.entities)), { listeners: [audit.listener] });
  tenants = createTenantDirectory(app.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** A tenant with a chain of `writes` events: creates, then updates of the first record. */
async function tenantWithChain(writes = 6): Promise<Tenant> {
  const tenant = await tenants.createTenant({ slug: `chain-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Chained' });
  const context = { tenantId: tenant.id, requestId: `req-${counter}`, ip: '127.0.0.1' };
  const first = await records.create(context, ktCategory, { code: 'C-0', title: 'Zero' });
  for (let index = 1; index < writes; index++) {
    if (index % 2 === 1) await records.create(context, ktCategory, { code: `C-${index}`, title: `Title ${index}` });
    else await records.update(context, ktCategory, first.id, undefined, { title: `Renamed ${index}` });
  }
  return tenant;
}

const tamper = (statement: RawBuilder<unknown>) => statement.execute(owner());

describe('the audit chain check', () => {
  it('reports an untouched chain as intact, with its head', async () => {
    const tenant = await tenantWithChain();
    const report = await audit.verifyChain(tenant.id);
    expect(report).toMatchObject({ tenantId: tenant.id, intact: true, checked: 6, headSeq: 6 });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.problem).toBeUndefined();
  });

  it('catches an edit made directly in the database', async () => {
    const tenant = await tenantWithChain();
    await tamper(sql`update audit_events set changes = '{"title":{"before":"Zero","after":"Forged"}}' where tenant_id = ${tenant.id} and seq = 3`);
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: false, checked: 3, problem: { kind: 'edited', seq: 3 } });
  });

  it('catches a deleted row by the gap it leaves', async () => {
    const tenant = await tenantWithChain();
    await tamper(sql`delete from audit_events where tenant_id = ${tenant.id} and seq = 4`);
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: false, problem: { kind: 'deleted', seq: 5 } });
  });

  it('catches a deleted row even when the rows after it were renumbered to close the gap', async () => {
    const tenant = await tenantWithChain();
    await tamper(sql`delete from audit_events where tenant_id = ${tenant.id} and seq = 4`);
    await tamper(sql`update audit_events set seq = seq + 1000 where tenant_id = ${tenant.id} and seq > 4`);
    await tamper(sql`update audit_events set seq = seq - 1001 where tenant_id = ${tenant.id} and seq > 1000`);
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: false, problem: { kind: 'deleted', seq: 4 } });
  });

  it('catches a reordering of two rows', async () => {
    const tenant = await tenantWithChain();
    await tamper(sql`update audit_events set seq = seq + 1000 where tenant_id = ${tenant.id} and seq in (2, 3)`);
    await tamper(sql`update audit_events set seq = case seq when 1002 then 3 else 2 end where tenant_id = ${tenant.id} and seq in (1002, 1003)`);
    const report = await audit.verifyChain(tenant.id);
    expect(report).toMatchObject({ intact: false, problem: { kind: 'reordered', seq: 2 } });
    expect(report.problem!.detail).toContain('after seq 3');
  });

  it('catches a row rewritten together with its own hash, at the row after it', async () => {
    const tenant = await tenantWithChain();
    await tamper(sql`update audit_events set action = 'delete', hash = repeat('a', 64) where tenant_id = ${tenant.id} and seq = 2`);
    // Row 2 now matches neither its hash nor (had the forger recomputed it) the link row 3 holds.
    expect((await audit.verifyChain(tenant.id)).intact).toBe(false);
  });

  it('keeps a hash or link that is not 64 lower-case hex digits out of the table', async () => {
    const tenant = await tenantWithChain(1);
    const malformed = ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`, `${'a'.repeat(64)}\n`, ''];
    for (const [column, value] of malformed.flatMap((value) => [['hash', value], ['prev_hash', value]] as const)) {
      await expect(tamper(sql`update audit_events set ${sql.ref(column)} = ${value} where tenant_id = ${tenant.id} and seq = 1`), `${column} ${JSON.stringify(value)}`).rejects.toMatchObject({ code: '23514' });
    }
    await tamper(sql`update audit_events set hash = ${'0123456789abcdef'.repeat(4)}, prev_hash = ${'f'.repeat(64)} where tenant_id = ${tenant.id} and seq = 1`);
  });

  it('catches any single edit of any column of any row (property)', async () => {
    const tenant = await tenantWithChain(5);
    const edits: Record<string, string> = {
      occurred_at: `occurred_at + interval '1 millisecond'`,
      actor_kind: `'anonymous'`,
      actor_id: `'0190f5a4-9999-7000-8000-000000000009'`,
      action: `'auth.login_succeeded'`,
      entity: `'ktWidget'`,
      record_id: `'0190f5a4-8888-7000-8000-000000000008'`,
      changes: `(changes::jsonb || '{"extra":{"before":null,"after":1}}')::json`,
      details: `'{"forged":true}'`,
      request_id: `'req-forged'`,
      ip: `'10.0.0.1'`,
      prev_hash: `repeat('b', 64)`,
      hash: `repeat('c', 64)`,
      tenant_id: `'0190f5a4-7777-7000-8000-000000000007'`,
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.constantFrom(...Object.keys(edits)), async (seq, column) => {
        // Moving the last row away is cutting the tail: no unanchored chain can see it (chain-verification.ts).
        fc.pre(!(column === 'tenant_id' && seq === 5));
        const found = await owner()
          .connection()
          .execute(async (connection) => {
            await sql`begin`.execute(connection);
            try {
              await sql.raw(`update audit_events set ${column} = ${edits[column]} where tenant_id = '${tenant.id}' and seq = ${seq}`).execute(connection);
              return await verifyTenantChain(connection as TenantTx, tenant.id);
            } finally {
              await sql`rollback`.execute(connection);
            }
          });
        // A row moved to another tenant is a deletion from this chain; anything else an edit or a broken link.
        expect(found.intact).toBe(false);
        expect(found.problem!.seq).toBeLessThanOrEqual(seq + 1);
      }),
      { numRuns: 40, seed: 20260101 },
    );
    expect((await audit.verifyChain(tenant.id)).intact).toBe(true);
  });

  it('checks the items of a batch as it checks events: any edit, deletion or addition of an item breaks the chain (property)', async () => {
    const tenant = await tenantWithChain(2);
    const context = { tenantId: tenant.id };
    // seq 1-2 events, 3 a batch of items 4-8, 9 an event after it.
    await records.createMany(context, ktCategory, [1, 2, 3, 4, 5].map((index) => ({ code: `B-${index}`, title: `Batched ${index}` })));
    await records.create(context, ktCategory, { code: 'A-1', title: 'After' });
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: 9, headSeq: 9 });
    const tampers: Record<string, (seq: number) => string> = {
      entity: (seq) => `update audit_event_items set entity = 'ktWidget' where tenant_id = '${tenant.id}' and seq = ${seq}`,
      record_id: (seq) => `update audit_event_items set record_id = '0190f5a4-8888-7000-8000-000000000008' where tenant_id = '${tenant.id}' and seq = ${seq}`,
      action: (seq) => `update audit_event_items set action = 'delete' where tenant_id = '${tenant.id}' and seq = ${seq}`,
      body: (seq) => `update audit_event_items set body = replace(body, 'Batched', 'Forged') where tenant_id = '${tenant.id}' and seq = ${seq}`,
      batch_seq: (seq) => `update audit_event_items set batch_seq = 1 where tenant_id = '${tenant.id}' and seq = ${seq}`,
      seq: (seq) => `update audit_event_items set seq = seq + 100 where tenant_id = '${tenant.id}' and seq = ${seq}`,
      tenant_id: (seq) => `update audit_event_items set tenant_id = '0190f5a4-7777-7000-8000-000000000007' where tenant_id = '${tenant.id}' and seq = ${seq}`,
      deleted: (seq) => `delete from audit_event_items where tenant_id = '${tenant.id}' and seq = ${seq}`,
      added: () => `insert into audit_event_items (tenant_id, seq, batch_seq, entity, record_id, action, body) values ('${tenant.id}', 10, 3, 'ktCategory', '0190f5a4-8888-7000-8000-000000000008', 'create', '{"changes":{},"details":{}}')`,
      count: () => `update audit_events set details = ('{"items":4,"itemsHash":"' || (details ->> 'itemsHash') || '"}')::json where tenant_id = '${tenant.id}' and seq = 3`,
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4, max: 8 }), fc.constantFrom(...Object.keys(tampers)), async (seq, kind) => {
        const found = await owner()
          .connection()
          .execute(async (connection) => {
            await sql`begin`.execute(connection);
            try {
              await sql.raw(tampers[kind]!(seq)).execute(connection);
              return await verifyTenantChain(connection as TenantTx, tenant.id);
            } finally {
              await sql`rollback`.execute(connection);
            }
          });
        expect(found.intact, kind).toBe(false);
      }),
      { numRuns: 40, seed: 20261128 },
    );
    expect((await audit.verifyChain(tenant.id)).intact).toBe(true);
  });

  it('refuses audit.batch as the action of a security event: only the log writes batches', async () => {
    const tenant = await tenantWithChain(1);
    await expect(withTenant(app.db, { tenantId: tenant.id }, (tx) => audit.recordSecurityEvent(tx, { action: 'audit.batch', details: { items: 5, itemsHash: 'x' } }))).rejects.toMatchObject({ code: 'audit.invalid_event' });
    expect(await audit.verifyChain(tenant.id)).toMatchObject({ intact: true, checked: 1 });
  });

  it('serializes content canonically: key order does not matter, values round-trip (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          expect(canonicalJson(reversed)).toBe(text);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('serializes exactly as the first definition did, so chains hashed before still verify (property)', () => {
    const firstDefinition = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
      if (Array.isArray(value)) return `[${value.map((item) => firstDefinition(item === undefined ? null : item)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${firstDefinition(item)}`).join(',')}}`;
    };
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), tie('value'), { maxKeys: 5 })),
    })).value;
    // The same values with their keys put in sorted order take canonicalJson's native path: same text.
    const sortedDeep = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortedDeep);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedDeep((value as Record<string, unknown>)[key])]));
    };
    fc.assert(
      fc.property(withUndefined, (value) => {
        expect(canonicalJson(value)).toBe(firstDefinition(value));
        expect(canonicalJson(sortedDeep(value))).toBe(firstDefinition(value));
      }),
      { numRuns: 500 },
    );
    // Values JSON has no form for, or a different one, are written as the first definition wrote them.
    for (const odd of [[1, undefined, 2], { b: new Date(0), a: 1 }, { a: new Date(0) }, [new Date(0)], { a: () => 1 }, Object.assign(Object.create(null), { a: 1, b: [null] }), { 10: 'x', 9: 'y' }]) {
      expect(canonicalJson(odd)).toBe(firstDefinition(odd));
    }
  });
});

describe('tenantry audit verify', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['bin/tenantry.mjs', 'audit', 'verify', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATABASE_URL: database.ownerUrl, DATABASE_APP_URL: database.appUrl },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('exits 0 for an intact chain and 1, naming the row, for a tampered one', async () => {
    const tenant = await tenantWithChain(4);
    const intact = cli(['--tenant', tenant.slug]);
    expect(intact.stdout + intact.stderr).toContain('is intact: 4 event(s)');
    expect(intact.status).toBe(0);
    await tamper(sql`delete from audit_events where tenant_id = ${tenant.id} and seq = 2`);
    const broken = cli(['--tenant', tenant.slug]);
    expect(broken.stderr).toContain('broken at seq 3 (deleted)');
    expect(broken.status).toBe(1);
  });
});
