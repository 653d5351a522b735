/**
 * The data the isolation suite attacks: two tenants, A and B, with records of every tenant entity
 * of the registry, created in dependency order through the platform's own write path (HTTP or the
 * record service). B holds a "twin" of each of A's records (same values, references remapped to
 * B's own records) plus one record of its own, so a filter with A's values finds B's twins and
 * never A's rows. Rows of global entities are inserted with the owner connection (read-only at
 * runtime). Glossary: twin = B's copy of one of A's records.
 */
import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../src/compose.ts';
import { fingerprintRequest, type IdempotencyStore } from '../../src/kernel/http/index.ts';
import { fieldColumns, type EntityDef, type ModelRegistry } from '../../src/kernel/model/index.ts';
import type { ApiRecord, RecordService } from '../../src/kernel/records/index.ts';
import { newId } from '../../src/kernel/shared/index.ts';
import { readOnlyValues, SampleFactory, writableInput, type ReferencePool } from './isolation-samples.ts';

export interface IsolationTenant {
  id: string;
  slug: string;
}

/** Writes records the way the platform does; one implementation per entry point. */
export interface RecordWriter {
  create(tenant: IsolationTenant, entity: EntityDef, input: Record<string, unknown>, idempotencyKey?: string): Promise<ApiRecord>;
  get(tenant: IsolationTenant, entity: EntityDef, id: string): Promise<ApiRecord>;
  remove(tenant: IsolationTenant, entity: EntityDef, id: string): Promise<void>;
}

export interface EntityRecords {
  /** Sample values each of A's records was made from, read-only fields included, by A's id. */
  valuesOf: Map<string, Record<string, unknown>>;
  a: { live: ApiRecord[]; deleted: ApiRecord[] };
  b: { live: ApiRecord[]; deleted: ApiRecord[] };
  /** A's record id -> the id of its twin in B. */
  twinOf: Map<string, string>;
}

export interface IsolationWorld {
  registry: ModelRegistry;
  a: IsolationTenant;
  b: IsolationTenant;
  /** Tenant entities in dependency order. */
  tenantEntities: EntityDef[];
  records: Map<string, EntityRecords>;
  /** Ids of the rows of each global entity. */
  globals: Map<string, string[]>;
  samples: SampleFactory;
  /** Reference targets a record of this tenant may point to. */
  referencePool(side: 'a' | 'b'): ReferencePool;
}

export const seedRecordsPerTenant = 6;

export interface SeedOptions {
  registry: ModelRegistry;
  owner: Kysely<any>;
  writer: RecordWriter;
  createTenant(slug: string): Promise<IsolationTenant>;
  seed?: number;
}

