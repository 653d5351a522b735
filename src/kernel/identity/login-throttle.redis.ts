/**
 * The login throttle's counts in Redis, shared by every node: a hash per account (`failures`,
 * `last`) and per client IP (`failures`, `start`), each read or counted by one Lua script, so two
 * nodes counting at once never lose a failure. Keys carry a SHA-256 of the e-mail address or IP, not
 * the address: Redis holds no personal data in clear.
 */
import { createHash } from 'node:crypto';
import { defineScript, type ScriptClient } from '../redis/index.ts';
import type { LoginThrottleStore, ThrottleQuery, ThrottleState } from './login-throttle.ts';

const readScript = defineScript(`
local account = redis.call('HMGET', KEYS[1], 'failures', 'last')
local ip = redis.call('HMGET', KEYS[2], 'failures', 'start')
return {account[1], account[2], ip[1], ip[2]}
`);

// ARGV: now, IP window (ms), account retention (ms). A window that ended (by the caller's clock) restarts.
const addFailureScript = defineScript(`
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local start = tonumber(redis.call('HGET', KEYS[2], 'start'))
local ipFailures
if start == nil or now - start >= window or now < start then
  start = now
  ipFailures = 1
  redis.call('HSET', KEYS[2], 'failures', 1, 'start', ARGV[1])
else
  ipFailures = redis.call('HINCRBY', KEYS[2], 'failures', 1)
end
redis.call('PEXPIRE', KEYS[2], math.max(1, start + window - now))
return {failures, now, ipFailures, start}
`);

const clearScript = defineScript(`return redis.call('DEL', KEYS[1])`);

const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 32);

export function createRedisThrottleStore(client: ScriptClient, options: { prefix?: string } = {}): LoginThrottleStore {
  const prefix = options.prefix ?? 'tenantry:lt:';
  const accountKey = (account: string) => `${prefix}account:${digest(account)}`;
  const keys = (q: ThrottleQuery) => [accountKey(q.account), `${prefix}ip:${digest(q.ip)}`];
  const args = (q: ThrottleQuery) => [q.now, q.ipWindowMs, q.accountRetainMs];
  return {
    read: async (q) => stateOf(await readScript.run(client, keys(q), args(q)), q),
    addFailure: async (q) => stateOf(await addFailureScript.run(client, keys(q), args(q)), q),
    async clear(account) {
      await clearScript.run(client, [accountKey(account)], []);
    },
  };
}

/** The script's reply `[failures, last, ipFailures, start]` (nil where a hash is missing) as a state. */
function stateOf(reply: unknown, q: ThrottleQuery): ThrottleState {
  const [failures, last, ipFailures, start] = (Array.isArray(reply) ? reply : []).map((value) => (value === null || value === undefined ? undefined : Number(value)));
  const account = failures !== undefined && last !== undefined && q.now - last < q.accountRetainMs ? { failures, lastFailureAt: last } : undefined;
  const ip = ipFailures !== undefined && start !== undefined && q.now - start < q.ipWindowMs ? { failures: ipFailures, windowStart: start } : undefined;
  return { account, ip };
}
