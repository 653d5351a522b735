/**
 * Account routes under /v1/auth: e-mail verification, password reset, and the credential changes
 * that require the current password. Same per-IP limits and small bodies as the other auth routes.
 */
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../http/index.ts';
import type { EmailVerification } from './email-verification.ts';
import { authenticatedOf, clientOf, tokenPair } from './identity.routes.ts';
import type { PasswordReset } from './password-reset.ts';
import { authBodyLimit, registerAuthRateLimit } from './auth-route-limits.ts';

const tags = ['auth'];
const password = { type: 'string', description: 'At least 8 characters (15 or more recommended), any Unicode, at most 1024' };
const token = { type: 'string', minLength: 1, maxLength: 200, description: 'The token of the link received by mail' };
const accepted = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['accepted'] } } } as const;
const body = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties });

export function accountRoutes(flows: { verification: EmailVerification; reset: PasswordReset }, options: { rateLimitMax: number }) {
  const { verification, reset } = flows;
  return async (root: FastifyInstance): Promise<void> => {
    await root.register(async (app) => {
      await registerAuthRateLimit(app, options.rateLimitMax);

      app.post('/v1/auth/verify-email', {
        bodyLimit: authBodyLimit,
        schema: { tags, summary: 'Confirm an e-mail address (or an e-mail change) with the token of the mailed link', body: body({ token }), response: { 204: { type: 'null' }, ...problemResponses } },
      }, async (request, reply) => {
        await verification.verifyEmail((request.body as { token: string }).token, clientOf(request));
        return reply.code(204).send();
      });

      app.post('/v1/auth/verify-email/resend', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Mail a fresh verification link to an unverified account (the same answer, at once, for any address; at most 3 mails an hour)',
          body: body({ email: { type: 'string', maxLength: 320 } }),
          response: { 202: accepted, ...problemResponses },
        },
      }, async (request, reply) => reply.code(202).send(verification.requestVerificationResend((request.body as { email: string }).email, clientOf(request))));

      app.post('/v1/auth/password-reset', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Mail a password reset link (the same answer, at once, whether the address has an account or not)',
          body: body({ email: { type: 'string', maxLength: 320 } }),
          response: { 202: accepted, ...problemResponses },
        },
      }, async (request, reply) => reply.code(202).send(reset.requestPasswordReset((request.body as { email: string }).email, clientOf(request))));

      app.post('/v1/auth/password-reset/confirm', {
        bodyLimit: authBodyLimit,
        schema: { tags, summary: 'Set a new password with the token of the reset link; every session of the account ends', body: body({ token, password }), response: { 204: { type: 'null' }, ...problemResponses } },
      }, async (request, reply) => {
        const { token: value, password: next } = request.body as { token: string; password: string };
        await reset.confirmPasswordReset(value, next, clientOf(request));
        return reply.code(204).send();
      });

      app.post('/v1/auth/password', {
        config: { tenant: true },
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Change your password (current password required); every session ends and a new pair for this tenant is returned',
          body: body({ currentPassword: { type: 'string', maxLength: 4096 }, newPassword: password }),
          response: { 200: tokenPair, ...problemResponses },
        },
      }, async (request) => reset.changePassword(authenticatedOf(request), request.body as { currentPassword: string; newPassword: string }, clientOf(request)));

      app.post('/v1/auth/email', {
        config: { tenant: true },
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Change your e-mail address (current password required): a link goes to the new address, which applies the change',
          body: body({ currentPassword: { type: 'string', maxLength: 4096 }, newEmail: { type: 'string', maxLength: 320 } }),
          response: { 202: accepted, ...problemResponses },
        },
      }, async (request, reply) => reply.code(202).send(await verification.requestEmailChange(authenticatedOf(request), request.body as { currentPassword: string; newEmail: string }, clientOf(request))));
    });
  };
}
