/**
 * GET /v1/config: what a client needs at start for this user, in one call and one tenant transaction:
 * sections contributed by the modules and apps the composition root wires (the user and tenant,
 * evaluated feature flags, permissions per entity, the apps' forms and list layouts). A section is
 * computed for the requesting principal only. Glossary: section = one named part of the answer.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { problemResponses } from './problem.ts';

export interface ConfigSection {
  readonly name: string;
  build(tx: TenantTx, context: TenantContext): Promise<unknown>;
}

export function clientConfigRoutes(options: { db: Kysely<any>; sections: readonly ConfigSection[]; devHeaders: boolean }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/v1/config', {
      config: { tenant: true },
      schema: {
        tags: ['config'],
        summary: 'Everything a client needs at start for this user: tenant settings, flags, permissions, forms, list layouts',
        description: 'Cache it with the ETag (If-None-Match gives 304); entity schemas are at /v1/metadata.',
        response: { 200: Type.Object({}, { additionalProperties: true }), 304: Type.Null(), ...problemResponses },
      },
      handler: async (request, reply) => {
        const context = withRequestRoles(request.principal!, request.headers, options.devHeaders);
        const body = await withTenant(options.db, context, async (tx) => {
          const answer: Record<string, unknown> = {};
          for (const section of options.sections) answer[section.name] = await section.build(tx, context);
          return answer;
        });
        const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
        reply.header('etag', etag).header('cache-control', 'private, no-cache');
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        return body;
      },
    });
  };
}
