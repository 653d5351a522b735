/**
 * Push: mutations a client made offline, applied in order and exactly once. One transaction per
 * batch holds the client's row (FOR UPDATE, so two pushes of one client take turns); each mutation
 * runs in its own savepoint through the record service (permissions, row scope, field masks,
 * actions, audit and the change log as for any write). The last mutation id moves in the same
 * transaction, so a retried batch skips what was applied. A mutation that fails for good (invalid,
 * denied, a conflict) is rolled back to its savepoint, reported and passed: it never blocks the rest.
 * A transient failure (a serialization conflict, an unknown error) fails the batch; retrying it is safe.
 */
import { sql, type Kysely } from 'kysely';
import { withTenant, type TenantContext, type TenantTx } from '../db/index.ts';
import { compiledOnFirstUse, createAjv, fieldErrorsOf, type ValidationIssue, type Validator } from '../http/index.ts';
import { deriveSchemas, type EntityDef, type ModelRegistry } from '../model/index.ts';
import type { ApiRecord, RecordService } from '../records/index.ts';
import { isAppError, type AppError } from '../shared/index.ts';
import type { Mutation, MutationResult, PushRequest, PushResult } from './sync.contract.ts';
import { syncErrors } from './sync.errors.ts';
import { lockClient, saveLastMutation } from './sync.repository.ts';

/** Errors that say "try again later", not "this mutation is wrong": they fail the batch. */
const transientCodes = new Set(['records.concurrent_update']);

interface EntityValidators {
  entity: EntityDef;
  create: Validator;
  update: Validator;
  actions: Map<string, Validator>;
}

export function createPush(db: Kysely<any>, registry: ModelRegistry, records: RecordService) {
  const ajv = createAjv(false);
  const emptyInput = compiledOnFirstUse(() => ajv.compile({ type: 'object', additionalProperties: false }));
  const validators = new Map<string, EntityValidators>();
  for (const entity of registry.entities.filter((candidate) => candidate.sync)) {
    const schemas = deriveSchemas(entity);
    const actions = new Map(records.actionsOf(entity).map((runnable) => [runnable.action, runnable.input ? compiledOnFirstUse(() => ajv.compile(runnable.input!)) : emptyInput]));
    validators.set(entity.name, { entity, create: compiledOnFirstUse(() => ajv.compile(schemas.create)), update: compiledOnFirstUse(() => ajv.compile(schemas.update)), actions });
  }

  const check = (validate: Validator, value: unknown, pointer: string) => {
    if (validate(value)) return;
    const errors = fieldErrorsOf((validate.errors ?? []) as ValidationIssue[], 'body', pointer);
    throw syncErrors.invalidMutation(errors);
  };

  /** Applies one mutation in the batch transaction; returns the record as it now is (null once deleted). */
  const apply = async (tx: TenantTx, context: TenantContext, mutation: Mutation, pointer: string): Promise<ApiRecord | null> => {
    const target = validators.get(mutation.entity);
    if (!target) throw syncErrors.unknownEntity(mutation.entity, `${pointer}/entity`);
    const { entity } = target;
    const data = mutation.data ?? {};
    switch (mutation.op) {
      case 'create': {
        check(target.create, data, `${pointer}/data`);
        return records.create(context, entity, { ...data, id: mutation.recordId }, tx);
      }
      case 'update': {
        check(target.update, data, `${pointer}/data`);
        // version: the edit was made on baseVersion; merge and lww: the changed fields win.
        const expected = entity.sync!.conflict === 'version' ? requireBaseVersion(mutation, pointer) : undefined;
        return records.update(context, entity, mutation.recordId, expected, data, tx);
      }
      case 'delete': {
        const expected = entity.sync!.conflict === 'version' ? requireBaseVersion(mutation, pointer) : undefined;
        await records.remove(context, entity, mutation.recordId, expected, tx);
        return null;
      }
      case 'action': {
        const validate = mutation.action === undefined ? undefined : target.actions.get(mutation.action);
        if (!validate) throw syncErrors.unknownAction(entity.name, mutation.action, `${pointer}/action`);
        check(validate, mutation.input ?? {}, `${pointer}/input`);
        // An action is an intent: it runs against the server's current copy, whatever the base version.
        return records.perform(context, entity, mutation.recordId, mutation.action!, mutation.input ?? {}, { tx });
      }
    }
  };

  const serverCopy = async (tx: TenantTx, context: TenantContext, mutation: Mutation): Promise<ApiRecord | null> => {
    const entity = validators.get(mutation.entity)?.entity;
    if (!entity) return null;
    try {
      return await records.get(context, entity, mutation.recordId, undefined, tx);
    } catch (error) {
      if (isAppError(error) && (error.kind === 'not_found' || error.kind === 'forbidden')) return null;
      throw error;
    }
  };

  return async function push(context: TenantContext, request: PushRequest): Promise<PushResult> {
    const owner = context.userId ?? context.apiKeyId ?? null;
    if (!owner) throw syncErrors.clientNeedsOwner();
    return withTenant(db, context, async (tx) => {
      const client = await lockClient(tx, context.tenantId, request.clientId, owner);
      if (client.ownerId !== owner) throw syncErrors.clientNotYours();
      let last = client.lastMutationId;
      const results: MutationResult[] = [];
      for (const [index, mutation] of request.mutations.entries()) {
        const pointer = `/mutations/${index}`;
        if (mutation.id <= last) {
          results.push({ id: mutation.id, status: 'duplicate' });
          continue;
        }
        const gap = mutation.id > last + 1 ? { missing: [last + 1, mutation.id - 1] as [number, number] } : {};
        await sql`savepoint mutation`.execute(tx);
        try {
          const record = await apply(tx, context, mutation, pointer);
          await sql`release savepoint mutation`.execute(tx);
          results.push({ id: mutation.id, status: 'applied', ...(record ? { record } : {}), ...gap });
        } catch (error) {
          await sql`rollback to savepoint mutation`.execute(tx);
          if (!isAppError(error) || transientCodes.has(error.code)) throw error;
          const conflict = error.code === 'records.version_mismatch' || error.code === 'records.illegal_transition';
          const server = conflict ? await serverCopy(tx, context, mutation) : null;
          results.push({ id: mutation.id, status: conflict ? 'conflict' : 'rejected', problem: problemOf(error), ...(server ? { serverRecord: server } : {}), ...gap });
        }
        last = mutation.id;
      }
      if (last !== client.lastMutationId) await saveLastMutation(tx, context.tenantId, request.clientId, last);
      return { clientId: request.clientId, lastMutationId: last, results };
    });
  };
}

function requireBaseVersion(mutation: Mutation, pointer: string): number {
  if (mutation.baseVersion === undefined) throw syncErrors.invalidMutation([{ pointer: `${pointer}/baseVersion`, detail: 'required: this entity checks the version an edit was made on' }]);
  return mutation.baseVersion;
}

function problemOf(error: AppError): NonNullable<MutationResult['problem']> {
  return { ...error.extensions, code: error.code, title: error.title, detail: error.message, ...(error.errors && error.errors.length > 0 ? { errors: error.errors } : {}) };
}
