/**
 * Builds the Fastify app: request ids, validation (no coercion in bodies, no silently dropped
 * properties), security headers, CORS, compression, problem+json for every error, OpenAPI with a
 * docs UI served locally, system routes and the generated entity routes.
 */
import { randomUUID } from 'node:crypto';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { compiledOnFirstUse, serializersOnFirstUse, trackPendingCompilations, type PendingCompilations } from './compiled-on-first-use.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../shared/index.ts';
import { registerEntityRoutes } from './entity.routes.ts';
import { fromFrameworkError } from './framework-errors.ts';
import type { Logger } from '../observability/index.ts';
import type { HttpDependencies, Principal } from './http.contract.ts';
import { parseJsonBody } from './json-body.ts';
import { createMemoryRateLimitStore } from './rate-limit-store.ts';
import { installRateLimits } from './rate-limits.ts';
import { internalError, problemContentType, problemSchema, toProblem } from './problem.ts';
import { registerSystemRoutes } from './system.routes.ts';
import { createTenantResolver, devTenantHeader } from './tenant-resolution.ts';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const docsPrefix = '/docs';

/**
 * Security headers of JSON responses, built once. helmet's full set (and its per-request cost, about
 * 35 µs measured in bench/) is kept for the HTML docs; a JSON API needs these.
 */
const apiSecurityHeaders = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

/** The JSON Schema validator of request parts; bodies (coerce false) are validated strictly. */
export function createAjv(coerce: boolean) {
  // Bodies: no coercion ("12" is not 12) and no defaults filled in (a PATCH must not reset fields).
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: coerce, coerceTypes: coerce ? 'array' : false, strict: false });
  addFormats(ajv);
  return ajv;
}

export async function buildHttpApp(deps: HttpDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  // Every error leaves here: known ones with their status and code, anything else as a bare 500.
  const sendProblem = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    const known = isAppError(error) ? error : fromFrameworkError(error as Error);
    if (!known) request.log.error({ err: error }, 'unhandled error');
    else if (known.kind === 'unavailable') request.log.warn({ err: error }, known.code);
    const problem = toProblem(known ?? internalError(), request.id);
    deps.metrics.countProblem(problem.code);
    return reply.code(problem.status).header('x-request-id', request.id).type(problemContentType).send(problem);
  };
  const pendingCompilations: PendingCompilations = new Set();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.HTTP_BODY_LIMIT,
    trustProxy: config.HTTP_TRUST_PROXY ? config.HTTP_TRUST_PROXY.split(',').map((entry) => entry.trim()) : false,
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
    // Errors before routing (undecodable URL, over-long parameter) skip the error handler.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, error),
    // Route serializers and validators (below) compile on a route's first use (compiled-on-first-use.ts).
    schemaController: { compilersFactory: { buildSerializer: serializersOnFirstUse(pendingCompilations) } },
  });
  trackPendingCompilations(app, pendingCompilations);

  const bodyAjv = createAjv(false);
  const paramAjv = createAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => compiledOnFirstUse(() => (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema), pendingCompilations));
  // JSON bodies only: text/plain (which Fastify parses by default) is a 415 like any other type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.decorateRequest('principal', null);
  // Before the principal hook: the client-IP limit runs first; user and tenant limits after the principal.
  installRateLimits(app, { settings: config, store: deps.rateLimitStore ?? createMemoryRateLimitStore(), exemptPrefixes: [docsPrefix], refusalHeaders: apiSecurityHeaders });

  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('not_found', 'http.route_not_found', 'Route not found', { detail: `No route ${request.method} ${request.url.split('?')[0]}.` })),
  );
  app.addSchema({ $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details', ...problemSchema });

  const resolvePrincipal = createTenantResolver(deps.tenants, { devHeader: config.TENANT_DEV_HEADER, authenticator: deps.authenticator });
  const bindPrincipal = (request: FastifyRequest, principal: Principal) => {
    request.principal = { ...principal, requestId: request.id, ip: request.ip };
    // One logger per request: bind to Fastify's request child (which reply.log shares), no second child.
    (request.log as unknown as Logger).setBindings({ tenantId: principal.tenantId, userId: principal.userId });
  };
  // Synchronous on the hot path: headers, request id, and the tenant when it is cached.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith(docsPrefix)) reply.headers(apiSecurityHeaders);
    reply.header('x-request-id', request.id);
    if (!request.routeOptions.config.tenant) return done();
    let cached: Principal | undefined;
    try {
      cached = resolvePrincipal.cached(request);
    } catch (error) {
      return done(error as Error);
    }
    if (cached) {
      bindPrincipal(request, cached);
      return done();
    }
    resolvePrincipal(request).then((principal) => {
      bindPrincipal(request, principal);
      done();
    }, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeRequest({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });

  const origins = config.HTTP_CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean);
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    exposedHeaders: ['etag', 'location', 'x-request-id', 'idempotent-replayed'],
    allowedHeaders: ['content-type', 'authorization', 'if-match', 'if-none-match', 'idempotency-key', 'x-request-id', devTenantHeader],
  });
  // gzip first: brotli at its default quality cost ~1 ms of CPU per 9 KB page (measured in bench/);
  // behind a proxy that compresses, clients get the same bytes for less.
  await app.register(compress, { threshold: 1024, encodings: ['gzip', 'deflate', 'br'], zlibOptions: { level: 4 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tenantry API', version: '1', description: 'Generated from the model. Errors are RFC 9457 problem+json documents with a stable `code`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /v1/auth/login' },
          devTenant: { type: 'apiKey', in: 'header', name: 'X-Tenant', description: 'Development only: the tenant slug or id' },
        },
      },
      security: [{ bearer: [] }, { devTenant: [] }],
    },
    // Shared schemas keep their $id as the component name (#/components/schemas/Problem).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`) },
  });
  // The HTML docs get helmet's full policy, in a context of their own so its hooks cost the API nothing.
  await app.register(async (docs) => {
    await docs.register(helmet, {
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:', 'blob:'] },
      },
    });
    await docs.register(swaggerUi, { routePrefix: docsPrefix, uiConfig: { docExpansion: 'list', deepLinking: true } });
  });

  registerSystemRoutes(app, deps);
  for (const entity of deps.registry.entities) if (entity.expose) registerEntityRoutes(app, deps, entity);
  for (const register of deps.routes ?? []) await register(app);
  return app;
}
