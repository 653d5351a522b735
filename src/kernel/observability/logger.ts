/**
 * pino JSON logs. Secrets and personal data never reach a log line: credentials and bodies are
 * redacted by path, and request URLs are logged without their query string (filters can carry
 * personal data such as an e-mail address).
 */
import pino, { type Logger } from 'pino';

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // Explicit paths only: wildcard redaction costs every request's logger, logging or not.
  'config.DATABASE_URL',
  'config.DATABASE_APP_URL',
  'config.DATABASE_APP_PASSWORD',
  'config.REDIS_URL',
  // PostgreSQL error details can quote row values (personal data).
  'err.detail',
  'err.cause.detail',
];

export interface LoggerOptions {
  level: string;
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'tenantry' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        req: (req: { method?: string; url?: string; routeOptions?: { url?: string } }) => ({
          method: req.method,
          path: req.url?.split('?')[0],
          route: req.routeOptions?.url,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    options.destination,
  );
}

export type { Logger };
