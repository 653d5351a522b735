/**
 * Schemas compiled on first use instead of at start. Fastify compiles every route's request
 * validators (ajv) and response serializers (fast-json-stringify) while the server starts, and sync
 * push compiled the create and update validators of every synced entity: with the platform's routes
 * that was about 0.8 s of start-up CPU (a CPU profile: ajv 0.53 s, fast-json-stringify 0.28 s) and
 * idle RSS, spent on code a process may never run. Measured (`npm start`'s command on a migrated
 * data directory, spawn to the first 200 from /readyz, six runs each, alternating): 2.99-3.50 s
 * (median 3.15) and 210-235 MB idle RSS before, 2.40-3.00 s (median 2.45) and 195-202 MB after. A
 * route's first request pays its compilation (a few milliseconds).
 *
 * A schema that does not compile would now fail on its route's first request (a 500 problem, logged)
 * rather than at start: the compilations not yet done are kept per app (`PendingCompilations`), and
 * compileRouteSchemas compiles them all, which compiled-on-first-use.test.ts does for the composed
 * platform, so such a schema fails the tests instead.
 */
import serializerSelector from '@fastify/fast-json-stringify-compiler';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** An ajv validator as Fastify and our callers use it: true or false, `errors` set by the last call. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The compilations an app has not done yet, each removed once done. */
export type PendingCompilations = Set<() => void>;

/** A validator that compiles its schema on its first call (or when `pending` is compiled). */
export function compiledOnFirstUse(compile: () => ValidateFunction, pending?: PendingCompilations): Validator {
  let validate: ValidateFunction | undefined;
  const compiled = () => {
    if (validate) return validate;
    validate = compile();
    pending?.delete(ensure);
    return validate;
  };
  const ensure = () => void compiled();
  pending?.add(ensure);
  const check: Validator = (data) => {
    const current = compiled();
    const valid = current(data) as boolean;
    check.errors = current.errors;
    return valid;
  };
  check.errors = null;
  return check;
}

const defaultSerializers = serializerSelector();

/**
 * Fastify's default serializer factory (for `schemaController.compilersFactory.buildSerializer`),
 * each route's serializer compiled on its first response (or when `pending` is compiled).
 */
export function serializersOnFirstUse(pending: PendingCompilations): serializerSelector.SerializerFactory {
  return (externalSchemas, options) => {
    const compile = defaultSerializers(externalSchemas, options);
    return (route) => {
      let serialize: serializerSelector.Serializer | undefined;
      const compiled = () => {
        if (serialize) return serialize;
        serialize = compile(route);
        pending.delete(ensure);
        return serialize;
      };
      const ensure = () => void compiled();
      pending.add(ensure);
      return (document) => compiled()(document);
    };
  };
}

const pendingOf = new WeakMap<object, PendingCompilations>();

/** Keeps the app's pending compilations for compileRouteSchemas. */
export function trackPendingCompilations(app: object, pending: PendingCompilations): void {
  pendingOf.set(app, pending);
}

/** Compiles every route schema of the app not compiled yet; returns how many. A schema that does not compile throws. */
export function compileRouteSchemas(app: object): number {
  const pending = pendingOf.get(app);
  if (!pending) return 0;
  const all = [...pending];
  for (const compile of all) compile();
  return all.length;
}
