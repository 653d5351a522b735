/** The suite's Redis (started by global-setup.ts), for the test files that need one. */
import { inject } from 'vitest';
import { redisInstallHint } from './redis-server.ts';

/**
 * The suite's Redis URL (global-setup), or '' when there is no redis-server: then the caller skips
 * its Redis tests (describe.skipIf) and this prints why, once per file.
 */
export function testRedisUrl(what: string): string {
  const url = inject('redisUrl');
  if (!url) console.warn(`[tests] ${what}: Redis tests skipped, no redis-server found; ${redisInstallHint}`);
  return url;
}
