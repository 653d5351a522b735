/** The config slice of the shared state of several nodes (kernel/redis). */
import Type, { type Static } from 'typebox';

export const redisSlice = {
  REDIS_URL: Type.Optional(
    Type.String({
      secret: true,
      pattern: '^rediss?://',
      description:
        'Redis shared by several nodes: rate-limit counters, the login throttle and session revocations (redis://[:password@]host:6379[/db]; rediss:// for TLS). Unset: each process keeps its own, in memory',
    }),
  ),
};

/** The slice as one schema (its type is the settings the module takes). */
export const redisSettingsSchema = Type.Object(redisSlice);
export type RedisSettings = Static<typeof redisSettingsSchema>;