export async function seedIsolationWorld(options: SeedOptions): Promise<IsolationWorld> {
  const { registry, owner, writer } = options;
  const samples = new SampleFactory(options.seed ?? 20261121);
  const a = await options.createTenant('iso-tenant-a');
  const b = await options.createTenant('iso-tenant-b');
  const records = new Map<string, EntityRecords>();
  const globals = new Map<string, string[]>();
  const referencePool = (side: 'a' | 'b'): ReferencePool => (name) =>
    registry.get(name).scope === 'global' ? (globals.get(name) ?? []) : (records.get(name)?.[side].live.map((record) => record.id) ?? []);
  const world: IsolationWorld = { registry, a, b, tenantEntities: [], records, globals, samples, referencePool };

  for (const entity of registry.inDependencyOrder()) {
    if (entity.scope === 'global') {
      const rows = samples.records(entity, 'global', 3, referencePool('a'));
      globals.set(entity.name, await Promise.all(rows.map((values) => insertGlobalRow(owner, entity, values))));
      continue;
    }
    world.tenantEntities.push(entity);
    const entry: EntityRecords = { valuesOf: new Map(), a: { live: [], deleted: [] }, b: { live: [], deleted: [] }, twinOf: new Map() };
    const seedKey = `iso-seed-${entity.name}`;
    const made = samples.records(entity, a.id, seedRecordsPerTenant, referencePool('a'));
    for (const [index, values] of made.entries()) {
      const record = await createWithReadOnly(options, a, entity, values, index === 0 ? seedKey : undefined);
      entry.valuesOf.set(record.id, values);
      entry.a.live.push(record);
    }
    for (const [index, original] of entry.a.live.entries()) {
      const values = twinValues(world, entity, entry.valuesOf.get(original.id)!, entry.twinOf);
      samples.claim(entity, b.id, values);
      const twin = await createWithReadOnly(options, b, entity, values, index === 0 ? `${seedKey}-b` : undefined);
      entry.twinOf.set(original.id, twin.id);
      entry.b.live.push(twin);
    }
    const [own] = samples.records(entity, b.id, 1, referencePool('b'));
    entry.b.live.push(await createWithReadOnly(options, b, entity, own!));
    records.set(entity.name, entry);
  }

  // The last of A's records (and its twin) is soft-deleted: tombstones must stay hidden as well.
  // Deleted only now, so that no record made above points to a deleted one.
  for (const entity of world.tenantEntities) {
    const entry = records.get(entity.name)!;
    const doomed = entry.a.live.pop()!;
    const doomedTwin = entry.b.live.find((record) => record.id === entry.twinOf.get(doomed.id))!;
    entry.b.live = entry.b.live.filter((record) => record !== doomedTwin);
    for (const [tenant, record, side] of [[a, doomed, entry.a], [b, doomedTwin, entry.b]] as const) {
      await writer.remove(tenant, entity, record.id);
      side.deleted.push({ ...record, version: await currentVersion(owner, entity, tenant.id, record.id) });
    }
  }
  for (const tenant of [a, b]) await seedIdentityRows(owner, tenant);
  for (const tenant of [a, b]) await seedAccessRoles(owner, tenant);
  for (const tenant of [a, b]) await seedSyncRows(owner, tenant);
  for (const tenant of [a, b]) await seedIngestRows(owner, tenant);
  for (const tenant of [a, b]) await seedFeatureFlags(owner, tenant);
  const extensible = world.tenantEntities.find((entity) => entity.expose);
  if (extensible) for (const tenant of [a, b]) await seedCustomFields(owner, tenant, extensible);
  return world;
}

/** Custom fields (kernel/tenancy) per tenant, optional ones (so the suite's writes need none), with the owner connection. */
async function seedCustomFields(owner: Kysely<any>, tenant: IsolationTenant, entity: EntityDef): Promise<void> {
  for (const [key, type] of [['isolationNote', 'text'], ['isolationRank', 'integer']] as const) {
    const labels = JSON.stringify({ en: `Isolation ${key}` });
    await sql`insert into custom_fields (tenant_id, entity, key, type, labels) values (${tenant.id}, ${entity.name}, ${key}, ${type}, ${labels}::jsonb)`.execute(owner);
  }
}

/** Feature flags (kernel/tenancy) per tenant, one on for everyone and one targeted, with the owner connection. */
async function seedFeatureFlags(owner: Kysely<any>, tenant: IsolationTenant): Promise<void> {
  const rules = [{}, { roles: ['manager'], percentage: 25 }];
  for (const [index, rule] of rules.entries()) {
    await sql`insert into feature_flags (tenant_id, key, enabled, rules) values (${tenant.id}, ${`isolation.flag-${index}`}, true, ${JSON.stringify(rule)}::jsonb)`.execute(owner);
  }
}

/** A tenant-defined role (kernel/access) per tenant, with the owner connection. */
async function seedAccessRoles(owner: Kysely<any>, tenant: IsolationTenant): Promise<void> {
  const permissions = JSON.stringify([{ entity: 'ktWidget', actions: ['read'] }]);
  await sql`insert into access_roles (tenant_id, id, name, permissions) values (${tenant.id}, ${newId()}, 'isolation-reader', ${permissions}::jsonb)`.execute(owner);
}

