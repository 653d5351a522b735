/**
 * Tenant isolation over HTTP on the platform as `npm start` composes it: the runtime role under
 * row-level security, and the code's own tenant filters. The suite itself is in
 * test/support/isolation-http-suite.ts (shared with http-code-filters.test.ts).
 */
import { defineHttpIsolationSuite } from '../support/isolation-http-suite.ts';
import { startTestPlatform } from '../support/platform.ts';

defineHttpIsolationSuite(() => startTestPlatform());
