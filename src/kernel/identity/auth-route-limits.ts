/**
 * What every credential-handling route shares: a small body limit (a 1 MB password is refused before
 * parsing) and a stricter per-IP rate limit on top of the global ones, with the same draft
 * RateLimit-* headers as kernel/http's limits (the stricter values win on these routes).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { rateLimited } from './identity.errors.ts';

export const authBodyLimit = 16_384;

export async function registerAuthRateLimit(app: FastifyInstance, max: number): Promise<void> {
  await app.register(rateLimit, {
    max,
    timeWindow: 60_000,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}
