/**
 * The platform under test: composed exactly as `npm start` composes it (composePlatform: runtime
 * role tenantry_app, RLS on, every app, the generated routes), on a database bench/run.ts has
 * already migrated and filled. Development tenant header on, request logging off (LOG_LEVEL=warn).
 * For the auth part: access tokens live BENCH_ACCESS_TOKEN_TTL_SECONDS (3600, the config's maximum,
 * instead of 600; bench/run.ts also refreshes a token that would expire during a round), the per-IP
 * limit of /v1/auth/* is lifted (every load comes from 127.0.0.1; login throughput is what is
 * measured, not the limiter), and IDENTITY_SESSION_CACHE_MS keeps its default unless
 * BENCH_SESSION_CACHE_MS sets it.
 */
import { requireEnv, serveBenchProtocol } from './bench-protocol.ts';
import { composePlatform } from '../../src/compose.ts';
import { loadConfig } from '../../src/kernel/config/index.ts';

const ownerUrl = requireEnv('BENCH_OWNER_URL');
const appUrl = requireEnv('BENCH_APP_URL');
const config = loadConfig({
  env: {},
  envFile: false,
  overrides: {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    TENANT_DEV_HEADER: true,
    SEED_DEMO: false,
    HOST: '127.0.0.1',
    PORT: 0,
    DATABASE_URL: ownerUrl,
    DATABASE_APP_URL: appUrl,
    DATABASE_POOL_MAX: Number(requireEnv('BENCH_POOL_MAX')),
    ACCESS_TOKEN_TTL_SECONDS: Number(process.env.BENCH_ACCESS_TOKEN_TTL_SECONDS || 3600),
    AUTH_RATE_LIMIT_MAX: 1_000_000_000,
    ...(process.env.BENCH_SESSION_CACHE_MS ? { IDENTITY_SESSION_CACHE_MS: Number(process.env.BENCH_SESSION_CACHE_MS) } : {}),
  },
});
const platform = await composePlatform(config, { urls: { ownerUrl, appUrl, managedRole: false }, migrate: false });
await platform.http.listen({ host: config.HOST, port: config.PORT });
const address = platform.http.server.address();
if (!address || typeof address !== 'object') throw new Error('platform server has no TCP address');
serveBenchProtocol(address.port, () => platform.close());
