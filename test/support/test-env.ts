/**
 * Where the test databases live. DATABASE_URL (an owner/superuser URL) points the suite at a real
 * server, such as CI's system PostgreSQL 15; without it the suite starts one embedded cluster.
 */
import { appModules, migrationDirsOf } from '../../src/compose.ts';
import { kernelTestModule } from '../model/kernel-test.model.ts';

export const testAppPassword = 'tenantry-app-test';
/** Every module the suite composes: the apps of this build plus the kernel test model. */
export const testModules = [...appModules, kernelTestModule];
export const testMigrationDirs = migrationDirsOf(testModules);

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
    /** The suite's throw-away Redis (redis://127.0.0.1:port), '' when no redis-server is installed (not in CI). */
    redisUrl: string;
  }
}
