/**
 * SQL on pg-boss's tables that pg-boss itself does not offer: executors that let pg-boss write a job
 * on one of our connections (a tenant transaction), and the operations view of failed jobs.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { JobInfo, JobState } from './jobs.contract.ts';

/** What pg-boss calls to run SQL (its `db` option). */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** Runs pg-boss's statements on a Kysely connection: a tenant transaction, so the job commits with it. */
export function kyselyExecutor(connection: Kysely<any>): SqlExecutor {
  return {
    async executeSql(text, values) {
      const result = await connection.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as any[] };
    },
  };
}

interface JobRow {
  id: string;
  name: string;
  data: { tenantId?: unknown } | null;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  output: unknown;
  created_on: Date;
  completed_on: Date | null;
}

/** The message of a pg-boss job output (a serialized error or a value). */
function errorOf(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const value = output as { message?: unknown; value?: { message?: unknown } };
  const message = value.message ?? value.value?.message;
  return typeof message === 'string' ? message : null;
}

function toJobInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    queue: row.name,
    tenantId: typeof row.data?.tenantId === 'string' ? row.data.tenantId : null,
    state: row.state,
    attempts: row.state === 'created' ? 0 : row.retry_count + 1,
    retryLimit: row.retry_limit,
    error: row.state === 'completed' ? null : errorOf(row.output),
    createdAt: row.created_on.toISOString(),
    completedAt: row.completed_on?.toISOString() ?? null,
  };
}

const columns = sql.raw('id, name, data, state, retry_count, retry_limit, output, created_on, completed_on');

export async function findJob(db: Kysely<any>, queue: string, id: string): Promise<JobInfo | undefined> {
  const result = await sql<JobRow>`
    select ${columns} from pgboss.job where name = ${queue} and id = ${id}::uuid
    union all
    select ${columns} from pgboss.archive where name = ${queue} and id = ${id}::uuid
    limit 1`.execute(db);
  return result.rows[0] && toJobInfo(result.rows[0]);
}

export async function findFailedJobs(db: Kysely<any>, queue: string, limit: number): Promise<JobInfo[]> {
  const result = await sql<JobRow>`
    select * from (
      select ${columns} from pgboss.job where name = ${queue} and state = 'failed'
      union all
      select ${columns} from pgboss.archive where name = ${queue} and state = 'failed'
    ) failed order by completed_on desc nulls last limit ${limit}`.execute(db);
  return result.rows.map(toJobInfo);
}
