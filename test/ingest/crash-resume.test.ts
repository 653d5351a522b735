/**
 * The crash test of ingestion: a generated SAP customer file (INGEST_CRASH_ROWS rows, default
 * 100,000 so that `npm test` stays within minutes; the 1,000,000 with INGEST_CRASH_ROWS=1000000) is loaded in full mode by the real CLI, killed with SIGKILL at seeded random points (the
 * first chunk, spread over the load, inside writing transactions, during the deactivation of records the
 * file no longer has) and resumed until the run succeeds. What it left is compared with the file
 * (expectations worked out from the generator alone), with an uninterrupted control load of the same
 * file into a second tenant (checksums of records, cross-reference, rejects, lineage, cases, audit), and
 * a second run of the same file must change nothing. INGEST_CRASH_SEED replays a kill plan (the kills
 * land by time, so a replay is close, not exact).
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, withUrlParts, type Database } from '../../src/kernel/db/index.ts';
import { sapCustomerHeader, sapCustomerLine, writeSapCustomerFile } from '../../src/kernel/ingest/sap-customers.fixture.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { testAppPassword } from '../support/test-env.ts';
import { crashAndResume, loadUninterrupted, planKills, seededRandom, type CrashOutcome, type UninterruptedLoad } from './kill-and-resume.ts';
import { accountKeys, fingerprintRun, fingerprintTenant } from './load-fingerprint.ts';
import { expectedLoad, expectedNameParts, expectedOutletValues, type ExpectedLoad } from './sap-customer-expectations.ts';
import { runCli, type CliTarget } from './tenantry-cli.ts';

const rows = Number(process.env.INGEST_CRASH_ROWS ?? 100_000);
const chunkRows = Number(process.env.INGEST_CHUNK_ROWS ?? 2000);
const seed = Number(process.env.INGEST_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Records of the source the file no longer has (rows after the file's last), deactivated by the full load. */
const goneRows = 5000;
// Per test and hook: the first test loads the file twice and some (control, crash with restarts), at ~2,000 rows/s
// on a busy 2-core machine; 3 ms a row leaves room down to ~1,300 rows/s.
const timeoutMs = 180_000 + rows * 3;

const source = 'sap-kna1-outlets';
const specPath = 'examples/ingest/sap-kna1-outlets.json';
const excludeOf = (...runIds: (string | undefined)[]) => runIds.filter((id): id is string => id !== undefined);

interface TenantRef {
  id: string;
  slug: string;
  preloadRun?: string;
}

let adminUrl: string;
let databaseName: string;
let owner: Database;
let cli: CliTarget;
let dir: string;
let file: string;
let crashTenant: TenantRef;
let controlTenant: TenantRef;
let expected: ExpectedLoad;
let expectedGone: ExpectedLoad;
let control: UninterruptedLoad;
let crash: CrashOutcome;
const startedAt = Date.now();

async function createTenant(slug: string): Promise<TenantRef> {
  const output = await runCli(cli, ['tenant', 'create', '--slug', slug, '--name', `Crash test ${slug}`]);
  const id = /\(([0-9a-f-]{36})\)/.exec(output)?.[1];
  if (!id) throw new Error(`no tenant id in: ${output}`);
  return { id, slug };
}

async function preload(tenant: TenantRef, path: string): Promise<void> {
  await runCli(cli, ['ingest', '--tenant', tenant.slug, '--source', source, '--entity', 'outlet', '--spec', specPath, '--mode', 'delta', path]);
  const run = await sql<{ id: string }>`select id from ingest_runs where tenant_id = ${tenant.id} order by created_at desc limit 1`.execute(owner.db);
  tenant.preloadRun = run.rows[0]!.id;
}

const fullLoad = (tenant: TenantRef) => ['ingest', '--tenant', tenant.slug, '--source', source, '--entity', 'outlet', '--mode', 'full', file];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

type Counts = Record<'read' | 'created' | 'merged' | 'queued' | 'rejected' | 'skipped' | 'duplicates' | 'unchanged' | 'updated' | 'deactivated', number> & Record<string, number>;

