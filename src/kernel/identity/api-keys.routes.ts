/** Admin routes of API keys under /v1/api-keys, for owners and admins of the tenant. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import type { TenantContext } from '../db/index.ts';
import { problemResponses } from '../http/index.ts';
import type { ApiKeyAdmin, ApiKeyInput } from './api-keys.contract.ts';

const nullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const apiKeyFields = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: Type.String(),
  prefix: Type.String({ description: 'The public part of the key, `tnt_<tenant>_<id>`' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  expiresAt: nullableTime,
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Updated at most once a minute' }),
  revokedAt: nullableTime,
};
const apiKey = Type.Object(apiKeyFields);
const createdApiKey = Type.Object({ ...apiKeyFields, key: Type.String({ description: 'The whole key, shown only now: send it as `Authorization: Bearer <key>`' }) });

/** Request principal as a tenant context with its roles (X-Dev-* headers only with TENANT_DEV_HEADER). */
export const adminContextOf = (devHeaders: boolean) => (request: FastifyRequest): TenantContext => withRequestRoles(request.principal as TenantContext, request.headers, devHeaders);

export function apiKeyRoutes(keys: ApiKeyAdmin, options: { devHeaders: boolean }) {
  const contextOf = adminContextOf(options.devHeaders);
  const config = { tenant: true };
  const tags = ['api-keys'];
  return (app: FastifyInstance): void => {
    app.post('/v1/api-keys', {
      config,
      schema: {
        tags,
        summary: 'Create an API key (the key is in this answer only)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$', description: 'A built-in role or a tenant role' }),
            expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: createdApiKey, ...problemResponses },
      },
      handler: async (request, reply) => {
        const created = await keys.create(contextOf(request), request.body as ApiKeyInput);
        return reply.code(201).header('cache-control', 'no-store').header('location', `/v1/api-keys/${created.id}`).send(created);
      },
    });
    app.get('/v1/api-keys', {
      config,
      schema: { tags, summary: "The tenant's API keys (revoked ones too), newest first", response: { 200: Type.Object({ items: Type.Array(apiKey) }), ...problemResponses } },
      handler: async (request) => ({ items: await keys.list(contextOf(request)) }),
    });
    app.delete('/v1/api-keys/:id', {
      config,
      schema: { tags, summary: 'Revoke an API key (refused from now on)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...problemResponses } },
      handler: async (request, reply) => {
        await keys.revoke(contextOf(request), (request.params as { id: string }).id);
        return reply.code(204).send();
      },
    });
  };
}
