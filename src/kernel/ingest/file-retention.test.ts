/** Retention of ingestion files: what a sweep removes and keeps, what a removed file's run becomes, a deleted tenant's folder. */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import { withTenant, type TenantContext } from '../db/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import { createIngestFileRetention, removeTenantFiles, tenantFilesDir } from './file-retention.ts';
import type { MappingSpec } from './index.ts';

const spec: MappingSpec = {
  specVersion: 1,
  name: 'codes',
  entity: 'outlet',
  system: 'RETENTION-TEST',
  source: { format: 'csv', delimiter: ';' },
  key: { from: 'KEY' },
  fields: { code: { from: 'KEY' }, name: { from: 'NAME' }, channel: { constant: 'kiosk' } },
};
const day = 86_400_000;
const now = new Date('2026-11-21T12:00:00Z');

let t: TestPlatform;
let tenant: Tenant;
let other: Tenant;
let context: TenantContext;
let filesDir: string;

/** A file in the tenant's folder, last written `daysAgo` days before `now`. */
const storedFile = (owner: Tenant, name: string, daysAgo: number): string => {
  const dir = tenantFilesDir(filesDir, owner.id);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, 'KEY;NAME\r\nR1;Retained\r\n');
  const at = new Date(now.getTime() - daysAgo * day);
  utimesSync(path, at, at);
  return path;
};

/** A run of the file, put in the given state as if it had ended `endedDaysAgo` days before `now`. */
const runOf = async (path: string, status: 'queued' | 'running' | 'succeeded' | 'failed', endedDaysAgo?: number): Promise<string> => {
  const run = await t.platform.ingest.createRun(context, { spec: 'codes', mode: 'delta', file: { path, name: 'codes.csv' } });
  const finishedAt = endedDaysAgo === undefined ? null : new Date(now.getTime() - endedDaysAgo * day);
  await withTenant(t.platform.database.db, context, (tx) => sql`update ingest_runs set status = ${status}, finished_at = ${finishedAt} where tenant_id = ${tenant.id} and id = ${run.id}`.execute(tx));
  return run.id;
};

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant();
  other = await t.createTenant();
  context = { tenantId: tenant.id };
  filesDir = makeTempDir('ingest-files-');
  await t.platform.ingest.saveSpec(context, 'codes', spec);
});
afterAll(() => t?.close());

describe('ingestion file retention', () => {
  it('removes files past the retention unless a run still needs them, and the runs of removed files lose their path', async () => {
    const ended = storedFile(tenant, 'ended.upload', 40);
    const endedRun = await runOf(ended, 'succeeded', 35);
    const failed = storedFile(tenant, 'failed.upload', 40);
    const failedRun = await runOf(failed, 'failed', 31);
    const orphan = storedFile(tenant, 'orphan.upload', 31);
    const waiting = storedFile(tenant, 'waiting.upload', 60);
    await runOf(waiting, 'queued');
    const running = storedFile(tenant, 'running.ndjson', 60);
    await runOf(running, 'running');
    const recentlyEnded = storedFile(tenant, 'recent-run.upload', 45);
    await runOf(recentlyEnded, 'succeeded', 2);
    const young = storedFile(tenant, 'young.upload', 3);
    const neighbours = storedFile(other, 'neighbour.upload', 90);
    // `tenantry ingest <file>` reads the operator's file where it is: never the sweep's business.
    const outside = join(makeTempDir('operator-'), 'kna1.csv');
    writeFileSync(outside, 'KEY;NAME\r\n');
    utimesSync(outside, new Date(0), new Date(0));
    const outsideRun = await runOf(outside, 'succeeded', 400);

    const retention = createIngestFileRetention({ db: t.platform.database.db, tenants: t.platform.tenants, filesDir, retentionDays: 30 });
    expect(await retention.purgeTenant(tenant.id, now)).toEqual({ removed: 3, kept: 3 });

    for (const path of [ended, failed, orphan]) expect(existsSync(path), path).toBe(false);
    for (const path of [waiting, running, recentlyEnded, young, neighbours, outside]) expect(existsSync(path), path).toBe(true);
    expect((await t.platform.ingest.getRun(context, endedRun)).file).toMatchObject({ name: 'codes.csv', path: null, sha256: expect.any(String) });
    expect((await t.platform.ingest.getRun(context, outsideRun)).file.path).toBe(outside);
    // A failed run whose file is gone cannot resume, and says why.
    await expect(t.platform.ingest.executeRun(context, failedRun)).rejects.toMatchObject({ code: 'ingest.no_file', message: expect.stringContaining('INGEST_FILE_RETENTION_DAYS') });
    // Nothing left to do: a second sweep removes nothing.
    expect(await retention.purgeTenant(tenant.id, now)).toEqual({ removed: 0, kept: 3 });
    // A tenant without a folder has nothing to sweep.
    expect(await retention.purgeTenant((await t.createTenant()).id, now)).toEqual({ removed: 0, kept: 0 });
  });

  it('a run whose file vanished from disk fails with ingest.no_file, not an internal error', async () => {
    const path = storedFile(tenant, 'vanishing.upload', 0);
    const runId = await runOf(path, 'queued');
    await removeTenantFiles(filesDir, tenant.id);
    await expect(t.platform.ingest.executeRun(context, runId)).rejects.toMatchObject({ code: 'ingest.no_file' });
    expect(await t.platform.ingest.getRun(context, runId)).toMatchObject({ status: 'failed', error: { code: 'ingest.no_file' } });
  });

  it("removes a deleted tenant's folder and nothing of its neighbours'", async () => {
    const mine = storedFile(tenant, 'mine.upload', 0);
    const theirs = storedFile(other, 'theirs.upload', 0);
    await removeTenantFiles(filesDir, tenant.id);
    expect(existsSync(mine)).toBe(false);
    expect(existsSync(tenantFilesDir(filesDir, tenant.id))).toBe(false);
    expect(existsSync(theirs)).toBe(true);
    // Twice is harmless.
    await removeTenantFiles(filesDir, tenant.id);
  });
});
