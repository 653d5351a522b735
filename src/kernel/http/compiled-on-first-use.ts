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

/** What `make` makes, made on the first call (or when `pending` is compiled) and kept. */
function onFirstUse<T>(make: () => T, pending: PendingCompilations | undefined): () => T {
  let made: T | undefined;
  const get = (): T => {
    if (made === undefined) {
      made = make();
      pending?.delete(ensure);
    }
    return made;
  };
  const ensure = () => void get();
  pending?.add(ensure);
  return get;
}

/** A validator that compiles its schema on its first call (or when `pending` is compiled). */
export function compiledOnFirstUse(compile: () => ValidateFunction, pending?: PendingCompilations): Validator {
  const validator = onFirstUse(compile, pending);
  const check: Validator = (data) => {
    const validate = validator();
    const valid = validate(data) as boolean;
    check.errors = validate.errors;
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
      const serializer = onFirstUse(() => compile(route), pending);
      return (document) => serializer()(document);
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
