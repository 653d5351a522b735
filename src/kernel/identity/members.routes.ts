/** Admin routes of the tenant's members under /v1/members, for owners and admins. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { problemResponses } from '../http/index.ts';
import { adminContextOf } from './api-keys.routes.ts';
import type { MemberAdmin } from './members.service.ts';

const member = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const params = Type.Object({ userId: Type.String({ maxLength: 64 }) });

export function memberRoutes(members: MemberAdmin, options: { devHeaders: boolean }) {
  const contextOf = adminContextOf(options.devHeaders);
  const config = { tenant: true };
  const tags = ['members'];
  return (app: FastifyInstance): void => {
    app.get('/v1/members', {
      config,
      schema: { tags, summary: 'Members of the tenant with their roles', response: { 200: Type.Object({ items: Type.Array(member) }), ...problemResponses } },
      handler: async (request) => ({ items: await members.list(contextOf(request)) }),
    });
    app.patch('/v1/members/:userId', {
      config,
      schema: {
        tags,
        summary: "Change a member's role (applies to their next request)",
        params,
        body: Type.Object({ role: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }) }, { additionalProperties: false }),
        response: { 200: member, ...problemResponses },
      },
      handler: (request) => members.changeRole(contextOf(request), (request.params as { userId: string }).userId, (request.body as { role: string }).role),
    });
    app.delete('/v1/members/:userId', {
      config,
      schema: { tags, summary: 'Remove a member (their sessions in this tenant are revoked at once)', params, response: { 204: Type.Null(), ...problemResponses } },
      handler: async (request, reply) => {
        await members.remove(contextOf(request), (request.params as { userId: string }).userId);
        return reply.code(204).send();
      },
    });
  };
}
