export { defineScript } from './lua-script.ts';
export type { LuaScript } from './lua-script.ts';
export { describeRedisUrl, openRedis } from './redis.connection.ts';
export type { OpenRedisOptions } from './redis.connection.ts';
export type { ChannelListener, PublishClient, RedisConnection, RedisUse, ScriptClient } from './redis.contract.ts';
