import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createAuditLog } from '../audit/index.ts';
import { openDatabase, withTenant, type Database, type TenantContext } from '../db/index.ts';
import type { FeatureFlags } from './feature-flags.contract.ts';
import { createFeatureFlags } from './feature-flags.service.ts';
import { createTenantDirectory, type Tenant, type TenantDirectory } from './index.ts';

let database: TestDatabase;
let app: Database;
let flags: FeatureFlags;
let tenants: TenantDirectory;
let counter = 0;
const adminId = '0190a5f2-0000-7000-8000-0000000000a1';
const newTenant = () => tenants.createTenant({ slug: `flags-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Flagged' });
const adminOf = (tenant: Tenant): TenantContext => ({ tenantId: tenant.id, userId: adminId, roles: ['admin'], requestId: 'req-flags', ip: '127.0.0.1' });

beforeAll(async () => {
  database = await createTestDatabase();
  app = openDatabase(database.appUrl, { max: 6 });
  flags = createFeatureFlags(app.db, { audit: createAuditLog(app.db) });
  tenants = createTenantDirectory(app.db);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function auditRows(tenantId: string) {
  const result = await sql<{ action: string; entity: string; record_id: string; actor_kind: string; actor_id: string | null; details: Record<string, unknown>; request_id: string | null }>`
    select action, entity, record_id, actor_kind, actor_id, details, request_id from audit_events where tenant_id = ${tenantId} order by seq`.execute(database.owner.db);
  return result.rows;
}

describe('feature flag definitions', () => {
  it('creates, replaces and deletes a flag, auditing each change with before and after', async () => {
    const tenant = await newTenant();
    const context = adminOf(tenant);
    const created = await flags.putFlag(context, 'checkout.new-flow', { description: ' New checkout ', enabled: true, rules: { roles: ['sales'], percentage: 12.5 } });
    expect(created).toMatchObject({ created: true, flag: { key: 'checkout.new-flow', description: 'New checkout', enabled: true, rules: { roles: ['sales'], percentage: 12.5 }, version: 1, createdBy: adminId } });
    const replaced = await flags.putFlag(context, 'checkout.new-flow', { enabled: false });
    expect(replaced).toMatchObject({ created: false, flag: { description: null, enabled: false, rules: {}, version: 2 } });
    expect(await flags.listFlags(context)).toEqual([replaced.flag]);
    expect(await flags.getFlag(context, 'checkout.new-flow')).toEqual(replaced.flag);
    await flags.deleteFlag(context, 'checkout.new-flow');
    await expect(flags.getFlag(context, 'checkout.new-flow')).rejects.toMatchObject({ code: 'flags.not_found' });
    await expect(flags.deleteFlag(context, 'checkout.new-flow')).rejects.toMatchObject({ code: 'flags.not_found' });

    const rows = await auditRows(tenant.id);
    expect(rows.map((row) => row.action)).toEqual(['flag.created', 'flag.updated', 'flag.deleted']);
    expect(rows.every((row) => row.entity === 'featureFlag' && row.record_id === 'checkout.new-flow' && row.actor_kind === 'user' && row.actor_id === adminId && row.request_id === 'req-flags')).toBe(true);
    const createdDefinition = { description: 'New checkout', enabled: true, rules: { roles: ['sales'], percentage: 12.5 } };
    const replacedDefinition = { description: null, enabled: false, rules: {} };
    expect(rows[0]!.details).toEqual({ after: createdDefinition });
    expect(rows[1]!.details).toEqual({ before: createdDefinition, after: replacedDefinition });
    expect(rows[2]!.details).toEqual({ before: replacedDefinition });
  });

  it('does not write an unchanged definition again: same version, no audit event', async () => {
    const tenant = await newTenant();
    const input = { enabled: true, rules: { attributes: { region: ['north', 'south'] }, users: ['0190A5F2-0000-7000-8000-0000000000B1'], percentage: 5 } };
    const first = await flags.putFlag(adminOf(tenant), 'beta', input);
    const again = await flags.putFlag(adminOf(tenant), 'beta', input);
    expect(again).toEqual({ created: false, flag: first.flag });
    expect(first.flag.rules.users).toEqual(['0190a5f2-0000-7000-8000-0000000000b1']);
    expect((await auditRows(tenant.id)).map((row) => row.action)).toEqual(['flag.created']);
  });

  it('checks If-Match: the current version passes, another version or a missing flag fails with 412', async () => {
    const context = adminOf(await newTenant());
    await expect(flags.putFlag(context, 'gated', { enabled: true }, { ifMatch: 'any' })).rejects.toMatchObject({ code: 'flags.version_mismatch', extensions: { currentVersion: null } });
    await flags.putFlag(context, 'gated', { enabled: true });
    await expect(flags.putFlag(context, 'gated', { enabled: false }, { ifMatch: 7 })).rejects.toMatchObject({ code: 'flags.version_mismatch', kind: 'precondition_failed', extensions: { currentVersion: 1 } });
    expect((await flags.putFlag(context, 'gated', { enabled: false }, { ifMatch: 1 })).flag.version).toBe(2);
    await expect(flags.deleteFlag(context, 'gated', { ifMatch: 1 })).rejects.toMatchObject({ code: 'flags.version_mismatch', extensions: { currentVersion: 2 } });
    await flags.deleteFlag(context, 'gated', { ifMatch: 'any' });
  });

  it('refuses invalid definitions with every problem at once, each with its pointer', async () => {
    const context = adminOf(await newTenant());
    const input = {
      description: 'x'.repeat(501),
      enabled: 'yes',
      extra: 1,
      rules: { roles: ['Sales Team', 'admin'], users: ['not-a-uuid'], percentage: 12.345, attributes: { region: ['north', { nested: true }], 'bad name': ['x'] }, groups: [] },
    } as unknown as Parameters<FeatureFlags['putFlag']>[2];
    const error = await flags.putFlag(context, 'Bad Key', input).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'flags.invalid_flag', kind: 'invalid' });
    expect((error as { errors: { pointer?: string; parameter?: string }[] }).errors.map((entry) => entry.pointer ?? `?${entry.parameter}`).sort()).toEqual(
      [
        '?key',
        '/extra',
        '/enabled',
        '/description',
        '/rules/groups',
        '/rules/roles/0',
        '/rules/users/0',
        '/rules/percentage',
        '/rules/attributes/region/1',
        '/rules/attributes/bad name',
      ].sort(),
    );
    for (const [key, rules] of [
      ['ok', { percentage: 100.01 }],
      ['ok', { percentage: -1 }],
      ['ok', { users: Array.from({ length: 1001 }, () => '0190a5f2-0000-7000-8000-0000000000b1') }],
      ['evaluated', {}],
      [`k${'x'.repeat(64)}`, {}],
    ] as const) {
      await expect(flags.putFlag(context, key, { enabled: true, rules }), key).rejects.toMatchObject({ code: 'flags.invalid_flag' });
    }
    expect(await flags.listFlags(context)).toEqual([]);
  });

  it('turns a create that loses to a concurrent create into a replace of the winner', async () => {
    const tenant = await newTenant();
    const context = adminOf(tenant);
    let release!: () => void;
    let inserted!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const winnerInserted = new Promise<void>((resolve) => (inserted = resolve));
    const winner = withTenant(app.db, { tenantId: tenant.id }, async (tx) => {
      await sql`insert into feature_flags (tenant_id, key, enabled) values (${tenant.id}, 'race', true)`.execute(tx);
      inserted();
      await held;
    });
    await winnerInserted;
    // The loser reads no row (the winner has not committed), then its insert waits for the winner.
    const loser = flags.putFlag(context, 'race', { enabled: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await winner;
    expect(await loser).toMatchObject({ created: false, flag: { enabled: false, version: 2 } });
    expect((await auditRows(tenant.id)).map((row) => [row.action, row.details])).toEqual([['flag.updated', { before: { description: null, enabled: true, rules: {} }, after: { description: null, enabled: false, rules: {} } }]]);
  });

  it('leaves no change behind when the audit event cannot be written', async () => {
    const tenant = await newTenant();
    const failing = createFeatureFlags(app.db, { audit: { recordSecurityEvent: async () => Promise.reject(new Error('audit down')) } });
    await expect(failing.putFlag(adminOf(tenant), 'unaudited', { enabled: true })).rejects.toThrow('audit down');
    expect(await flags.listFlags(adminOf(tenant))).toEqual([]);
  });
});

describe('feature flag evaluation', () => {
  it('evaluates every flag of the tenant for the principal, and only that tenant\'s flags', async () => {
    const a = await newTenant();
    const b = await newTenant();
    await flags.putFlag(adminOf(a), 'everyone', { enabled: true });
    await flags.putFlag(adminOf(a), 'killed', { enabled: false, rules: { roles: ['member'] } });
    await flags.putFlag(adminOf(a), 'sales-only', { enabled: true, rules: { roles: ['sales'] } });
    await flags.putFlag(adminOf(a), 'north', { enabled: true, rules: { attributes: { region: ['north'] } } });
    await flags.putFlag(adminOf(b), 'b-only', { enabled: true });
    const member: TenantContext = { tenantId: a.id, userId: '0190a5f2-0000-7000-8000-0000000000c1', roles: ['member'], attributes: { region: 'north' } };
    expect(await flags.evaluate(member)).toEqual({ everyone: true, killed: false, north: true, 'sales-only': false });
    expect(await flags.evaluate({ ...member, roles: ['sales'], attributes: {} })).toEqual({ everyone: true, killed: false, north: false, 'sales-only': true });
    expect(await flags.evaluate({ tenantId: b.id, roles: [] })).toEqual({ 'b-only': true });
    expect(await flags.isEnabled(member, 'north')).toBe(true);
    expect(await flags.isEnabled(member, 'b-only')).toBe(false);
    expect(await flags.isEnabled(member, 'Not A Key')).toBe(false);
  });

  it('evaluates inside the caller\'s transaction when given one', async () => {
    const tenant = await newTenant();
    const context: TenantContext = { tenantId: tenant.id, roles: [] };
    const seen = await withTenant(app.db, context, async (tx) => {
      await sql`insert into feature_flags (tenant_id, key, enabled) values (${tenant.id}, 'uncommitted', true)`.execute(tx);
      return flags.evaluate(context, tx);
    });
    expect(seen).toEqual({ uncommitted: true });
  });
});
