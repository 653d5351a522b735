/**
 * Reads the environment (and an optional .env file) once, validates it against the schema and
 * returns a frozen typed object. Every bad variable is reported in one error. The only code that
 * reads process.env.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import Value from 'typebox/value';
import { AppError } from '../shared/index.ts';
import { developmentTokenSecret, EnvSchema, type Config } from './config.schema.ts';

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Path of a .env file; its values never override the real environment. */
  envFile?: string | false;
  /** Values that override everything (tests). */
  overrides?: Record<string, string | number | boolean | undefined>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const fileValues = options.envFile === false ? {} : readEnvFile(options.envFile ?? '.env');
  const known = Object.keys(EnvSchema.properties);
  const source = { ...fileValues, ...(options.env ?? process.env), ...options.overrides };
  const picked: Record<string, unknown> = {};
  for (const key of known) {
    const value = source[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const converted = Value.Default(EnvSchema, Value.Convert(EnvSchema, picked)) as Record<string, unknown>;
  const problems = [...Value.Errors(EnvSchema, converted)]
    .filter((error) => error.keyword !== 'anyOf' || !error.instancePath)
    .map((error) => describe(error.instancePath.slice(1), error.message, converted));
  problems.push(...crossChecks(converted as Config));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new AppError('invalid', 'config.invalid', 'Invalid configuration', {
      detail: `Invalid configuration:\n  - ${unique.join('\n  - ')}`,
      errors: unique.map((detail) => ({ parameter: detail.split(':')[0] ?? '', detail })),
    });
  }
  return Object.freeze(converted) as Config;
}

function describe(key: string, message: string, values: Record<string, unknown>): string {
  const schema = (EnvSchema.properties as Record<string, { description?: string; enum?: unknown[] }>)[key];
  const expected = schema?.enum ? `one of ${schema.enum.join(', ')}` : (schema?.description ?? '');
  const shown = isSecret(key) ? '[redacted]' : JSON.stringify(values[key]);
  return `${key}: ${message} (got ${shown}${expected ? `; expected ${expected}` : ''})`;
}

function crossChecks(config: Config): string[] {
  const problems: string[] = [];
  if (config.NODE_ENV === 'production' && config.TENANT_DEV_HEADER) {
    problems.push('TENANT_DEV_HEADER: must be false in production (the development tenant header is never allowed there)');
  }
  if (config.NODE_ENV === 'production' && !config.DATABASE_URL) {
    problems.push('DATABASE_URL: required in production (the embedded PostgreSQL is for development and tests)');
  }
  if (config.NODE_ENV === 'production' && !config.DATABASE_APP_URL && config.DATABASE_APP_PASSWORD === (EnvSchema.properties.DATABASE_APP_PASSWORD as { default?: string }).default) {
    problems.push('DATABASE_APP_PASSWORD: set a password of your own in production (or give DATABASE_APP_URL)');
  }
  if (config.NODE_ENV === 'production' && config.TOKEN_SECRET === developmentTokenSecret) {
    problems.push('TOKEN_SECRET: set a secret of your own in production (at least 32 random characters)');
  }
  if (config.HTTP_LIST_DEFAULT_LIMIT > config.HTTP_LIST_MAX_LIMIT) {
    problems.push('HTTP_LIST_DEFAULT_LIMIT: must not exceed HTTP_LIST_MAX_LIMIT');
  }
  return problems;
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

export function isSecret(key: string): boolean {
  const schema = (EnvSchema.properties as Record<string, { secret?: boolean }>)[key];
  return schema?.secret === true;
}

/** The config with secrets replaced, safe to log. */
export function redactConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, isSecret(key) ? '[redacted]' : value]));
}
