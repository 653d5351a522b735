/**
 * The server side of sync tests: a user's scope read through the REST list API (the same permissions,
 * row conditions and field masks a pull applies), and what the owner connection sees of versions,
 * audit rows and sync clients.
 */
import { sql, type Kysely } from 'kysely';

export type ApiRow = Record<string, unknown> & { id: string; version: number };

/** Every record of `plural` the user may list, by id (GET /v1/<plural>, all pages). */
export async function listAs(baseUrl: string, headers: Record<string, string>, plural: string): Promise<Map<string, ApiRow>> {
  const rows = new Map<string, ApiRow>();
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${baseUrl}/v1/${plural}?${query}`, { headers });
    if (response.status === 403) return rows;
    if (!response.ok) throw new Error(`GET /v1/${plural}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { data: ApiRow[]; nextCursor: string | null };
    for (const row of body.data) rows.set(row.id, row);
    cursor = body.nextCursor;
    if (!cursor) return rows;
  }
  throw new Error(`GET /v1/${plural}: too many pages`);
}

/** Audit rows per record of the given entities. */
export async function auditCounts(owner: Kysely<any>, tenantId: string, entities: readonly string[]): Promise<Map<string, number>> {
  const result = await sql<{ record_id: string; count: number }>`
    select record_id, count(*)::int as count from audit_entries where tenant_id = ${tenantId} and entity = any(${entities}) group by record_id`.execute(owner);
  return new Map(result.rows.map((row) => [row.record_id, row.count]));
}

/** Version and soft deletion of every row of a table (deleted rows included). */
export async function rowVersions(owner: Kysely<any>, tenantId: string, table: string): Promise<Map<string, { version: number; deleted: boolean }>> {
  const result = await sql<{ id: string; version: string; deleted: boolean }>`
    select id::text as id, version::text as version, deleted_at is not null as deleted from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(owner);
  return new Map(result.rows.map((row) => [row.id, { version: Number(row.version), deleted: row.deleted }]));
}

/** The last mutation id the server settled, per client id. */
export async function lastMutationIds(owner: Kysely<any>, tenantId: string): Promise<Map<string, number>> {
  const result = await sql<{ client_id: string; last: string }>`
    select client_id::text as client_id, last_mutation_id::text as last from sync_clients where tenant_id = ${tenantId}`.execute(owner);
  return new Map(result.rows.map((row) => [row.client_id, Number(row.last)]));
}
