/** The config slice of the API's rate limits (kernel/http/rate-limits.ts). */
import Type, { type Static } from 'typebox';

export const rateLimitSlice = {
  RATE_LIMIT_ENABLED: Type.Boolean({ default: true, description: 'Per-IP, per-user and per-tenant request limits on the API (false turns them off)' }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1, maximum: 3600, description: 'Length of a rate-limit window (fixed windows aligned to the clock)' }),
  RATE_LIMIT_IP_MAX: Type.Integer({ default: 600, minimum: 0, description: 'Requests per window per client IP (IPv6: per /64); 0 lifts this limit' }),
  RATE_LIMIT_USER_MAX: Type.Integer({ default: 1200, minimum: 0, description: 'Requests per window per user or API key; 0 lifts this limit' }),
  RATE_LIMIT_TENANT_MAX: Type.Integer({ default: 6000, minimum: 0, description: 'Requests per window per tenant; 0 lifts this limit' }),
  RATE_LIMIT_EXEMPT_IPS: Type.String({
    default: '127.0.0.1,::1,::ffff:127.0.0.1',
    description: "Comma-separated client addresses never limited (the host's own probes, scripts, bench); behind a proxy set HTTP_TRUST_PROXY",
  }),
};

export const rateLimitSettingsSchema = Type.Object(rateLimitSlice);
export type RateLimitSettings = Static<typeof rateLimitSettingsSchema>;
