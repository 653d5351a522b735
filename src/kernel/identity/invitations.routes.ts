/**
 * Invitation routes: `/v1/invitations` for the tenant's owners and admins (signed in), and
 * `/v1/invitations/accept` for whoever holds the link (no tenant header: the token names the tenant;
 * an optional bearer access token says who is signed in). Accepting shares the auth routes' per-IP
 * limit and small bodies.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { problemResponses } from '../http/index.ts';
import { adminContextOf } from './api-keys.routes.ts';
import { invalidToken } from './identity.errors.ts';
import { clientOf, tokenPair } from './identity.routes.ts';
import type { AcceptInvitationInput, InvitationAdmin, InvitationInput } from './invitations.contract.ts';
import { authBodyLimit, registerAuthRateLimit } from './auth-route-limits.ts';

const nullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const invitation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]),
  invitedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  acceptedAt: nullableTime,
  acceptedBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: nullableTime,
});

/** The bearer credential of a request, if any (a malformed header counts as an invalid token). */
function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(String(header));
  if (!match) throw invalidToken();
  return match[1];
}

export function invitationRoutes(invitations: InvitationAdmin, options: { devHeaders: boolean; rateLimitMax: number }) {
  const contextOf = adminContextOf(options.devHeaders);
  const config = { tenant: true };
  const tags = ['invitations'];
  return async (root: FastifyInstance): Promise<void> => {
    root.post('/v1/invitations', {
      config,
      schema: {
        tags,
        summary: 'Invite an address into the tenant with a role (only owners invite owners); the link is mailed, single use, and expires',
        body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }), role: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }) }, { additionalProperties: false }),
        response: { 201: invitation, ...problemResponses },
      },
      handler: async (request, reply) => {
        const created = await invitations.invite(contextOf(request), request.body as InvitationInput, clientOf(request));
        return reply.code(201).header('location', `/v1/invitations/${created.id}`).send(created);
      },
    });
    root.get('/v1/invitations', {
      config,
      schema: { tags, summary: "The tenant's invitations, pending first (at most 1,000)", response: { 200: Type.Object({ items: Type.Array(invitation) }), ...problemResponses } },
      handler: async (request) => ({ items: await invitations.list(contextOf(request)) }),
    });
    root.delete('/v1/invitations/:id', {
      config,
      schema: { tags, summary: 'Revoke a pending invitation (its link is refused from now on)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...problemResponses } },
      handler: async (request, reply) => {
        await invitations.revoke(contextOf(request), (request.params as { id: string }).id);
        return reply.code(204).send();
      },
    });

    await root.register(async (app) => {
      await registerAuthRateLimit(app, options.rateLimitMax);
      app.post('/v1/invitations/accept', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Accept an invitation with the token of its link: signed in (bearer) as the invited address, with that account\'s password, or as a new account (name and password)',
          body: Type.Object(
            {
              token: Type.String({ minLength: 1, maxLength: 200 }),
              password: Type.Optional(Type.String({ maxLength: 4096 })),
              name: Type.Optional(Type.String({ maxLength: 200 })),
              locale: Type.Optional(Type.String({ maxLength: 35 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: tokenPair, ...problemResponses },
        },
      }, async (request) => invitations.accept(request.body as AcceptInvitationInput, bearerOf(request), clientOf(request)));
    });
  };
}