async function runCounts(tenantId: string, runId: string): Promise<Counts> {
  const result = await sql<{ counts: Record<string, number> }>`select counts from ingest_runs where tenant_id = ${tenantId} and id = ${runId}`.execute(owner.db);
  const { durationMs: _duration, ...counts } = result.rows[0]!.counts;
  // A build without fuzzy matching has no `queued` count.
  return { created: 0, merged: 0, queued: 0, rejected: 0, skipped: 0, duplicates: 0, unchanged: 0, updated: 0, deactivated: 0, read: 0, ...counts };
}

/** Differences between an ascending expected list and the actual one (which may be in any order): a few of each kind. */
function setDifferences(expectedValues: readonly string[], actual: readonly string[]) {
  const seen = new Map<string, number>();
  for (const value of actual) seen.set(value, (seen.get(value) ?? 0) + 1);
  const wanted = new Set(expectedValues);
  return {
    missing: expectedValues.filter((value) => !seen.has(value)).slice(0, 10),
    twice: [...seen].filter(([, count]) => count > 1).map(([value]) => value).slice(0, 10),
    unexpected: [...seen.keys()].filter((value) => !wanted.has(value)).slice(0, 10),
  };
}

beforeAll(async () => {
  adminUrl = inject('adminUrl');
  // Named like the suite's per-file databases, so the global teardown drops it if this file cannot.
  databaseName = `t_${inject('templateDatabase').split('_').pop()}_crash${randomBytes(4).toString('hex')}`;
  const admin = openDatabase(adminUrl, { max: 1 });
  try {
    await sql.raw(`CREATE DATABASE ${databaseName}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const ownerUrl = withUrlParts(adminUrl, { database: databaseName });
  // Checksums over a million rows take longer than the default statement timeout on a busy machine.
  owner = openDatabase(ownerUrl, { max: 2, statementTimeoutMs: 600_000 });
  cli = { ownerUrl, appPassword: testAppPassword, chunkRows };
  await runCli(cli, ['db', 'migrate']);
  crashTenant = await createTenant('crash');
  controlTenant = await createTenant('control');

  dir = makeTempDir('ingest-crash-');
  file = join(dir, 'kna1.csv');
  await writeSapCustomerFile(file, rows);
  const gone = join(dir, 'kna1-gone.csv');
  const goneLines = Array.from({ length: goneRows }, (_, index) => sapCustomerLine(rows + 1 + index));
  writeFileSync(gone, Buffer.from(`${[sapCustomerHeader, ...goneLines].join('\r\n')}\r\n`, 'latin1'));
  for (const tenant of [crashTenant, controlTenant]) await preload(tenant, gone);
  expected = expectedLoad(1, rows);
  expectedGone = expectedLoad(rows + 1, rows + goneRows);
  console.log(`[crash test] ${rows} rows, chunks of ${chunkRows}, seed ${seed}; set up in ${seconds(Date.now() - startedAt)}`);
}, timeoutMs);

afterAll(async () => {
  await owner?.close();
  if (databaseName) {
    const admin = openDatabase(adminUrl, { max: 1 });
    await sql.raw(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).execute(admin.db).finally(() => admin.close());
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`ingestion killed at random points (${rows} rows)`, () => {
  it('loses no row and applies none twice when the load is killed anywhere and resumed', async () => {
    control = await loadUninterrupted({ cli, owner: owner.db, tenantId: controlTenant.id, args: fullLoad(controlTenant), rows, exclude: excludeOf(controlTenant.preloadRun) });
    console.log(`[crash test] control load: ${seconds(control.loadMs)} to the last row (${Math.round(rows / (control.loadMs / 1000))} rows/s), then ${seconds(control.deactivationMs)} (deactivation, exit)`);
    const plan = planKills({ seed, rows, chunkRows, chunkMs: control.loadMs / Math.ceil(rows / chunkRows), deactivationMs: control.deactivationMs, loadKills: 4 });
    const crashStarted = Date.now();
    crash = await crashAndResume({ cli, owner: owner.db, tenant: crashTenant, args: fullLoad(crashTenant), plan, exclude: excludeOf(crashTenant.preloadRun) });
    console.log(`[crash test] crashed load: ${seconds(Date.now() - crashStarted)} with ${crash.kills.length} kills:`);
    console.table(crash.kills.map((kill) => ({ phase: kill.point.phase, plannedAfterRow: kill.point.afterRow, mode: kill.point.inTransaction ? 'in a writing tx' : `+${kill.point.delayMs} ms`, checkpointAtKill: kill.before.checkpointRow, writingAtKill: kill.writingAtKill, checkpointAfter: kill.after.checkpointRow, deactivatedAfter: kill.after.counts.deactivated ?? 0, onBreach: kill.onBreach })));

    expect(crash.finalExit, `the last resume failed:\n${crash.finalOutput}`).toEqual({ code: 0, signal: null });
    // The run's counts are the file's, add up, and equal the uninterrupted load's.
    const counts = await runCounts(crashTenant.id, crash.runId);
    const { created, merged, queued, rejected, skipped, duplicates, unchanged, updated, deactivated } = counts;
    console.log(`[crash test] counts: ${JSON.stringify(counts)}`);
    expect({ read: counts.read, rejected, skipped, duplicates, unchanged, updated, loaded: created + merged + queued }).toEqual({ read: rows, rejected: expected.rejected, skipped: expected.skipped, duplicates: 0, unchanged: 0, updated: 0, loaded: expected.created });
    expect(created + rejected + skipped + duplicates + unchanged + merged + queued).toBe(counts.read);
    expect(deactivated).toBeGreaterThan(0);
    expect(counts).toEqual(await runCounts(controlTenant.id, control.runId));

    // No snapshot on the way had records committed beyond the checkpoint.
    expect(control.breaches).toEqual([]);
    expect(crash.breaches).toEqual([]);
    // The plan landed: every kill, the first sent before the first chunk committed, the last during the deactivation.
    expect(crash.missed).toEqual([]);
    expect(crash.kills.length).toBeGreaterThanOrEqual(5);
    expect([crash.kills[0]!.point.phase, crash.kills[0]!.before.status, crash.kills[0]!.before.checkpointRow]).toEqual(['first-chunk', 'running', 0]);
    const last = crash.kills.at(-1)!;
    expect([last.point.phase, last.before.status, last.before.checkpointRow]).toEqual(['deactivation', 'running', rows]);
  }, timeoutMs);

  it('holds every loaded row exactly once, with the values of the file, as the uninterrupted load does', async () => {
    expect(crash, 'the crash run did not complete').toBeDefined();
    const counts = await runCounts(crashTenant.id, crash.runId);
    // Each key of the file (and of the earlier load) has exactly one of: its own record, a link into
    // another record (matched as a duplicate), an open review hold; and one cross-reference entry unless held.
    const account = await accountKeys(owner.db, crashTenant.id);
    const wanted = [...expected.createdCodes, ...expectedGone.createdCodes];
    const none = { missing: [], twice: [], unexpected: [] };
    expect(setDifferences(wanted, [...account.codes, ...account.mergedKeys, ...account.heldKeys])).toEqual(none);
    expect(setDifferences(wanted, [...account.xrefKeys, ...account.heldKeys])).toEqual(none);
    const inFile = (keys: readonly string[]) => keys.filter((key) => Number(key) <= 100_000 + rows).length;
    expect({ created: inFile(account.codes), merged: inFile(account.mergedKeys), queued: inFile(account.heldKeys) }).toEqual({ created: counts.created, merged: counts.merged, queued: counts.queued });

    const crashed = await fingerprintTenant(owner.db, crashTenant.id);
    expect(crashed).toEqual(await fingerprintTenant(owner.db, controlTenant.id));
    expect(crashed).toMatchObject({ outlets: account.codes.length, distinctCodes: account.codes.length, xrefEntries: account.xrefKeys.length, auditMostCreatesPerRecord: 1, lineageMostCreatesPerRecord: 1 });
    expect(crashed.auditByAction.create).toBe(account.codes.length);
    // The records of the earlier load's keys, which the file no longer has, were deactivated once each.
    const gone = await sql<{ entries: number; flagged: number; active: number }>`
      select count(*)::int as entries, count(*) filter (where x.deleted_in_source)::int as flagged, count(*) filter (where o.active)::int as active
      from ingest_xref x join outlets o on o.tenant_id = x.tenant_id and o.id = x.record_id
      where x.tenant_id = ${crashTenant.id} and x.entity = 'outlet' and x.source_key::bigint > ${100_000 + rows}`.execute(owner.db);
    expect(gone.rows[0]).toEqual({ entries: counts.deactivated, flagged: counts.deactivated, active: 0 });

    const run = await fingerprintRun(owner.db, crashTenant.id, crash.runId);
    expect(run).toEqual(await fingerprintRun(owner.db, controlTenant.id, control.runId));
    expect(run.lineage).toEqual(Object.fromEntries(Object.entries({ create: counts.created, link: counts.merged, deactivate: counts.deactivated }).filter(([, value]) => value > 0)));
    expect(run.distinctRejects).toBe(run.rejects);
    const rejectedRows = await sql<{ row_number: string }>`select row_number from ingest_rejects where tenant_id = ${crashTenant.id} and run_id = ${crash.runId} and seq = 0 order by row_number`.execute(owner.db);
    expect(rejectedRows.rows.map((row) => Number(row.row_number))).toEqual(expected.rejectedRows);

    // A few records against their line, parsed by hand.
    const own = new Set(account.codes);
    const candidates = expected.createdCodes.filter((code) => own.has(code));
    const random = seededRandom(seed ^ 0x5eed);
    const picks = Array.from({ length: 8 }, () => Number(candidates[Math.floor(random() * candidates.length)]) - 100_000);
    const found = await sql<Record<string, unknown>>`
      select code, name, channel, status, postal_code, city, country, email, tax_id, credit_limit_amount, credit_limit_currency, balance_amount, balance_currency, payment_terms_days, active
      from outlets where tenant_id = ${crashTenant.id} and code = any(${picks.map((row) => String(100_000 + row))})`.execute(owner.db);
    for (const row of picks) {
      const outlet = found.rows.find((candidate) => candidate.code === String(100_000 + row))!;
      const values = { code: outlet.code, channel: outlet.channel, status: outlet.status, postalCode: outlet.postal_code, city: outlet.city, country: outlet.country, email: outlet.email, taxId: outlet.tax_id, creditLimit: { amount: Number(outlet.credit_limit_amount), currency: outlet.credit_limit_currency }, balance: { amount: Number(outlet.balance_amount), currency: outlet.balance_currency }, paymentTermsDays: outlet.payment_terms_days, active: outlet.active };
      expect(values, `row ${row}`).toEqual(expectedOutletValues(row));
      for (const part of expectedNameParts(row)) expect((outlet.name as string).toLowerCase(), `row ${row}`).toContain(part.toLowerCase());
    }
  }, timeoutMs);

  it('changes nothing when the same file is loaded again', async () => {
    expect(crash, 'the crash run did not complete').toBeDefined();
    const before = await fingerprintTenant(owner.db, crashTenant.id);
    const again = await loadUninterrupted({ cli, owner: owner.db, tenantId: crashTenant.id, args: fullLoad(crashTenant), rows, exclude: excludeOf(crashTenant.preloadRun, crash.runId) });
    console.log(`[crash test] re-run of the same file: ${seconds(again.loadMs + again.deactivationMs)}; whole file ${seconds(Date.now() - startedAt)}`);
    const counts = await runCounts(crashTenant.id, again.runId);
    // Rows held for review are held again (their open case refreshed, nothing written); the rest are unchanged.
    expect(counts).toMatchObject({ read: rows, created: 0, updated: 0, merged: 0, deactivated: 0, duplicates: 0, rejected: expected.rejected, skipped: expected.skipped, queued: (await runCounts(crashTenant.id, crash.runId)).queued });
    expect(counts.unchanged + counts.queued).toBe(expected.created);
    expect(await fingerprintTenant(owner.db, crashTenant.id)).toEqual(before);
    expect((await fingerprintRun(owner.db, crashTenant.id, again.runId)).lineage).toEqual({});
  }, timeoutMs);
});
