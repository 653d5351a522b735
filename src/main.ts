/**
 * Process entry: load config, compose, listen, and shut down gracefully on a signal (stop taking
 * requests, drain in-flight ones, close the pool, stop the embedded PostgreSQL).
 */
import closeWithGrace from 'close-with-grace';
import { composePlatform, demoTenantSlug } from './compose.ts';
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
  const call = config.TENANT_DEV_HEADER
    ? `  curl -H 'X-Tenant: ${demoTenantSlug}' '${base}/v1/products?limit=5'`
    : `  Tenant routes need a principal. For local development, restart with\n  TENANT_DEV_HEADER=true npm start   and call\n  curl -H 'X-Tenant: ${demoTenantSlug}' '${base}/v1/products?limit=5'`;
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

main().catch((error: unknown) => {
  process.stderr.write(`Tenantry failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
