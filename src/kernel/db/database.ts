/**
 * Connection pools. A Database is a Kysely instance over its own pg pool, with type parsers that
 * keep values in their API form: bigint as number (versions and minor units stay below 2^53),
 * date as "YYYY-MM-DD" text rather than a local-midnight Date.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

export interface Database {
  readonly db: Kysely<any>;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

/**
 * timestamptz through pg's own parser, remembering the last text: the rows of a statement mostly
 * share theirs (created_at and updated_at are the transaction's now()), and a bulk write's returned
 * rows parsed the same text twice a row. Each value is still a Date of its own.
 */
function rememberingTimestamps(parse: (value: string) => unknown): (value: string) => unknown {
  let lastText: string | undefined;
  let lastTime = 0;
  return (value) => {
    if (value === lastText) return new Date(lastTime);
    const parsed = parse(value);
    // 'infinity' and '-infinity' parse to numbers: passed on, not remembered.
    if (!(parsed instanceof Date)) return parsed;
    lastText = value;
    lastTime = parsed.getTime();
    return parsed;
  };
}

const parsers: Record<number, (value: string) => unknown> = {
  20: (value) => Number(value), // int8
  1082: (value) => value, // date
  1184: rememberingTimestamps(pg.types.getTypeParser(1184, 'text')), // timestamptz
};

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    return parsers[oid] ?? pg.types.getTypeParser(oid, format ?? 'text');
  },
};

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'tenantry',
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    types: types as pg.CustomTypesConfig,
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

/** The URL with another user, password or database. */
export function withUrlParts(url: string, parts: { user?: string; password?: string; database?: string }): string {
  const parsed = new URL(url);
  if (parts.user !== undefined) parsed.username = encodeURIComponent(parts.user);
  if (parts.password !== undefined) parsed.password = encodeURIComponent(parts.password);
  if (parts.database !== undefined) parsed.pathname = `/${parts.database}`;
  return parsed.toString();
}
