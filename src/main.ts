/**
 * Process entry: load config, compose, listen, and shut down gracefully on a signal (stop taking
 * requests, drain in-flight ones, close the pool, stop the embedded PostgreSQL).
 */
import closeWithGrace from 'close-with-grace';
import { existsSync, readFileSync } from 'node:fs';
import { composePlatform, demoCredentialsFile, demoTenantSlug } from './compose.ts';
import { loadConfig, redactConfig, type Config } from './kernel/config/index.ts';
import { createLogger } from './kernel/observability/index.ts';

async function main(): Promise<void> {
  const started = performance.now();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  logger.debug({ config: redactConfig(config) }, 'configuration');
  const platform = await composePlatform(config, { logger });
  const address = await platform.http.listen({ host: config.HOST, port: config.PORT });
  const url = new URL(address);
  const base = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${url.port}`;
  logger.info({ url: base, startupMs: Math.round(performance.now() - started) }, 'tenantry ready');
  printBanner(base, config);

  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    platform.drain();
    await platform.close();
    logger.info('stopped');
  });
}

function printBanner(base: string, config: Config): void {
  const credentials = readDemoCredentials(config.DATA_DIR);
  const login = credentials
    ? [
        `  Demo owner: ${credentials.email} / ${credentials.password}   (kept in ${demoCredentialsFile(config.DATA_DIR)})`,
        `  curl -s -X POST ${base}/v1/auth/login -H 'content-type: application/json' \\`,
        `       -d '{"email":"${credentials.email}","password":"${credentials.password}","tenant":"${demoTenantSlug}"}'`,
        `  curl -H 'Authorization: Bearer <accessToken>' '${base}/v1/products?limit=5'`,
      ]
    : [`  Sign up: POST ${base}/v1/auth/sign-up, then POST ${base}/v1/auth/login and send 'Authorization: Bearer <accessToken>'`];
  const devHeader = config.TENANT_DEV_HEADER ? [`  Development header (on): curl -H 'X-Tenant: ${demoTenantSlug}' '${base}/v1/products?limit=5'`] : [];
  const call = [...login, ...devHeader].join('\n');
  process.stdout.write(
    [
      '',
      `Tenantry is running at ${base}`,
      `  API docs:    ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      `  Health:      ${base}/readyz   Metrics: ${base}/metrics`,
      `  Database:    ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.DATA_DIR}`}`,
      `  Mail:        ${config.SMTP_URL ? 'sent over SMTP_URL' : `captured, not sent (no SMTP_URL): GET ${base}/v1/admin/mails`}; jobs ${config.JOBS_IN_PROCESS === false ? 'run by `tenantry worker`' : 'run in this process'}`,
      'Call the API:',
      call,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
}

function readDemoCredentials(dataDir: string): { email: string; password: string } | undefined {
  const file = demoCredentialsFile(dataDir);
  if (!existsSync(file)) return undefined;
  const [email, password] = readFileSync(file, 'utf8').split('\n');
  return email && password ? { email, password } : undefined;
}

main().catch((error: unknown) => {
  process.stderr.write(`Tenantry failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
