/**
 * Routes of feature flags. Admin routes under /v1/feature-flags, behind the injected guard (compose:
 * owners, admins and tenant roles granted `flags.manage`, see kernel/access); and
 * GET /v1/feature-flags/evaluated for every principal of the tenant: its own flags, on or off.
 * The schemas check the shape of a body; the service checks its values (flags.invalid_flag).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withRequestRoles } from '../access/index.ts';
import type { TenantContext } from '../db/index.ts';
import type { FeatureFlagInput, FeatureFlags, FlagPrecondition } from './feature-flags.contract.ts';
import { parseIfMatch } from '../shared/index.ts';
import { flagErrors } from './feature-flags.errors.ts';

const attributeValues = Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]));
const rules = Type.Object(
  {
    roles: Type.Optional(Type.Array(Type.String(), { description: 'On for principals holding any of these roles (built-in or tenant roles)' })),
    users: Type.Optional(Type.Array(Type.String(), { description: 'On for these user ids' })),
    percentage: Type.Optional(Type.Number({ description: 'On for this share of users and API keys (0 to 100, two decimals), by a stable hash per flag' })),
    attributes: Type.Optional(Type.Record(Type.String(), attributeValues, { description: 'On when a principal attribute has one of the listed values' })),
  },
  { additionalProperties: false, description: 'Targets, combined with OR; none named: on for everyone; a target with an empty list matches nobody' },
);
const flag = Type.Object({
  key: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean({ description: 'Kill switch: false turns the flag off for everyone' }),
  rules,
  version: Type.Integer({ description: 'Also the ETag' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const flagInput = Type.Object(
  {
    description: Type.Optional(Type.Union([Type.String({ description: 'At most 500 characters' }), Type.Null()])),
    enabled: Type.Boolean(),
    rules: Type.Optional(rules),
  },
  { additionalProperties: false },
);
const keyParams = Type.Object({ key: Type.String({ maxLength: 200, description: 'Flag key: a lower-case letter, then up to 63 of a-z 0-9 _ . -' }) }, { additionalProperties: false });
const ifMatchHeader = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'ETag of the version being changed, e.g. "3"; 412 when it changed since' })) });
const problems = {
  '4XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
  '5XX': { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } },
};

/** If-Match as on every versioned route (kernel/shared if-match.ts). */
export function parseFlagIfMatch(value: string | undefined): FlagPrecondition | undefined {
  return parseIfMatch(value, flagErrors.invalidIfMatch);
}

export interface FeatureFlagRoutesOptions {
  /** Who may manage flags; throws (access.denied) to refuse. */
  guard: (request: FastifyRequest) => Promise<void>;
  /** TENANT_DEV_HEADER: the development principal and its X-Dev-* headers. */
  devHeaders: boolean;
}

/** The route registrar of feature flags (for HttpDependencies.routes). */
export function featureFlagRoutes(flags: FeatureFlags, options: FeatureFlagRoutesOptions) {
  const contextOf = (request: FastifyRequest): TenantContext => withRequestRoles(request.principal as TenantContext, request.headers, options.devHeaders);
  const keyOf = (request: FastifyRequest) => (request.params as { key: string }).key;
  const base = '/v1/feature-flags';
  const tags = ['feature-flags'];
  const config = { tenant: true };
  const admin = { config, preHandler: options.guard };
  return (app: FastifyInstance): void => {
    app.get(`${base}/evaluated`, {
      config,
      schema: {
        tags,
        summary: "The tenant's flags, on or off for the caller",
        response: { 200: Type.Object({ flags: Type.Record(Type.String(), Type.Boolean()) }), ...problems },
      },
      handler: async (request, reply) => reply.header('cache-control', 'private, no-store').send({ flags: await flags.evaluate(contextOf(request)) }),
    });
    app.get(base, {
      ...admin,
      schema: { tags, summary: 'List feature flags', response: { 200: Type.Object({ data: Type.Array(flag) }), ...problems } },
      handler: async (request) => ({ data: await flags.listFlags(contextOf(request)) }),
    });
    app.get(`${base}/:key`, {
      ...admin,
      schema: { tags, summary: 'Get a feature flag', params: keyParams, response: { 200: flag, ...problems } },
      handler: async (request, reply) => {
        const found = await flags.getFlag(contextOf(request), keyOf(request));
        return reply.header('etag', `"${found.version}"`).send(found);
      },
    });
    app.put(`${base}/:key`, {
      ...admin,
      schema: { tags, summary: 'Create or replace a feature flag', params: keyParams, headers: ifMatchHeader, body: flagInput, response: { 200: flag, 201: flag, ...problems } },
      handler: async (request, reply) => {
        const ifMatch = parseFlagIfMatch(request.headers['if-match']);
        const { flag: saved, created } = await flags.putFlag(contextOf(request), keyOf(request), request.body as FeatureFlagInput, ifMatch === undefined ? {} : { ifMatch });
        if (created) reply.code(201).header('location', `${base}/${saved.key}`);
        return reply.header('etag', `"${saved.version}"`).send(saved);
      },
    });
    app.delete(`${base}/:key`, {
      ...admin,
      schema: { tags, summary: 'Delete a feature flag', params: keyParams, headers: ifMatchHeader, response: { 204: Type.Null(), ...problems } },
      handler: async (request, reply) => {
        const ifMatch = parseFlagIfMatch(request.headers['if-match']);
        await flags.deleteFlag(contextOf(request), keyOf(request), ifMatch === undefined ? {} : { ifMatch });
        return reply.code(204).send();
      },
    });
  };
}