/** Rows of kernel/sync's tables a trigger does not write (a client, a horizon), with the owner connection. */
async function seedSyncRows(owner: Kysely<any>, tenant: IsolationTenant): Promise<void> {
  await sql`insert into sync_clients (tenant_id, client_id, user_id, last_mutation_id) values (${tenant.id}, ${newId()}, ${newId()}, 3)`.execute(owner);
  await sql`insert into sync_horizons (tenant_id, txid) values (${tenant.id}, '1'::xid8)`.execute(owner);
}

/** A spec, a run and a row of every kernel/ingest table for a tenant, with the owner connection. */
async function seedIngestRows(owner: Kysely<any>, tenant: IsolationTenant): Promise<void> {
  const runId = newId();
  const recordId = newId();
  const spec = JSON.stringify({ specVersion: 1, name: 'isolation', entity: 'ktWidget', system: 'ISO', source: { format: 'ndjson' }, key: { from: 'id' }, fields: {} });
  await sql`insert into ingest_specs (tenant_id, name, version, entity, system, spec) values (${tenant.id}, 'isolation', 1, 'ktWidget', 'ISO', ${spec}::jsonb)`.execute(owner);
  await sql`insert into ingest_runs (tenant_id, id, spec_name, spec_version, entity, mode, status) values (${tenant.id}, ${runId}, 'isolation', 1, 'ktWidget', 'delta', 'succeeded')`.execute(owner);
  await sql`insert into ingest_xref (tenant_id, system, entity, source_key, record_id, content_hash, source_values, last_run_id) values (${tenant.id}, 'ISO', 'ktWidget', 'K1', ${recordId}, 'h', '{}'::jsonb, ${runId})`.execute(owner);
  await sql`insert into ingest_run_keys (tenant_id, run_id, source_key, row_number) values (${tenant.id}, ${runId}, 'K1', 1)`.execute(owner);
  await sql`insert into ingest_rejects (tenant_id, run_id, row_number, seq, code, reason) values (${tenant.id}, ${runId}, 2, 0, 'ingest.invalid_value', 'isolation')`.execute(owner);
  await sql`insert into ingest_cases (tenant_id, id, kind, run_id, entity, record_id) values (${tenant.id}, ${newId()}, 'conflict', ${runId}, 'ktWidget', ${recordId})`.execute(owner);
  await sql`insert into ingest_cases (tenant_id, id, kind, run_id, entity, system, record_id, source_key, source_value, candidate_id, score) values (${tenant.id}, ${newId()}, 'review', ${runId}, 'ktWidget', 'ISO', ${recordId}, 'K2', '{}'::jsonb, ${recordId}, 0.7)`.execute(owner);
  await sql`insert into ingest_match_profiles (tenant_id, entity, profile, definition) values (${tenant.id}, 'ktWidget', 'isolation', '{}'::jsonb)`.execute(owner);
  await sql`insert into ingest_match_keys (tenant_id, entity, profile, record_id, block_key, name_key) values (${tenant.id}, 'ktWidget', 'isolation', ${recordId}, '10115', 'isolation widget')`.execute(owner);
  await sql`insert into ingest_merges (tenant_id, id, run_id, entity, system, source_key, record_id, match, source_record, content_hash, written, previous) values (${tenant.id}, ${newId()}, ${runId}, 'ktWidget', 'ISO', 'K3', ${recordId}, 'exact', '{}'::jsonb, 'h', '{}'::jsonb, '{}'::jsonb)`.execute(owner);
}

/**
 * Rows of the identity module's tenant tables (membership, session, refresh token, API key, mailed token, invitation) for a tenant,
 * written with the owner connection: the suite needs rows of both tenants in every tenant table.
 */
