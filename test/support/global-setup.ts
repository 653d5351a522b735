/**
 * Once per `npm test`: one PostgreSQL (embedded unless DATABASE_URL is set), the runtime role, and a
 * template database migrated with every module. Test files clone the template (CREATE DATABASE ...
 * TEMPLATE), which takes milliseconds, so each file has a database of its own.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { ensureRuntimeRole, migrateToLatest, openDatabase, startEmbeddedServer, withUrlParts, type EmbeddedServer } from '../../src/kernel/db/index.ts';
import { makeTempDir } from './temp-dir.ts';
import { testAppPassword, testMigrationDirs } from './test-env.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = makeTempDir('test-');
    embedded = await startEmbeddedServer({ dataDir, port: await freePort(), persistent: false });
    adminUrl = embedded.adminUrl;
  }
  const templateDatabase = `tenantry_template_${process.pid}`;
  const admin = openDatabase(adminUrl, { max: 1 });
  await sql.raw(`DROP DATABASE IF EXISTS ${templateDatabase}`).execute(admin.db);
  await sql.raw(`CREATE DATABASE ${templateDatabase}`).execute(admin.db);
  const version = await sql<{ server_version: string }>`show server_version`.execute(admin.db);
  console.log(`[tests] PostgreSQL ${version.rows[0]?.server_version} (${embedded ? 'embedded' : 'DATABASE_URL'}), template ${templateDatabase}`);
  const owner = openDatabase(withUrlParts(adminUrl, { database: templateDatabase }), { max: 1 });
  try {
    await ensureRuntimeRole(owner.db, testAppPassword, templateDatabase);
    await migrateToLatest(owner.db, testMigrationDirs);
  } finally {
    await owner.close();
  }
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    const leftovers = await sql<{ datname: string }>`select datname from pg_database where datname like ${`t_${process.pid}_%`} or datname = ${templateDatabase}`.execute(admin.db);
    for (const row of leftovers.rows) await sql.raw(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).execute(admin.db);
    await admin.close();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
