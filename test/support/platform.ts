/**
 * A composed platform on a fresh test database, as `npm start` composes it (runtime role, RLS,
 * every app plus the kernel test model), with the development tenant header on.
 */
import { composePlatform, type Platform } from '../../src/compose.ts';
import { loadConfig } from '../../src/kernel/config/index.ts';
import { createLogger, type Logger } from '../../src/kernel/observability/index.ts';
import type { Tenant } from '../../src/kernel/tenancy/index.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { testModules } from './test-env.ts';

export interface TestPlatform {
  platform: Platform;
  database: TestDatabase;
  createTenant(slug?: string): Promise<Tenant>;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  logger?: Logger;
  /** Another node on the same database (kept when this platform closes): several-node tests. */
  database?: TestDatabase;
}

export async function startTestPlatform(overrides: Record<string, string | number | boolean> = {}, options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    env: {},
    envFile: false,
    overrides: { NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: false, TENANT_DEV_HEADER: true, DATABASE_URL: database.ownerUrl, DATABASE_APP_URL: database.appUrl, ...overrides },
  });
  const platform = await composePlatform(config, {
    apps: testModules,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    urls: { ownerUrl: database.ownerUrl, appUrl: database.appUrl, managedRole: false },
    migrate: false,
  });
  await platform.http.ready();
  let counter = 0;
  return {
    platform,
    database,
    createTenant: (slug) => platform.tenants.createTenant({ slug: slug ?? `tenant-${++counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Test tenant' }),
    async close() {
      await platform.close();
      if (!options.database) await database.drop();
    },
  };
}