async function seedIdentityRows(owner: Kysely<any>, tenant: IsolationTenant): Promise<void> {
  const userId = newId();
  const sessionId = newId();
  await sql`insert into identity_users (id, email, email_normalized, name) values (${userId}, ${`${tenant.slug}@example.test`}, ${`${tenant.slug}@example.test`}, 'Isolation user')`.execute(owner);
  await sql`insert into identity_memberships (tenant_id, id, user_id, role) values (${tenant.id}, ${newId()}, ${userId}, 'owner')`.execute(owner);
  await sql`insert into identity_sessions (tenant_id, id, user_id, expires_at) values (${tenant.id}, ${sessionId}, ${userId}, now() + interval '1 day')`.execute(owner);
  await sql`insert into identity_refresh_tokens (tenant_id, id, session_id, token_hash) values (${tenant.id}, ${newId()}, ${sessionId}, ${Buffer.from(newId())})`.execute(owner);
  await sql`insert into identity_api_keys (tenant_id, id, name, role, secret_hash, created_by) values (${tenant.id}, ${newId()}, 'Isolation key', 'viewer', ${Buffer.alloc(32, 7)}, ${userId})`.execute(owner);
  await sql`insert into identity_user_tokens (tenant_id, id, user_id, purpose, token_hash, email, expires_at) values (${tenant.id}, ${newId()}, ${userId}, 'password_reset', ${Buffer.alloc(32, 9)}, ${`${tenant.slug}@example.test`}, now() + interval '1 hour')`.execute(owner);
  await sql`insert into identity_invitations (tenant_id, id, email, email_normalized, role, token_hash, invited_by, expires_at) values (${tenant.id}, ${newId()}, ${`invitee-${tenant.slug}@example.test`}, ${`invitee-${tenant.slug}@example.test`}, 'member', ${Buffer.alloc(32, 11)}, ${userId}, now() + interval '7 days')`.execute(owner);
}

/** A's values with every reference to a tenant record moved to that record's twin in B. */
export function twinValues(world: IsolationWorld, entity: EntityDef, values: Record<string, unknown>, ownTwins?: ReadonlyMap<string, string>): Record<string, unknown> {
  const twin = { ...values };
  for (const [property, def] of Object.entries(entity.fields)) {
    if (def.kind !== 'reference' || values[property] == null) continue;
    const target = world.registry.get(def.entity!);
    if (target.scope === 'global') continue;
    const twins = def.entity === entity.name && ownTwins ? ownTwins : world.records.get(def.entity!)?.twinOf;
    const mapped = twins?.get(values[property] as string);
    twin[property] = mapped ?? null;
  }
  return twin;
}

async function createWithReadOnly(options: SeedOptions, tenant: IsolationTenant, entity: EntityDef, values: Record<string, unknown>, idempotencyKey?: string): Promise<ApiRecord> {
  const created = await options.writer.create(tenant, entity, writableInput(entity, values), idempotencyKey);
  const readOnly = readOnlyValues(entity, values);
  if (Object.keys(readOnly).length === 0) return created;
  // Read-only fields are the server's to write; the owner fills them so filters on them have values.
  const assignments = columnValues(entity, readOnly).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  await sql`update ${sql.table(entity.table)} set ${sql.join(assignments)} where tenant_id = ${tenant.id} and id = ${created.id}`.execute(options.owner);
  return options.writer.get(tenant, entity, created.id);
}

async function insertGlobalRow(owner: Kysely<any>, entity: EntityDef, values: Record<string, unknown>): Promise<string> {
  const id = newId();
  const pairs: [string, unknown][] = [['id', id], ...columnValues(entity, values)];
  await sql`insert into ${sql.table(entity.table)} (${sql.join(pairs.map(([column]) => sql.ref(column)))}) values (${sql.join(pairs.map(([, value]) => sql`${value}`))})`.execute(owner);
  return id;
}

