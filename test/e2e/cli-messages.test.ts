/**
 * What the real `tenantry` command says: to a wrong argument, what is wrong and what to do (exit code
 * 1, no stack trace); of an empty list, a sentence rather than an empty table.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, withTenant, withUrlParts } from '../../src/kernel/db/index.ts';
import { insertSpec } from '../../src/kernel/ingest/ingest.repository.ts';
import type { MappingSpec } from '../../src/kernel/ingest/index.ts';

import { testAppPassword } from '../support/test-env.ts';
import { runCli, spawnCli, type CliTarget } from '../ingest/tenantry-cli.ts';

let cli: CliTarget;
let databaseName: string;
const admin = () => openDatabase(inject('adminUrl'), { max: 1 });

// A database of the platform's own migrations (the test template has a test model the command does
// not know), named like the suite's per-file databases so the global teardown drops it if this cannot.
beforeAll(async () => {
  databaseName = `t_${inject('templateDatabase').split('_').pop()}_cli${randomBytes(4).toString('hex')}`;
  const database = admin();
  try {
    await sql.raw(`CREATE DATABASE ${databaseName}`).execute(database.db);
  } finally {
    await database.close();
  }
  cli = { ownerUrl: withUrlParts(inject('adminUrl'), { database: databaseName }), appPassword: testAppPassword };
  await runCli(cli, ['db', 'migrate']);
}, 120_000);

afterAll(async () => {
  const database = admin();
  try {
    await sql.raw(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).execute(database.db);
  } finally {
    await database.close();
  }
});

const failing = async (args: readonly string[]) => {
  const running = spawnCli(cli, args);
  const { code } = await running.exited;
  return { code, output: running.output() };
};

describe('tenantry, given a tenant the database does not have', () => {
  it.each([
    ['ingest runs', ['ingest', 'runs', '--tenant', 'no-such-tenant']],
    ['tenant suspend', ['tenant', 'suspend', 'no-such-tenant']],
    ['audit verify', ['audit', 'verify', '--tenant', 'no-such-tenant']],
  ])('%s says how to find or make one', async (_name, args) => {
    const { code, output } = await failing(args);
    expect(code).toBe(1);
    expect(output).toContain('Tenant not found');
    expect(output).toContain('tenantry tenant list');
    expect(output).toContain('npm start` seeds the demo tenant');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('tenantry, listing what a tenant does not have yet', () => {
  it('says so in a sentence', async () => {
    expect(await runCli(cli, ['tenant', 'list'])).toContain('No tenants yet');
    await runCli(cli, ['tenant', 'create', '--slug', 'empty-lists', '--name', 'Empty lists']);
    expect(await runCli(cli, ['ingest', 'runs', '--tenant', 'empty-lists'])).toContain('No runs yet.');
    expect(await runCli(cli, ['ingest', 'review', '--tenant', 'empty-lists'])).toContain('No open cases.');
    expect(await runCli(cli, ['ingest', 'review', 'merges', '--tenant', 'empty-lists'])).toContain('No merges.');
  });
});

describe('tenantry ingest specs', () => {
  it('lists every tenant\'s specs with whether each still passes its checks, and exits 1 when one does not', async () => {
    expect(await runCli(cli, ['ingest', 'specs'])).toContain('No tenant has a mapping spec.');
    await runCli(cli, ['tenant', 'create', '--slug', 'spec-check', '--name', 'Spec check']);
    // As a database upgraded under them holds them: one spec that passes, one saved before a rule it breaks.
    const sapOutletSpec = JSON.parse(readFileSync(new URL('../../examples/ingest/sap-kna1-outlets.json', import.meta.url), 'utf8')) as MappingSpec;
    const database = openDatabase(cli.ownerUrl, { max: 1 });
    try {
      const [{ id }] = (await sql<{ id: string }>`select id from tenants where slug = 'spec-check'`.execute(database.db)).rows as [{ id: string }];
      await withTenant(database.db, { tenantId: id }, async (tx) => {
        await insertSpec(tx, id, 'sap-outlets', 1, sapOutletSpec);
        await insertSpec(tx, id, 'stale-outlets', 3, { ...(sapOutletSpec), name: 'stale-outlets', matching: { exact: ['postalCode'] } });
      });
    } finally {
      await database.close();
    }
    for (const args of [['ingest', 'specs'], ['ingest', 'specs', '--tenant', 'spec-check']]) {
      const { code, output } = await failing(args);
      expect(code).toBe(1);
      expect(output).toMatch(/spec-check.*sap-outlets@1.*outlet.*passes/);
      expect(output).toMatch(/spec-check.*stale-outlets@3.*1 problem\(s\): \/matching\/exact\/0 no index looks outlets up by postalCode/);
      expect(output).toContain('1 spec(s) no longer pass their checks; their runs are refused until a corrected version is saved');
      expect(output).not.toMatch(/\n\s+at /);
    }
  });
});
