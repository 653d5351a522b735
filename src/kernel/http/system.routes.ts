/** Liveness, readiness, metrics and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import { problemContentType, problemType } from './problem.ts';
import type { HttpDependencies } from './http.contract.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const tags = ['system'];
  app.get('/livez', { config: { rateLimits: false }, schema: { tags, security: [], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { rateLimits: false }, schema: { tags, security: [], summary: 'Readiness: database reachable, migrations current, not draining' } }, async (request, reply) => {
    const problems = deps.health.isDraining() ? ['draining'] : await deps.health.check();
    if (problems.length === 0) return { status: 'ready' };
    return reply
      .code(503)
      .type(problemContentType)
      .send({
        type: problemType('http.not_ready'),
        title: 'Not ready',
        status: 503,
        detail: problems.join('; '),
        code: 'http.not_ready',
        traceId: request.id,
      });
  });

  app.get('/metrics', { config: { rateLimits: false }, schema: { tags, security: [], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/openapi.json', { config: { rateLimits: false }, schema: { hide: true } }, async () => app.swagger());
}
