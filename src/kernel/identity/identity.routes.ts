/**
 * The auth routes under /v1/auth: sign-up, login, refresh, logout, sessions, your tenants and tenant switch.
 * Stricter per-IP rate limits than the rest of the API, and small bodies (a 1 MB password is a 413
 * before anything reads it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problemResponses } from '../http/index.ts';
import type { Authenticated, ClientInfo, IdentityService } from './identity.contract.ts';
import { invalidToken } from './identity.errors.ts';
import { authBodyLimit, registerAuthRateLimit } from './auth-route-limits.ts';

export interface IdentityRouteOptions {
  rateLimitMax: number;
}

const errorResponses = problemResponses;
export const tokenPair = {
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn', 'refreshToken', 'tenantId', 'sessionId'],
  properties: {
    accessToken: { type: 'string', description: 'JWT, send as `Authorization: Bearer <token>`' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires' },
    refreshToken: { type: 'string', description: 'Opaque, single use: POST it to /v1/auth/refresh for a new pair' },
    tenantId: { type: 'string', format: 'uuid' },
    sessionId: { type: 'string', format: 'uuid' },
  },
} as const;
const password = { type: 'string', description: 'At least 8 characters (15 or more recommended), any Unicode, at most 1024' };
const tenantRef = { type: 'string', minLength: 1, maxLength: 100, description: 'Tenant slug or id' };

export const clientOf = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });

/** The signed-in principal of a tenant route; the development header has no session, so it is refused here. */
export function authenticatedOf(request: FastifyRequest): Authenticated {
  const principal = request.principal;
  if (!principal?.sessionId || !principal.userId) throw invalidToken();
  return { tenantId: principal.tenantId, userId: principal.userId, sessionId: principal.sessionId, roles: principal.roles, client: clientOf(request) };
}

export function identityRoutes(identity: IdentityService, options: IdentityRouteOptions) {
  return async (root: FastifyInstance): Promise<void> => {
    await root.register(async (app) => {
      await registerAuthRateLimit(app, options.rateLimitMax);
      const tags = ['auth'];

      app.post('/v1/auth/sign-up', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Create an account, its tenant and the owner membership',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['email', 'password', 'name', 'tenant'],
            properties: {
              email: { type: 'string', maxLength: 320 },
              password,
              name: { type: 'string', maxLength: 200 },
              locale: { type: 'string', maxLength: 35 },
              tenant: { type: 'object', additionalProperties: false, required: ['slug', 'name'], properties: { slug: { type: 'string', maxLength: 63 }, name: { type: 'string', maxLength: 200 } } },
            },
          },
          response: { 202: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['accepted'] } } }, ...errorResponses },
        },
      }, async (request, reply) => {
        const body = request.body as Parameters<IdentityService['signUp']>[0];
        return reply.code(202).send(await identity.signUp(body, clientOf(request)));
      });

      app.post('/v1/auth/login', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Log in to one tenant (the default one without `tenant`)',
          body: { type: 'object', additionalProperties: false, required: ['email', 'password'], properties: { email: { type: 'string', maxLength: 320 }, password, tenant: tenantRef } },
          response: { 200: tokenPair, ...errorResponses },
        },
      }, async (request) => identity.login(request.body as Parameters<IdentityService['login']>[0], clientOf(request)));

      app.post('/v1/auth/refresh', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Exchange a refresh token for a new pair (the old one is spent; reusing it revokes the session)',
          body: { type: 'object', additionalProperties: false, required: ['refreshToken'], properties: { refreshToken: { type: 'string', maxLength: 200 } } },
          response: { 200: tokenPair, ...errorResponses },
        },
      }, async (request) => identity.refresh((request.body as { refreshToken: string }).refreshToken, clientOf(request)));

      app.post('/v1/auth/logout', {
        config: { tenant: true },
        schema: { tags, summary: 'End the current session (its access token is refused from now on)', response: { 204: { type: 'null' }, ...errorResponses } },
      }, async (request, reply) => {
        await identity.logout(authenticatedOf(request));
        return reply.code(204).send();
      });

      app.get('/v1/auth/sessions', {
        config: { tenant: true },
        schema: {
          tags,
          summary: 'Your live sessions in this tenant',
          response: {
            200: {
              type: 'object',
              required: ['items'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' }, tenantId: { type: 'string' }, createdAt: { type: 'string' }, lastUsedAt: { type: 'string' }, expiresAt: { type: 'string' },
                      ip: { type: ['string', 'null'] }, userAgent: { type: ['string', 'null'] }, current: { type: 'boolean' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      }, async (request) => ({ items: await identity.listSessions(authenticatedOf(request)) }));

      app.delete('/v1/auth/sessions/:id', {
        config: { tenant: true },
        schema: { tags, summary: 'Revoke one of your sessions', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, ...errorResponses } },
      }, async (request, reply) => {
        await identity.revokeSession(authenticatedOf(request), (request.params as { id: string }).id);
        return reply.code(204).send();
      });

      app.get('/v1/auth/tenants', {
        config: { tenant: true },
        schema: {
          tags,
          summary: 'The tenants you are a member of, with your role there (switch with POST /v1/auth/switch-tenant)',
          response: {
            200: {
              type: 'object',
              required: ['items'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['id', 'slug', 'name', 'role', 'current'],
                    properties: {
                      id: { type: 'string', format: 'uuid' }, slug: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' },
                      current: { type: 'boolean', description: 'The tenant of the session asking' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      }, async (request) => ({ items: await identity.listTenants(authenticatedOf(request)) }));

      app.post('/v1/auth/switch-tenant', {
        config: { tenant: true },
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'A new session and tokens for another tenant you are a member of',
          body: { type: 'object', additionalProperties: false, required: ['tenant'], properties: { tenant: tenantRef } },
          response: { 200: tokenPair, ...errorResponses },
        },
      }, async (request) => identity.switchTenant(authenticatedOf(request), (request.body as { tenant: string }).tenant, clientOf(request)));
    });
  };
}
