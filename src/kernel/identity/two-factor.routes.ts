/**
 * Two-factor routes under /v1/auth: enrolment, confirmation, status and disabling for the signed-in
 * user, and the second step of a login. Same per-IP limits and small bodies as the other auth routes;
 * answers that carry a secret are `Cache-Control: no-store`.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { problemResponses } from '../http/index.ts';
import { authenticatedOf, clientOf, tokenPair } from './identity.routes.ts';
import type { TwoFactor } from './two-factor.service.ts';
import { authBodyLimit, registerAuthRateLimit } from './auth-route-limits.ts';

const tags = ['auth'];
const code = Type.String({ minLength: 1, maxLength: 64, description: 'A 6-digit code of the authenticator app, or a recovery code' });
const currentPassword = Type.String({ maxLength: 4096 });
const config = { tenant: true };

export function twoFactorRoutes(twoFactor: TwoFactor, options: { rateLimitMax: number }) {
  return async (root: FastifyInstance): Promise<void> => {
    await root.register(async (app) => {
      await registerAuthRateLimit(app, options.rateLimitMax);

      app.post('/v1/auth/login/2fa', {
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Second step of a login: the challenge of identity.second_factor_required and a TOTP or recovery code',
          body: Type.Object({ challenge: Type.String({ minLength: 1, maxLength: 2000 }), code }, { additionalProperties: false }),
          response: { 200: tokenPair, ...problemResponses },
        },
      }, async (request) => twoFactor.completeLogin(request.body as { challenge: string; code: string }, clientOf(request)));

      app.get('/v1/auth/2fa', {
        config,
        schema: {
          tags,
          summary: 'Whether two-factor authentication is on, and how many recovery codes are left',
          response: { 200: Type.Object({ totp: Type.Union([Type.Literal('off'), Type.Literal('pending'), Type.Literal('on')]), recoveryCodesLeft: Type.Integer() }), ...problemResponses },
        },
      }, async (request) => twoFactor.status(authenticatedOf(request)));

      app.post('/v1/auth/2fa/totp', {
        config,
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Start a TOTP enrolment (current password required): the secret is in this answer only',
          body: Type.Object({ currentPassword }, { additionalProperties: false }),
          response: {
            200: Type.Object({ secret: Type.String({ description: 'base32' }), uri: Type.String({ description: 'otpauth:// URI, for a QR code' }), algorithm: Type.Literal('SHA1'), digits: Type.Literal(6), period: Type.Literal(30) }),
            ...problemResponses,
          },
        },
      }, async (request, reply) => reply.header('cache-control', 'no-store').send(await twoFactor.startEnrolment(authenticatedOf(request), request.body as { currentPassword: string }, clientOf(request))));

      app.post('/v1/auth/2fa/totp/confirm', {
        config,
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Turn TOTP on with a first code; answers 10 single-use recovery codes, shown only now',
          body: Type.Object({ code }, { additionalProperties: false }),
          response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...problemResponses },
        },
      }, async (request, reply) => reply.header('cache-control', 'no-store').send(await twoFactor.confirmEnrolment(authenticatedOf(request), request.body as { code: string }, clientOf(request))));

      app.post('/v1/auth/2fa/totp/disable', {
        config,
        bodyLimit: authBodyLimit,
        schema: {
          tags,
          summary: 'Turn TOTP off: the current password and a code (TOTP or recovery) are required',
          body: Type.Object({ currentPassword, code }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...problemResponses },
        },
      }, async (request, reply) => {
        await twoFactor.disable(authenticatedOf(request), request.body as { currentPassword: string; code: string }, clientOf(request));
        return reply.code(204).send();
      });
    });
  };
}
