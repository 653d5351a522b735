/**
 * The floor: the least a Node server can do for the same list request. One Fastify route, `pg`
 * directly as tenantry_app, the same round trips as withTenant (BEGIN + set_config in one simple
 * query, the SELECT, COMMIT), the same SQL and the same response shape, serialized with plain
 * JSON.stringify. No plugins, hooks, validation, logging or row mapping.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { requireEnv, serveBenchProtocol } from './bench-protocol.ts';

const pool = new pg.Pool({ connectionString: requireEnv('BENCH_APP_URL'), max: Number(requireEnv('BENCH_POOL_MAX')) });
pool.on('error', () => {});
/** Tenant slug -> id, resolved by the parent (the platform caches the same lookup in memory). */
const tenants = new Map(Object.entries(JSON.parse(requireEnv('BENCH_TENANTS')) as Record<string, string>));
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const listSql = 'select * from products where tenant_id = $1 and deleted_at is null order by id asc limit $2';

const app = Fastify({ logger: false });
app.get('/v1/products', async (request, reply) => {
  const tenantId = tenants.get(String(request.headers['x-tenant'] ?? ''));
  if (!tenantId || !uuid.test(tenantId)) return reply.code(401).send({ code: 'tenancy.tenant_required' });
  const rawLimit = Number((request.query as { limit?: string }).limit ?? 50);
  const limit = Number.isInteger(rawLimit) && rawLimit >= 1 && rawLimit <= 200 ? rawLimit : 50;
  const client = await pool.connect();
  let rows: Record<string, unknown>[];
  try {
    await client.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', '', true)`);
    try {
      rows = (await client.query(listSql, [tenantId, limit + 1])).rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  const nextCursor = hasMore && last ? Buffer.from(JSON.stringify({ s: '', v: [], i: last.id })).toString('base64url') : null;
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ data, nextCursor }));
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (!address || typeof address !== 'object') throw new Error('floor server has no TCP address');
serveBenchProtocol(address.port, async () => {
  await app.close();
  await pool.end();
});