/** [column, SQL value] pairs of API values (money in two columns, JSON as text). */
export function columnValues(entity: EntityDef, values: Record<string, unknown>): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (const [property, value] of Object.entries(values)) {
    const def = entity.fields[property];
    if (!def) continue;
    const columns = fieldColumns(property, def);
    if (def.kind === 'money') {
      const money = value as { amount: number; currency: string } | null;
      pairs.push([columns[0]!.name, money?.amount ?? null], [columns[1]!.name, money?.currency ?? null]);
    } else {
      pairs.push([columns[0]!.name, value !== null && (def.kind === 'json' || def.kind === 'localizedText') ? JSON.stringify(value) : value]);
    }
  }
  return pairs;
}

async function currentVersion(owner: Kysely<any>, entity: EntityDef, tenantId: string, id: string): Promise<number> {
  const result = await sql<{ version: number }>`select version from ${sql.table(entity.table)} where tenant_id = ${tenantId} and id = ${id}`.execute(owner);
  return result.rows[0]!.version;
}

/** Writes through the generated REST routes (the record service for entities not exposed). */
export function httpRecordWriter(platform: Platform): RecordWriter {
  const service = serviceRecordWriter(platform.records);
  const call = async (tenant: IsolationTenant, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
    if (response.statusCode >= 300) throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.statusCode === 204 ? undefined : (response.json() as ApiRecord);
  };
  return {
    create: (tenant, entity, input, key) =>
      entity.expose ? call(tenant, 'POST', `/v1/${entity.path}`, input, key ? { 'idempotency-key': key } : {}).then((record) => record!) : service.create(tenant, entity, input, key),
    get: (tenant, entity, id) => (entity.expose ? call(tenant, 'GET', `/v1/${entity.path}/${id}`).then((record) => record!) : service.get(tenant, entity, id)),
    remove: async (tenant, entity, id) => void (entity.expose ? await call(tenant, 'DELETE', `/v1/${entity.path}/${id}`) : await service.remove(tenant, entity, id)),
  };
}

/** Writes through the record service (and the idempotency store, as the POST route does). */
export function serviceRecordWriter(records: RecordService, idempotency?: IdempotencyStore): RecordWriter {
  return {
    async create(tenant, entity, input, key) {
      const context = { tenantId: tenant.id };
      if (!key || !idempotency) return records.create(context, entity, input);
      const fingerprint = fingerprintRequest('POST', `/v1/${entity.path}`, input);
      const stored = await idempotency.run(context, key, fingerprint, async (tx) => ({ statusCode: 201, headers: {}, body: await records.create(context, entity, input, tx) }));
      return stored.body as ApiRecord;
    },
    get: (tenant, entity, id) => records.get({ tenantId: tenant.id }, entity, id),
    remove: (tenant, entity, id) => records.remove({ tenantId: tenant.id }, entity, id),
  };
}

/** Every row of a tenant in every given table, as text, for before/after comparison. */
export async function snapshotTenantRows(owner: Kysely<any>, tenantId: string, tables: readonly string[]): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of tables) {
    const result = await sql<{ row: string }>`select to_jsonb(t)::text as row from ${sql.table(table)} t where tenant_id = ${tenantId} order by 1`.execute(owner);
    snapshot[table] = result.rows.map((row) => row.row);
  }
  return snapshot;
}

/** Ids of a tenant's live (not soft-deleted) rows of an entity, read with the owner connection. */
export async function liveIdsOf(owner: Kysely<any>, entity: EntityDef, tenantId: string): Promise<Set<string>> {
  const result = await sql<{ id: string }>`select id from ${sql.table(entity.table)} where tenant_id = ${tenantId} and deleted_at is null`.execute(owner);
  return new Set(result.rows.map((row) => row.id));
}

/** Rows (live or not) per tenant of a table, read with the owner connection. */
export async function rowCountsByTenant(owner: Kysely<any>, table: string): Promise<Record<string, number>> {
  const result = await sql<{ tenant_id: string; rows: number }>`select tenant_id, count(*)::int as rows from ${sql.table(table)} group by tenant_id`.execute(owner);
  return Object.fromEntries(result.rows.map((row) => [row.tenant_id, row.rows]));
}
