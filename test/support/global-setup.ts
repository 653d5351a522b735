/**
 * Once per `npm test`: one PostgreSQL (embedded unless DATABASE_URL is set), the runtime role, and a
 * template database migrated with every module. Test files clone the template (CREATE DATABASE ...
 * TEMPLATE), which takes milliseconds, so each file has a database of its own. Also one throw-away
 * redis-server for the tests of the shared (several-node) state: required when CI=true, otherwise
 * those tests are skipped when none is installed.
 */
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { ensureRuntimeRole, migrateToLatest, openDatabase, startEmbeddedServer, withUrlParts, type EmbeddedServer } from '../../src/kernel/db/index.ts';
import { freePort } from './free-port.ts';
import { findRedisServer, redisInstallHint, startRedisServer, type TestRedisServer } from './redis-server.ts';
import { makeTempDir } from './temp-dir.ts';
import { testAppPassword, testMigrationDirs } from './test-env.ts';

/** The suite's redis-server, or undefined (with one line saying why) when none is installed outside CI. */
async function startTestRedis(): Promise<TestRedisServer | undefined> {
  const bin = findRedisServer();
  if (!bin) {
    if (process.env.CI === 'true') throw new Error(`CI=true but no redis-server was found: ${redisInstallHint}`);
    console.log(`[tests] Redis: no redis-server found, the several-node (Redis) tests will be skipped; ${redisInstallHint}`);
    return undefined;
  }
  const server = await startRedisServer(bin);
  console.log(`[tests] Redis ${server.version} (${bin}) at ${server.url}`);
  return server;
}

export default async function setup(project: TestProject) {
  // First: when CI requires Redis and it is missing, fail before anything else is started.
  const redis = await startTestRedis();
  try {
    return await setupDatabase(project, redis);
  } catch (error) {
    await redis?.stop();
    throw error;
  }
}

async function setupDatabase(project: TestProject, redis: TestRedisServer | undefined) {
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
  project.provide('redisUrl', redis?.url ?? '');

  return async () => {
    await redis?.stop();
    const leftovers = await sql<{ datname: string }>`select datname from pg_database where datname like ${`t_${process.pid}_%`} or datname = ${templateDatabase}`.execute(admin.db);
    for (const row of leftovers.rows) await sql.raw(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).execute(admin.db);
    await admin.close();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
